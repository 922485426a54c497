#pragma once

// Text a sender controls (a control id, a message type) made safe for a log line or an audit
// detail: printable ASCII only, other bytes shown as '?', cut to `max` characters. Without
// this a sender could forge log lines with a line break or colour a terminal with escapes.

#include <cstddef>
#include <string>
#include <string_view>

namespace ferry::engine {

inline std::string logSafe(std::string_view text, std::size_t max = 64) {
  std::string safe;
  for (char c : text.substr(0, max)) {
    auto byte = static_cast<unsigned char>(c);
    safe.push_back(byte >= 0x20 && byte < 0x7f ? c : '?');
  }
  if (text.size() > max) {
    safe += "...";
  }
  return safe;
}

}  // namespace ferry::engine
