#include "engine/store/message_id.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

#include "engine/crypto/digest.h"

namespace ferry::engine::store {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kTimeChars = 10;
constexpr std::int64_t kMaxTimestamp = (std::int64_t{1} << 48) - 1;

std::int64_t systemMillis() {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int alphabetIndex(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) {
      return i;
    }
  }
  return -1;
}

}  // namespace

MessageIdGenerator::MessageIdGenerator() : MessageIdGenerator(&systemMillis) {}

MessageIdGenerator::MessageIdGenerator(Clock clock) : clock_(std::move(clock)) {}

std::string MessageIdGenerator::next() {
  std::int64_t timestamp = 0;
  std::uint16_t high = 0;
  std::uint64_t low = 0;
  {
    std::lock_guard lock(mutex_);
    std::int64_t now = std::clamp<std::int64_t>(clock_(), 0, kMaxTimestamp);
    std::array<std::uint8_t, 10> fresh{};
    if (now > last_ms_ && crypto::randomBytes(fresh.data(), fresh.size())) {
      last_ms_ = now;
      random_high_ = static_cast<std::uint16_t>(fresh[0] << 8 | fresh[1]);
      random_low_ = 0;
      for (std::size_t i = 2; i < fresh.size(); ++i) {
        random_low_ = random_low_ << 8 | fresh[i];
      }
    } else {
      // Same millisecond, a clock that stepped back, or no randomness: count on. Running out of
      // the 80 bits borrows the next millisecond, which keeps the order.
      last_ms_ = std::max(last_ms_, now);
      if (++random_low_ == 0 && ++random_high_ == 0 && last_ms_ < kMaxTimestamp) {
        ++last_ms_;
      }
    }
    timestamp = last_ms_;
    high = random_high_;
    low = random_low_;
  }

  std::string id(kLength, '0');
  auto time_bits = static_cast<std::uint64_t>(timestamp);
  for (std::size_t i = 0; i < kTimeChars; ++i) {
    id[kTimeChars - 1 - i] = kAlphabet[time_bits & 31];
    time_bits >>= 5;
  }
  // 80 bits in 16 characters: the low 64 bits fill the last 12 characters and 4 bits of the
  // 13th; the high 16 bits supply the rest.
  for (std::size_t i = 0; i < 16; ++i) {
    id[kLength - 1 - i] = kAlphabet[low & 31];
    low = (low >> 5) | (static_cast<std::uint64_t>(high & 31) << 59);
    high = static_cast<std::uint16_t>(high >> 5);
  }
  return id;
}

bool isWellFormedMessageId(std::string_view id) {
  if (id.size() != MessageIdGenerator::kLength) {
    return false;
  }
  // 26 characters carry 130 bits; the first holds only the top 3 of the 48-bit time.
  if (alphabetIndex(id[0]) > 7) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) { return alphabetIndex(c) >= 0; });
}

std::int64_t messageIdTimestampMs(std::string_view id) {
  std::int64_t timestamp = 0;
  for (std::size_t i = 0; i < kTimeChars && i < id.size(); ++i) {
    timestamp = timestamp << 5 | std::max(alphabetIndex(id[i]), 0);
  }
  return timestamp;
}

}  // namespace ferry::engine::store
