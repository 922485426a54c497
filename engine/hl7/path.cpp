#include "engine/hl7/path.h"

#include <string>

namespace ferry::engine::hl7 {

namespace {

constexpr std::size_t kMaxPathNumber = 999999;
constexpr std::size_t kMaxQuotedPath = 64;

bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

class PathReader {
 public:
  explicit PathReader(std::string_view text) : text_(text) {}

  bool atEnd() const { return pos_ == text_.size(); }
  bool consume(char c) {
    if (!atEnd() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // A positive decimal number; 0 when there is none or it is out of range.
  std::size_t number() {
    std::size_t value = 0;
    std::size_t digits = 0;
    while (!atEnd() && isDigit(text_[pos_])) {
      value = value * 10 + static_cast<std::size_t>(text_[pos_] - '0');
      ++pos_;
      if (++digits > 6) {
        return 0;
      }
    }
    return value <= kMaxPathNumber ? value : 0;
  }
  // "[n]" or "[*]" when present; `fallback` when absent; 0 when malformed.
  std::size_t repetition(std::size_t fallback) {
    if (!consume('[')) {
      return fallback;
    }
    std::size_t value = consume('*') ? kEveryRepetition : number();
    if (!consume(']')) {
      return 0;
    }
    return value;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

Status malformed(std::string_view text, std::string_view rule) {
  std::string quoted(text.substr(0, kMaxQuotedPath));
  if (text.size() > kMaxQuotedPath) {
    quoted += "...";
  }
  return Status(ErrorCode::ConfigError, "path '" + quoted + "' is malformed: " + std::string(rule));
}

}  // namespace

Result<Path> parsePath(std::string_view text) {
  if (text.size() < 3 || !isUpper(text[0]) || !(isUpper(text[1]) || isDigit(text[1])) ||
      !(isUpper(text[2]) || isDigit(text[2]))) {
    return malformed(text, "expected a segment id of three upper-case letters or digits");
  }
  Path path;
  path.segment = std::string(text.substr(0, 3));
  PathReader reader(text.substr(3));

  path.segment_repetition = reader.repetition(1);
  if (path.segment_repetition == 0) {
    return malformed(text, "segment repetition must be [n] with n >= 1, or [*]");
  }
  if (!reader.consume('-')) {
    return malformed(text, "expected '-' and a field number after the segment");
  }
  path.field = reader.number();
  if (path.field == 0) {
    return malformed(text, "field number must be 1 or more");
  }
  path.repetition = reader.repetition(1);
  if (path.repetition == 0) {
    return malformed(text, "field repetition must be [n] with n >= 1, or [*]");
  }
  if (reader.consume('.')) {
    path.component = reader.number();
    if (path.component == 0) {
      return malformed(text, "component number must be 1 or more");
    }
    if (reader.consume('.')) {
      path.subcomponent = reader.number();
      if (path.subcomponent == 0) {
        return malformed(text, "subcomponent number must be 1 or more");
      }
    }
  }
  if (!reader.atEnd()) {
    return malformed(text, "unexpected characters after the path");
  }
  return path;
}

std::string formatPath(const Path& path) {
  auto repetition = [](std::size_t value) -> std::string {
    if (value == kEveryRepetition) {
      return "[*]";
    }
    if (value == 1) {
      return std::string();
    }
    // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, falsely) on "[" + to_string.
    std::string text = "[";
    text += std::to_string(value);
    text += ']';
    return text;
  };
  std::string text = path.segment + repetition(path.segment_repetition) + "-" +
                     std::to_string(path.field) + repetition(path.repetition);
  if (path.component > 0) {
    text += "." + std::to_string(path.component);
    if (path.subcomponent > 0) {
      text += "." + std::to_string(path.subcomponent);
    }
  }
  return text;
}

}  // namespace ferry::engine::hl7
