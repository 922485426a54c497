#include "engine/pipeline/ingest_tally.h"

#include <Poco/Logger.h>

namespace ferry::engine::pipeline {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("engine.ingest"); }

}  // namespace

IngestTally::IngestTally(std::chrono::seconds interval) : interval_(interval) {}

void IngestTally::note(const std::string& source, bool accepted) {
  std::map<std::string, Counts> due;
  Clock::duration period{};
  {
    std::lock_guard lock(mutex_);
    Counts& counts = counts_[source];
    ++(accepted ? counts.accepted : counts.rejected);
    Clock::time_point now = Clock::now();
    if (now - since_ < interval_) {
      return;
    }
    period = now - since_;
    since_ = now;
    due.swap(counts_);
  }
  log(due, period);
}

void IngestTally::flush() {
  std::map<std::string, Counts> due;
  Clock::duration period{};
  {
    std::lock_guard lock(mutex_);
    Clock::time_point now = Clock::now();
    period = now - since_;
    since_ = now;
    due.swap(counts_);
  }
  log(due, period);
}

void IngestTally::log(const std::map<std::string, Counts>& counts, Clock::duration period) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(period).count();
  for (const auto& [source, tally] : counts) {
    logger().information("source '%s': %Lu message(s) accepted, %Lu rejected in the last %Ld s",
                         source, static_cast<Poco::UInt64>(tally.accepted),
                         static_cast<Poco::UInt64>(tally.rejected),
                         static_cast<Poco::Int64>(seconds));
  }
}

}  // namespace ferry::engine::pipeline
