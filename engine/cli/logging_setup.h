#pragma once

// Routes every Poco::Logger to standard error or a file, one line per event with UTC time,
// level and component. Log text never carries payloads (see STYLE.md, Logging).

#include <string>

namespace ferry::engine::cli {

// Log lines are written by a background thread (Poco::AsyncChannel) so that the per-message
// summary line costs the ingest path only a queue push. Call flushLogging() before exiting.
void setUpLogging(const std::string& level, const std::string& file);
// Writes every queued line and stops the logging thread.
void flushLogging();

}  // namespace ferry::engine::cli
