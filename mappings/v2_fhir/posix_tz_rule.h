#pragma once

// The POSIX TZ string in the footer of a TZif file (RFC 8536 section 3.3): the rule a zone
// follows after its last listed transition, e.g. "EST5EDT,M3.2.0,M11.1.0" or "<+0530>-5:30".
//
// Supported forms:
// - names: alphabetic ("EST") or quoted ("<+0530>", "<-03>"), at least three characters;
// - offsets "[+-]hh[:mm[:ss]]", hours 0-24; POSIX counts west of Greenwich as positive, so
//   "EST5" is five hours behind UTC; a daylight offset left out is one hour ahead of standard;
// - with a daylight name, the start and end dates: "Mm.w.d" (weekday d, 0 = Sunday, of week w
//   of month m, week 5 meaning the last), "Jn" (day 1-365, February 29 never counted) or "n"
//   (day 0-365, February 29 counted), each with an optional "/time" "[+-]hhh[:mm[:ss]]" of
//   -167 to 167 hours (RFC 8536 section 3.3.1), in local time before the change, default 02:00.
// A daylight name without dates is refused: POSIX leaves those dates to the implementation.
// Offsets always stay below 26 hours (kMaxOffset in tzif_zone.h). Daylight time that ends at
// the instant it starts again, as in "EST5EDT,0/0,J365/25", lasts all year (RFC 8536 3.3.1).
//
// A parsed rule is immutable; its const methods may be called from any thread.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/status.h"

namespace ferry::mappings::v2fhir {

// A change of UTC offset: from `at` (seconds since 1970-01-01T00:00:00Z) the offset is
// `offset` seconds east of UTC.
struct ZoneTransition {
  std::int64_t at = 0;
  std::int32_t offset = 0;
};

class PosixTzRule {
 public:
  // Parses a whole TZ string. Errors are ConfigError naming the string and what is wrong.
  static engine::Result<PosixTzRule> parse(std::string_view text);

  // Seconds east of UTC in force at `utc`. The calendar arithmetic is exact, without
  // overflow, for |utc| up to kMaxSeconds; callers clamp to that range.
  std::int32_t offsetAt(std::int64_t utc) const;

  // The first change of offset strictly after `utc`; std::nullopt when the offset never
  // changes (no daylight time, or daylight time all year). Same range as offsetAt().
  std::optional<ZoneTransition> nextTransitionAfter(std::int64_t utc) const;

  // About 31,000 years either side of 1970.
  static constexpr std::int64_t kMaxSeconds = 1'000'000'000'000;

  // The day of the year a change happens on, and the local time of day (seconds, possibly
  // negative or past 24 hours) at which it happens.
  struct DateRule {
    enum class Kind { MonthWeekDay, JulianNoLeap, ZeroBasedDay };
    Kind kind = Kind::MonthWeekDay;
    int month = 0;    // 1-12, MonthWeekDay only
    int week = 0;     // 1-5, MonthWeekDay only; 5 is the last such weekday of the month
    int day = 0;      // weekday 0-6 for MonthWeekDay, else the day number
    int time = 7200;  // seconds after local midnight, in the offset in force before the change
  };

 private:
  PosixTzRule() = default;

  // Changes in the UTC years around `utc`, sorted by instant; coinciding instants are merged
  // so that the later rule wins (daylight time all year ends and restarts at one instant).
  // Changes from `complete_until` on may lack the partner they would merge with.
  struct Window {
    std::array<ZoneTransition, 12> changes;
    int count = 0;
    std::int64_t complete_until = 0;
  };
  Window changesAround(std::int64_t utc) const;

  std::int32_t std_offset_ = 0;
  std::int32_t dst_offset_ = 0;
  bool has_dst_ = false;
  DateRule start_;
  DateRule end_;
};

}  // namespace ferry::mappings::v2fhir
