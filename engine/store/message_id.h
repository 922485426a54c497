#pragma once

// Engine message ids. An id is 26 characters of Crockford base32 (digits and upper-case letters
// without I, L, O and U), laid out like a ULID: the first 10 characters encode the creation time
// in milliseconds since the Unix epoch (48 bits), the last 16 an 80-bit value that is drawn at
// random when the millisecond changes and incremented by one for every further id within it.
//
// So ids sort as strings in creation order (millisecond first), and one generator hands out
// strictly increasing ids even when the clock steps back (it keeps counting on from the last
// timestamp until the clock catches up). Ids from different processes or restarts differ with
// overwhelming probability: they share at most the millisecond, and 80 random bits then decide.
//
// Thread-safety: MessageIdGenerator::next() may be called from any number of threads.

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace ferry::engine::store {

class MessageIdGenerator {
 public:
  static constexpr std::size_t kLength = 26;

  // Milliseconds since the Unix epoch, UTC.
  using Clock = std::function<std::int64_t()>;

  // Uses the system clock.
  MessageIdGenerator();
  // Uses `clock` (tests inject one to control time).
  explicit MessageIdGenerator(Clock clock);

  // A new id, greater than every id this generator returned before. Never fails: should the
  // random generator fail, the 80-bit part is incremented instead of redrawn, which keeps ids
  // unique and ordered within the process.
  std::string next();

 private:
  Clock clock_;
  std::mutex mutex_;
  std::int64_t last_ms_ = -1;
  // The 80-bit part as 16 high and 64 low bits.
  std::uint16_t random_high_ = 0;
  std::uint64_t random_low_ = 0;
};

// True when `id` has the length and alphabet of a message id (upper-case only, as generated).
bool isWellFormedMessageId(std::string_view id);

// The creation time encoded in a well-formed id, in milliseconds since the epoch.
std::int64_t messageIdTimestampMs(std::string_view id);

}  // namespace ferry::engine::store
