#include "engine/hl7/text_codec.h"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <string>

namespace ferry::engine::hl7::detail {

namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (upper(a[i]) != upper(b[i])) {
      return false;
    }
  }
  return true;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

// Decodes "Xhhhh" (the text between the escape characters) into bytes; false when it is not
// an even, non-empty run of hex digits.
bool appendHexEscape(std::string& out, std::string_view sequence) {
  std::string_view hex = sequence.substr(1);
  if (hex.empty() || hex.size() % 2 != 0) {
    return false;
  }
  for (char c : hex) {
    if (hexValue(c) < 0) {
      return false;
    }
  }
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(hexValue(hex[i]) * 16 + hexValue(hex[i + 1])));
  }
  return true;
}

bool isAscii(std::string_view bytes) {
  for (char c : bytes) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}

// An iconv conversion descriptor, closed on scope exit.
class IconvHandle {
 public:
  IconvHandle(const char* to, const char* from) : handle_(iconv_open(to, from)) {}
  ~IconvHandle() {
    if (valid()) {
      iconv_close(handle_);
    }
  }
  IconvHandle(const IconvHandle&) = delete;
  IconvHandle& operator=(const IconvHandle&) = delete;

  bool valid() const {
    return handle_ != reinterpret_cast<iconv_t>(static_cast<std::intptr_t>(-1));
  }

  // Converts all of `input`; false on any conversion failure.
  bool convert(std::string_view input, std::string& out) {
    std::array<char, 512> buffer{};
    char* in = const_cast<char*>(input.data());  // iconv's signature; it does not write input
    std::size_t in_left = input.size();
    while (in_left > 0) {
      char* out_ptr = buffer.data();
      std::size_t out_left = buffer.size();
      std::size_t result = iconv(handle_, &in, &in_left, &out_ptr, &out_left);
      out.append(buffer.data(), buffer.size() - out_left);
      if (result == static_cast<std::size_t>(-1) && errno != E2BIG) {
        return false;
      }
    }
    return true;
  }

 private:
  iconv_t handle_;
};

void appendCodePoint(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

bool isDelimiterChar(char c) { return c > ' ' && c < 0x7F && !isAsciiDigit(c) && !isAsciiAlpha(c); }

CharsetInfo classifyCharset(std::string_view msh18) {
  while (!msh18.empty() && msh18.front() == ' ') {
    msh18.remove_prefix(1);
  }
  while (!msh18.empty() && msh18.back() == ' ') {
    msh18.remove_suffix(1);
  }
  if (msh18.empty() || equalsIgnoreCase(msh18, "ASCII") || equalsIgnoreCase(msh18, "ISO IR6") ||
      equalsIgnoreCase(msh18, "UNICODE")) {
    return {CharsetKind::Lenient, nullptr};
  }
  if (equalsIgnoreCase(msh18, "UNICODE UTF-8") || equalsIgnoreCase(msh18, "UTF-8") ||
      equalsIgnoreCase(msh18, "UTF8")) {
    return {CharsetKind::Utf8, nullptr};
  }
  if (equalsIgnoreCase(msh18, "8859/1") || equalsIgnoreCase(msh18, "ISO-8859-1")) {
    return {CharsetKind::Latin1, nullptr};
  }
  struct Part {
    std::string_view hl7;
    std::string_view iso;
    const char* iconv;
  };
  static constexpr std::array<Part, 9> kParts = {{
      {"8859/2", "ISO-8859-2", "ISO-8859-2"},
      {"8859/3", "ISO-8859-3", "ISO-8859-3"},
      {"8859/4", "ISO-8859-4", "ISO-8859-4"},
      {"8859/5", "ISO-8859-5", "ISO-8859-5"},
      {"8859/6", "ISO-8859-6", "ISO-8859-6"},
      {"8859/7", "ISO-8859-7", "ISO-8859-7"},
      {"8859/8", "ISO-8859-8", "ISO-8859-8"},
      {"8859/9", "ISO-8859-9", "ISO-8859-9"},
      {"8859/15", "ISO-8859-15", "ISO-8859-15"},
  }};
  for (const Part& part : kParts) {
    if (equalsIgnoreCase(msh18, part.hl7) || equalsIgnoreCase(msh18, part.iso)) {
      return {CharsetKind::SingleByte, part.iconv};
    }
  }
  return {CharsetKind::Unsupported, nullptr};
}

std::size_t utf8SequenceLength(std::string_view text, std::size_t pos) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const std::size_t left = text.size() - pos;
  const unsigned char lead = byte(pos);
  std::size_t length = 0;
  unsigned char min_second = 0x80;
  unsigned char max_second = 0xBF;
  if (lead < 0x80) {
    return 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) {
      min_second = 0xA0;  // overlong
    } else if (lead == 0xED) {
      max_second = 0x9F;  // UTF-16 surrogates
    }
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) {
      min_second = 0x90;  // overlong
    } else if (lead == 0xF4) {
      max_second = 0x8F;  // above U+10FFFF
    }
  } else {
    return 0;
  }
  if (left < length || byte(pos + 1) < min_second || byte(pos + 1) > max_second) {
    return 0;
  }
  for (std::size_t i = 2; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) {
      return 0;
    }
  }
  return length;
}

bool isValidUtf8(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t length = utf8SequenceLength(text, pos);
    if (length == 0) {
      return false;
    }
    pos += length;
  }
  return true;
}

void appendUnescaped(std::string& out, std::string_view raw, const DelimiterSet& delimiters) {
  if (delimiters.escape < 0) {
    out.append(raw);
    return;
  }
  const char escape = static_cast<char>(delimiters.escape);
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t open = raw.find(escape, pos);
    if (open == std::string_view::npos) {
      out.append(raw.substr(pos));
      return;
    }
    out.append(raw.substr(pos, open - pos));
    std::size_t close = raw.find(escape, open + 1);
    if (close == std::string_view::npos) {
      // An escape character without its closing partner is text, as senders that never
      // escape (Windows paths, "\r" typed into free text) expect.
      out.append(raw.substr(open));
      return;
    }
    std::string_view sequence = raw.substr(open + 1, close - open - 1);
    int replacement = -1;
    if (sequence.size() == 1) {
      switch (sequence[0]) {
        case 'F':
          replacement = static_cast<unsigned char>(delimiters.field);
          break;
        case 'S':
          replacement = delimiters.component;
          break;
        case 'T':
          replacement = delimiters.subcomponent;
          break;
        case 'R':
          replacement = delimiters.repetition;
          break;
        case 'E':
          replacement = delimiters.escape;
          break;
        case 'P':
          replacement = delimiters.truncation;
          break;
        default:
          break;
      }
    }
    if (replacement >= 0) {
      out.push_back(static_cast<char>(replacement));
    } else if (sequence.empty() || sequence[0] != 'X' || !appendHexEscape(out, sequence)) {
      out.append(raw.substr(open, close - open + 1));
    }
    pos = close + 1;
  }
}

bool appendEscaped(std::string& out, std::string_view text, const DelimiterSet& delimiters) {
  auto special = [&](char c) -> const char* {
    if (c == delimiters.field) {
      return "F";
    }
    if (DelimiterSet::matches(delimiters.component, c)) {
      return "S";
    }
    if (DelimiterSet::matches(delimiters.subcomponent, c)) {
      return "T";
    }
    if (DelimiterSet::matches(delimiters.repetition, c)) {
      return "R";
    }
    if (DelimiterSet::matches(delimiters.escape, c)) {
      return "E";
    }
    if (DelimiterSet::matches(delimiters.truncation, c)) {
      return "P";
    }
    if (c == '\r') {
      return "X0D";
    }
    if (c == '\n') {
      return "X0A";
    }
    return nullptr;
  };

  bool needs_escape = false;
  for (char c : text) {
    if (special(c) != nullptr) {
      needs_escape = true;
      break;
    }
  }
  if (!needs_escape) {
    out.append(text);
    return true;
  }
  if (delimiters.escape < 0) {
    return false;
  }
  const char escape = static_cast<char>(delimiters.escape);
  for (char c : text) {
    const char* name = special(c);
    if (name == nullptr) {
      out.push_back(c);
      continue;
    }
    out.push_back(escape);
    out.append(name);
    out.push_back(escape);
  }
  return true;
}

Status appendUtf8(std::string& out, std::string_view bytes, TextEncoding encoding,
                  const char* iconv_name) {
  switch (encoding) {
    case TextEncoding::Utf8: {
      std::size_t pos = 0;
      while (pos < bytes.size()) {
        std::size_t length = utf8SequenceLength(bytes, pos);
        if (length == 0) {
          out.append(kReplacementCharacter);
          ++pos;
        } else {
          out.append(bytes.substr(pos, length));
          pos += length;
        }
      }
      return Status::ok();
    }
    case TextEncoding::Latin1:
      for (char c : bytes) {
        appendCodePoint(out, static_cast<unsigned char>(c));
      }
      return Status::ok();
    case TextEncoding::SingleByte: {
      if (isAscii(bytes)) {
        out.append(bytes);
        return Status::ok();
      }
      IconvHandle converter("UTF-8", iconv_name);
      if (!converter.valid() || !converter.convert(bytes, out)) {
        return Status(ErrorCode::Unsupported, "character set of MSH-18 could not be decoded");
      }
      return Status::ok();
    }
    case TextEncoding::Unsupported:
      // ISO 2022 sets switch with ESC; anything 8-bit needs the real decoder.
      if (isAscii(bytes) && bytes.find('\x1B') == std::string_view::npos) {
        out.append(bytes);
        return Status::ok();
      }
      return Status(ErrorCode::Unsupported,
                    "character set named in MSH-18 is not supported for non-ASCII text");
  }
  return Status(ErrorCode::Internal, "unknown text encoding");
}

Status appendFromUtf8(std::string& out, std::string_view text, TextEncoding encoding,
                      const char* iconv_name) {
  if (!isValidUtf8(text)) {
    return Status(ErrorCode::InvalidMessage, "value is not valid UTF-8");
  }
  if (isAscii(text)) {
    out.append(text);
    return Status::ok();
  }
  switch (encoding) {
    case TextEncoding::Utf8:
      out.append(text);
      return Status::ok();
    case TextEncoding::Latin1: {
      std::size_t pos = 0;
      while (pos < text.size()) {
        std::size_t length = utf8SequenceLength(text, pos);
        auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
        if (length == 1) {
          out.push_back(text[pos]);
        } else if (length == 2 && byte(0) <= 0xC3) {
          out.push_back(static_cast<char>(((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F)));
        } else {
          return Status(ErrorCode::InvalidMessage,
                        "value holds characters that ISO-8859-1 (MSH-18) cannot represent");
        }
        pos += length;
      }
      return Status::ok();
    }
    case TextEncoding::SingleByte: {
      IconvHandle converter(iconv_name, "UTF-8");
      std::string converted;
      if (!converter.valid() || !converter.convert(text, converted)) {
        return Status(ErrorCode::InvalidMessage,
                      "value holds characters that the MSH-18 character set cannot represent");
      }
      out.append(converted);
      return Status::ok();
    }
    case TextEncoding::Unsupported:
      return Status(ErrorCode::Unsupported,
                    "character set named in MSH-18 is not supported for non-ASCII text");
  }
  return Status(ErrorCode::Internal, "unknown text encoding");
}

}  // namespace ferry::engine::hl7::detail
