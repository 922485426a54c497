#include "engine/fhir/json_writer.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ferry::engine::fhir {
namespace {

// Bytes that RFC 8259 requires escaped in a string: the quote, the backslash and the C0
// controls. Everything else, multi-byte UTF-8 and '/' included, is copied as it stands.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (std::size_t c = 0; c < 0x20; ++c) {
    table[c] = true;
  }
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

// Whether one of the eight bytes in `word` needs escaping, by the usual "has a byte below n"
// test: on the word itself (below 0x20) and on the word xor'ed with quotes and with backslashes
// (below 1). The test never misses a byte; it may flag bytes after a real one, which only sends
// the word to the byte-by-byte path.
bool wordNeedsEscape(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  std::uint64_t quotes = word ^ (kOnes * '"');
  std::uint64_t backslashes = word ^ (kOnes * '\\');
  std::uint64_t flagged = ((word - kOnes * 0x20) & ~word) | ((quotes - kOnes) & ~quotes) |
                          ((backslashes - kOnes) & ~backslashes);
  return (flagged & kHighs) != 0;
}

// Appends to a std::string through a raw pointer: the string is grown (doubling) ahead of the
// writes, and its bytes past what was written are scratch space, cut off by the caller at the
// end (see used()). The per-call checks of std::string::append cost more than the copying
// itself for the short strings FHIR is made of.
class Sink {
 public:
  // Writes into `out` from `used` on, overwriting whatever `out` holds past it.
  Sink(std::string& out, std::size_t used) : out_(out), used_(used) {}
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // The length of `out` up to the end of what was written.
  std::size_t used() const { return used_; }

  void put(char c) {
    *room(1) = c;
    used_ += 1;
  }
  void put(std::string_view text) {
    if (text.empty()) {
      return;  // an empty view may carry a null pointer, which memcpy must not get
    }
    std::memcpy(room(text.size()), text.data(), text.size());
    used_ += text.size();
  }
  void putIndent(std::size_t depth) {
    char* at = room(1 + depth * 2);
    *at = '\n';
    std::memset(at + 1, ' ', depth * 2);
    used_ += 1 + depth * 2;
  }

  // `text` quoted and escaped.
  void putString(std::string_view text) {
    char* at = room(text.size() + 2);
    *at = '"';
    if (!copyPlain(text, at + 1)) {
      return;
    }
    at[1 + text.size()] = '"';
    used_ += text.size() + 2;
  }

  // A member name: quoted and escaped, then ':' (and a space when pretty).
  void putName(std::string_view name, bool pretty) {
    char* at = room(name.size() + 4);
    *at = '"';
    if (!copyPlain(name, at + 1)) {
      put(pretty ? std::string_view(": ") : std::string_view(":"));
      return;
    }
    at += 1 + name.size();
    at[0] = '"';
    at[1] = ':';
    at[2] = ' ';
    used_ += name.size() + (pretty ? 4 : 3);
  }

 private:
  char* room(std::size_t count) {
    if (out_.size() - used_ < count) {
      grow(count);
    }
    return out_.data() + used_;
  }

  [[gnu::noinline]] void grow(std::size_t count) {
    out_.resize(std::max(out_.size() * 2, used_ + count + 1024));
  }

  // Copies `text` to `to` (room for it is made) while checking it, and returns true when no
  // byte needed escaping. Otherwise writes what came before the first such byte, the rest
  // escaped and the closing quote through put(), and returns false. Strings of a word or more
  // go eight bytes at a time, the last word overlapping the one before; strings of 4 to 7 bytes
  // (most member names) as two overlapping halves checked as one word; shorter ones byte by
  // byte. Inlined into its two callers: it runs for every name and string, and the call cost
  // as much as copying a short one.
  [[gnu::always_inline]] bool copyPlain(std::string_view text, char* to) {
    const char* from = text.data();
    std::size_t size = text.size();
    std::size_t index = 0;
    if (size >= sizeof(std::uint64_t)) {
      std::uint64_t word;
      for (; index + sizeof(word) <= size; index += sizeof(word)) {
        std::memcpy(&word, from + index, sizeof(word));
        if (wordNeedsEscape(word)) {
          return escapeFrom(text, index);
        }
        std::memcpy(to + index, &word, sizeof(word));
      }
      if (index < size) {
        index = size - sizeof(word);
        std::memcpy(&word, from + index, sizeof(word));
        if (wordNeedsEscape(word)) {
          return escapeFrom(text, index);
        }
        std::memcpy(to + index, &word, sizeof(word));
      }
      return true;
    }
    if (size >= sizeof(std::uint32_t)) {
      std::uint32_t head;
      std::uint32_t tail;
      std::memcpy(&head, from, sizeof(head));
      std::memcpy(&tail, from + size - sizeof(tail), sizeof(tail));
      if (wordNeedsEscape(head | (std::uint64_t{tail} << 32))) {
        return escapeFrom(text, 0);
      }
      std::memcpy(to, &head, sizeof(head));
      std::memcpy(to + size - sizeof(tail), &tail, sizeof(tail));
      return true;
    }
    for (; index < size; ++index) {
      if (kNeedsEscape[static_cast<unsigned char>(from[index])]) {
        return escapeFrom(text, 0);
      }
      to[index] = from[index];
    }
    return true;
  }

  // The slow path of copyPlain(): `text` from `start` on (everything before it is plain) after
  // the opening quote already written.
  bool escapeFrom(std::string_view text, std::size_t start) {
    used_ += 1;
    put(text.substr(0, start));
    putEscapedRest(text.substr(start));
    return false;
  }

  // The rest of a string from a byte that needs escaping, and the closing quote.
  void putEscapedRest(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char byte : text) {
      auto c = static_cast<unsigned char>(byte);
      if (!kNeedsEscape[c]) {
        put(byte);
        continue;
      }
      switch (c) {
        case '"':
          put("\\\"");
          break;
        case '\\':
          put("\\\\");
          break;
        case '\n':
          put("\\n");
          break;
        case '\r':
          put("\\r");
          break;
        case '\t':
          put("\\t");
          break;
        case '\b':
          put("\\b");
          break;
        case '\f':
          put("\\f");
          break;
        default: {
          const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0x0F]};
          put(std::string_view(escape, sizeof(escape)));
          break;
        }
      }
    }
    put('"');
  }

  std::string& out_;
  std::size_t used_;
};

// Strings, numbers, booleans and null, which are most values; false for a container.
bool writeScalar(const JsonValue& value, Sink& sink) {
  switch (value.type()) {
    case JsonType::Null:
      sink.put("null");
      return true;
    case JsonType::Bool:
      sink.put(value.boolean() ? "true" : "false");
      return true;
    case JsonType::Number:
      sink.put(value.text());
      return true;
    case JsonType::String:
      sink.putString(value.text());
      return true;
    case JsonType::Array:
    case JsonType::Object:
      break;
  }
  return false;
}

void writeValue(const JsonValue& value, Sink& sink, bool pretty, std::size_t depth);

// An item of a container. Strings, the most common item, are written right here; containers
// recurse.
inline void writeItem(const JsonValue& item, Sink& sink, bool pretty, std::size_t depth) {
  if (item.isString()) {
    sink.putString(item.text());
  } else if (!writeScalar(item, sink)) {
    writeValue(item, sink, pretty, depth);
  }
}

void writeValue(const JsonValue& value, Sink& sink, bool pretty, std::size_t depth) {
  if (value.isArray()) {
    const auto& elements = value.elements();
    sink.put('[');
    for (std::size_t i = 0; i < elements.size(); ++i) {
      if (i != 0) {
        sink.put(',');
      }
      if (pretty) {
        sink.putIndent(depth + 1);
      }
      writeItem(elements[i], sink, pretty, depth + 1);
    }
    if (pretty && !elements.empty()) {
      sink.putIndent(depth);
    }
    sink.put(']');
  } else if (value.isObject()) {
    const auto& members = value.members();
    sink.put('{');
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i != 0) {
        sink.put(',');
      }
      if (pretty) {
        sink.putIndent(depth + 1);
      }
      sink.putName(members[i].first, pretty);
      writeItem(members[i].second, sink, pretty, depth + 1);
    }
    if (pretty && !members.empty()) {
      sink.putIndent(depth);
    }
    sink.put('}');
  } else {
    writeScalar(value, sink);
  }
}

// Documents written and dropped one after another (a route's every message) are written into
// a buffer each thread keeps, and copied out once at their final size: growing a new string
// from nothing would allocate, copy and zero-fill it about once per doubling. A thread keeps
// no more than this many bytes of it.
constexpr std::size_t kMaxKeptBuffer = 1024 * 1024;

}  // namespace

std::string writeJson(const JsonValue& value, bool pretty) {
  thread_local std::string buffer;
  Sink sink(buffer, 0);
  writeValue(value, sink, pretty, 0);
  std::string out(buffer.data(), sink.used());
  if (buffer.size() > kMaxKeptBuffer) {
    std::string().swap(buffer);
  }
  return out;
}

void appendJson(const JsonValue& value, std::string& out, bool pretty) {
  Sink sink(out, out.size());
  writeValue(value, sink, pretty, 0);
  out.resize(sink.used());
}

}  // namespace ferry::engine::fhir
