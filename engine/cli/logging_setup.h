#pragma once

// Routes every Poco::Logger to standard error or a file, one line per event with UTC time,
// level and component. Log text never carries payloads (see STYLE.md, Logging).

#include <string>

namespace ferry::engine::cli {

void setUpLogging(const std::string& level, const std::string& file);

}  // namespace ferry::engine::cli
