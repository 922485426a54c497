#pragma once

// ASCII digits in message text: HL7 numbers, dates and offsets are ASCII whatever the charset,
// and std::isdigit would consult the C locale for every byte.

#include <string_view>

namespace ferry::engine::text {

inline bool isDigit(char c) { return c >= '0' && c <= '9'; }

// True for a non-empty run of ASCII digits.
inline bool allDigits(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (!isDigit(c)) {
      return false;
    }
  }
  return true;
}

// The value of a run of digits the caller has checked (and kept short enough for an int).
inline int digitsValue(std::string_view digits) {
  int value = 0;
  for (char c : digits) {
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace ferry::engine::text
