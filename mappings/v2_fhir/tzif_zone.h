#pragma once

// A time zone's history as read from a TZif file (RFC 8536): the UTC offset in force at any
// instant and the changes of offset.
//
// Versions 1 to 4 are read. From version 2 on, the 64-bit data block and the footer TZ string
// are used: the footer (see posix_tz_rule.h) gives the offsets after the last listed
// transition, so "slim" files and dates past the end of "fat" files (2037) are both right. A
// version 1 file has no footer: its last offset is taken to hold for ever. Files with leap
// second records ("right/" zones) are refused: their transition times are not POSIX times.
//
// Every count is checked against the bytes present before anything is allocated, so a
// truncated or hostile file gives an error, never a crash or a large allocation.
//
// A parsed zone is immutable; its const methods may be called from any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "mappings/v2_fhir/posix_tz_rule.h"

namespace ferry::mappings::v2fhir {

class TzifZone {
 public:
  // Real TZif files are a few kilobytes; anything bigger than this is refused unread.
  static constexpr std::size_t kMaxFileSize = 1 << 20;

  // UTC offsets outside this range (seconds) are refused, as RFC 8536 section 3.2 advises;
  // no zone has ever been 26 hours away from UTC.
  static constexpr std::int32_t kMinOffset = -89999;
  static constexpr std::int32_t kMaxOffset = 93599;

  // Parses a whole file. Errors are ConfigError with the reason ("not a TZif file", "truncated
  // TZif file", ...); the caller adds which zone and file it was.
  static engine::Result<TzifZone> parse(std::string_view bytes);

  // Seconds east of UTC in force at `utc` (seconds since 1970-01-01T00:00:00Z). |utc| must
  // not exceed PosixTzRule::kMaxSeconds.
  std::int32_t offsetAt(std::int64_t utc) const;

  // The first listed or rule-made transition strictly after `utc`, or std::nullopt when the
  // offset never changes again. A listed transition may keep the offset unchanged (it changes
  // only the abbreviation). Same range as offsetAt().
  std::optional<ZoneTransition> nextTransitionAfter(std::int64_t utc) const;

 private:
  TzifZone() = default;

  // Ascending by `at`, strictly.
  std::vector<ZoneTransition> transitions_;
  // Local time type 0, which RFC 8536 applies before the first transition.
  std::int32_t initial_offset_ = 0;
  std::optional<PosixTzRule> footer_;
};

}  // namespace ferry::mappings::v2fhir
