#pragma once

// Counts what each source took in and writes one summary line per source to the log now and
// then, instead of a line per message at information level: on a busy feed the per-message
// line cost about a tenth of the engine's CPU (bench/mllp_ingest_bench --log-level). The line
// per message is still there at debug level; rejections are logged one by one as warnings;
// the audit trail records every hop regardless.
//
// Thread-safety: note() and flush() from any thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace ferry::engine::pipeline {

class IngestTally {
 public:
  using Clock = std::chrono::steady_clock;

  explicit IngestTally(std::chrono::seconds interval = kDefaultInterval);

  // Counts one message of `source`; logs the summary when `interval` has passed since the last.
  void note(const std::string& source, bool accepted);
  // Logs what was counted since the last summary (at shutdown).
  void flush();

  static constexpr std::chrono::seconds kDefaultInterval{60};

 private:
  struct Counts {
    std::uint64_t accepted = 0;
    std::uint64_t rejected = 0;
  };
  // Takes the counts and logs them; called without the mutex held.
  static void log(const std::map<std::string, Counts>& counts, Clock::duration period);

  const std::chrono::seconds interval_;
  std::mutex mutex_;
  std::map<std::string, Counts> counts_;
  Clock::time_point since_ = Clock::now();
};

}  // namespace ferry::engine::pipeline
