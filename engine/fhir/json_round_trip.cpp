#include "engine/fhir/json_round_trip.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include <rapidjson/encodings.h>

namespace ferry::engine::fhir {
namespace {

// A plain decimal has at most this many digits before the point. RapidJSON refuses an integer
// part only once its value passes DBL_MAX / 10 (about 308 digits), so 300 always reads.
constexpr std::size_t kMaxIntegerDigits = 300;

// Objects with more members than this are checked for repeated names by sorting.
constexpr std::size_t kLinearDuplicateCheck = 16;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// -?(0|[1-9][0-9]*)(\.[0-9]+)? : the JSON number grammar without an exponent.
bool isPlainDecimal(std::string_view text) {
  std::size_t at = text.substr(0, 1) == "-" ? 1 : 0;
  std::size_t start = at;
  while (at < text.size() && isDigit(text[at])) {
    ++at;
  }
  std::size_t digits = at - start;
  if (digits == 0 || digits > kMaxIntegerDigits || (text[start] == '0' && digits > 1)) {
    return false;
  }
  if (at < text.size() && text[at] == '.') {
    std::size_t fraction = ++at;
    while (at < text.size() && isDigit(text[at])) {
      ++at;
    }
    if (at == fraction) {
      return false;
    }
  }
  return at == text.size();
}

// The byte streams RapidJSON's UTF-8 validation reads from and copies to. The parser reads
// with kParseValidateEncodingFlag, which runs exactly this validation over every byte of a
// string or member name at 0x80 or above; the writer copies those bytes as they are.
struct ByteInput {
  using Ch = char;
  const char* at;
  const char* end;
  Ch Take() { return at != end ? *at++ : '\0'; }
};

struct NoOutput {
  void Put(char) {}
};

bool isValidUtf8(std::string_view text) {
  ByteInput input{text.data(), text.data() + text.size()};
  NoOutput output;
  while (input.at != input.end) {
    if (static_cast<unsigned char>(*input.at) < 0x80) {
      ++input.at;
    } else if (!rapidjson::UTF8<>::Validate(input, output)) {
      return false;
    }
  }
  return true;
}

// What the parser asks of a string value: not empty, not only whitespace, valid UTF-8. Bytes
// below 0x20, quotes and backslashes are escaped by the writer and decoded back by the parser.
bool isCleanString(std::string_view text) {
  return !text.empty() && !std::all_of(text.begin(), text.end(), isJsonSpace) && isValidUtf8(text);
}

bool hasRepeatedName(const JsonMembers& members) {
  if (members.size() <= kLinearDuplicateCheck) {
    for (std::size_t i = 1; i < members.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (members[i].first == members[j].first) {
          return true;
        }
      }
    }
    return false;
  }
  std::vector<std::string_view> names;
  names.reserve(members.size());
  for (const JsonMember& member : members) {
    names.push_back(member.first);
  }
  std::sort(names.begin(), names.end());
  return std::adjacent_find(names.begin(), names.end()) != names.end();
}

class RoundTripCheck {
 public:
  explicit RoundTripCheck(const JsonLimits& limits) : limits_(limits) {}

  // `open` is the number of containers around `value`, as the parser counts them for its depth
  // limit. Besides the parser's rules, each value must hold only what its type writes (a
  // string with members, say, would lose them on the way out).
  bool check(const JsonValue& value, std::size_t open) {
    if (++nodes_ > limits_.max_nodes) {
      return false;
    }
    bool scalar_shape = value.members().empty() && value.elements().empty();
    switch (value.type()) {
      case JsonType::Null:
      case JsonType::Bool:
        return scalar_shape && value.text().empty();
      case JsonType::Number:
        return scalar_shape && isPlainDecimal(value.text());
      case JsonType::String:
        return scalar_shape && isCleanString(value.text());
      case JsonType::Array:
        return checkArray(value, open);
      case JsonType::Object:
        return checkObject(value, open);
    }
    return false;
  }

 private:
  bool checkArray(const JsonValue& array, std::size_t open) {
    if (open >= limits_.max_depth || array.elements().empty() || !array.members().empty() ||
        !array.text().empty()) {
      return false;
    }
    return std::all_of(array.elements().begin(), array.elements().end(),
                       [&](const JsonValue& element) { return check(element, open + 1); });
  }

  bool checkObject(const JsonValue& object, std::size_t open) {
    const JsonMembers& members = object.members();
    if (open >= limits_.max_depth || members.empty() || !object.elements().empty() ||
        !object.text().empty() || hasRepeatedName(members)) {
      return false;
    }
    return std::all_of(members.begin(), members.end(), [&](const JsonMember& member) {
      return !member.second.isNull() && isValidUtf8(member.first) && check(member.second, open + 1);
    });
  }

  const JsonLimits& limits_;
  std::size_t nodes_ = 0;
};

}  // namespace

bool readsBackUnchanged(const JsonValue& tree, std::size_t written_size, const JsonLimits& limits) {
  // Offsets in a parsed tree are 32 bits wide; the parser refuses larger text.
  if (written_size > limits.max_bytes || written_size > std::numeric_limits<std::uint32_t>::max()) {
    return false;
  }
  RoundTripCheck check(limits);
  return check.check(tree, 0);
}

}  // namespace ferry::engine::fhir
