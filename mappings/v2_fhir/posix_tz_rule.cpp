#include "mappings/v2_fhir/posix_tz_rule.h"
#include "engine/time/civil_days.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

namespace ferry::mappings::v2fhir {
namespace {

using engine::ErrorCode;
using DateRule = PosixTzRule::DateRule;

constexpr std::int64_t kSecondsPerDay = 86400;

std::int64_t floorDiv(std::int64_t value, std::int64_t divisor) {
  std::int64_t quotient = value / divisor;
  return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient;
}

bool isLeapYear(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int daysInMonth(std::int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeapYear(year) ? 29 : kDays[month - 1];
}

using engine::time::daysFromCivil;

// The calendar year holding `days` (days since 1970-01-01): an estimate from the mean year
// length, then corrected by at most a step or two.
std::int64_t yearOfDay(std::int64_t days) {
  std::int64_t year = 1970 + floorDiv(days * 400, 146097);
  while (daysFromCivil(year + 1, 1, 1) <= days) {
    ++year;
  }
  while (daysFromCivil(year, 1, 1) > days) {
    --year;
  }
  return year;
}

// The day (days since 1970-01-01) on which `rule` falls in `year`.
std::int64_t dayOfRule(const DateRule& rule, std::int64_t year) {
  std::int64_t new_year = daysFromCivil(year, 1, 1);
  if (rule.kind == DateRule::Kind::JulianNoLeap) {
    // "Jn" never counts February 29, so J60 is March 1 in every year.
    return new_year + rule.day - 1 + (isLeapYear(year) && rule.day >= 60 ? 1 : 0);
  }
  if (rule.kind == DateRule::Kind::ZeroBasedDay) {
    return new_year + rule.day;
  }
  std::int64_t first = daysFromCivil(year, rule.month, 1);
  int first_weekday = static_cast<int>(first + 4 - floorDiv(first + 4, 7) * 7);  // 0 = Sunday
  std::int64_t day = first + (rule.day - first_weekday + 7) % 7 + 7 * (rule.week - 1);
  while (day >= first + daysInMonth(year, rule.month)) {
    day -= 7;  // week 5 means the last one, which may be the fourth
  }
  return day;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// Reads a TZ string left to right; each method consumes what it recognises.
class TzReader {
 public:
  explicit TzReader(std::string_view text) : text_(text) {}

  bool atEnd() const { return pos_ == text_.size(); }
  std::size_t position() const { return pos_; }

  bool take(char c) {
    if (atEnd() || text_[pos_] != c) {
      return false;
    }
    ++pos_;
    return true;
  }

  // A zone abbreviation, alphabetic or in angle brackets; POSIX wants at least three
  // characters. The abbreviation itself is not needed for offsets.
  bool skipName() {
    if (take('<')) {
      std::size_t start = pos_;
      while (!atEnd() && (isAlpha(text_[pos_]) || isDigit(text_[pos_]) || text_[pos_] == '+' ||
                          text_[pos_] == '-')) {
        ++pos_;
      }
      return pos_ - start >= 3 && take('>');
    }
    std::size_t start = pos_;
    while (!atEnd() && isAlpha(text_[pos_])) {
      ++pos_;
    }
    return pos_ - start >= 3;
  }

  // "[+-]h[hh][:mm[:ss]]" in seconds, with at most `max_hours` hours.
  std::optional<int> duration(int max_hours) {
    int sign = take('-') ? -1 : 1;
    if (sign > 0) {
      take('+');
    }
    int hours = numberIn(max_hours > 99 ? 3 : 2, 0, max_hours);
    if (hours < 0) {
      return std::nullopt;
    }
    int seconds = hours * 3600;
    for (int unit : {60, 1}) {
      if (!take(':')) {
        break;
      }
      int part = numberIn(2, 0, 59);
      if (part < 0) {
        return std::nullopt;
      }
      seconds += part * unit;
    }
    return sign * seconds;
  }

  // "Mm.w.d", "Jn" or "n", then an optional "/time".
  std::optional<DateRule> dateRule() {
    std::optional<DateRule> rule = take('M') ? monthWeekDay() : dayNumber();
    if (rule && take('/')) {
      std::optional<int> time = duration(167);
      if (!time) {
        return std::nullopt;
      }
      rule->time = *time;
    }
    return rule;
  }

 private:
  // Up to `max_digits` decimal digits with a value from `low` (0 or more) to `high`; -1 when
  // there are no digits or the value is out of range.
  int numberIn(int max_digits, int low, int high) {
    int value = 0;
    int count = 0;
    while (count < max_digits && !atEnd() && isDigit(text_[pos_])) {
      value = value * 10 + (text_[pos_++] - '0');
      ++count;
    }
    return count > 0 && value >= low && value <= high ? value : -1;
  }

  std::optional<DateRule> monthWeekDay() {
    DateRule rule;
    rule.month = numberIn(2, 1, 12);
    rule.week = take('.') ? numberIn(1, 1, 5) : -1;
    rule.day = take('.') ? numberIn(1, 0, 6) : -1;
    if (rule.month < 0 || rule.week < 0 || rule.day < 0) {
      return std::nullopt;
    }
    return rule;
  }

  std::optional<DateRule> dayNumber() {
    DateRule rule;
    bool julian = take('J');
    rule.kind = julian ? DateRule::Kind::JulianNoLeap : DateRule::Kind::ZeroBasedDay;
    rule.day = numberIn(3, julian ? 1 : 0, 365);
    if (rule.day < 0) {
      return std::nullopt;
    }
    return rule;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// The rule text for an error message: footers come from files, so control bytes are masked
// and a long one is cut.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) {
    out += (c >= ' ' && c <= '~') ? c : '?';
  }
  return text.size() > 64 ? out + "..." : out;
}

}  // namespace

engine::Result<PosixTzRule> PosixTzRule::parse(std::string_view text) {
  TzReader in(text);
  auto fail = [&](const char* what) {
    std::string context = "TZ rule '" + printable(text) + "': " + what;
    context += " at position " + std::to_string(in.position());
    return engine::Result<PosixTzRule>(ErrorCode::ConfigError, std::move(context));
  };

  // POSIX offsets count hours west of Greenwich; ours count seconds east.
  PosixTzRule rule;
  std::optional<int> std_west = in.skipName() ? in.duration(24) : std::nullopt;
  if (!std_west) {
    return fail("standard time name and offset expected");
  }
  rule.std_offset_ = -*std_west;
  rule.dst_offset_ = rule.std_offset_;
  if (in.atEnd()) {
    return rule;
  }

  if (!in.skipName()) {
    return fail("daylight time name expected");
  }
  rule.has_dst_ = true;
  rule.dst_offset_ = rule.std_offset_ + 3600;
  if (in.atEnd()) {
    return fail("daylight time without start and end dates is not supported");
  }
  if (!in.take(',')) {
    std::optional<int> dst_west = in.duration(24);
    if (!dst_west || !in.take(',')) {
      return fail("daylight time offset and ',' expected");
    }
    rule.dst_offset_ = -*dst_west;
  }

  std::optional<DateRule> start = in.dateRule();
  std::optional<DateRule> end = start && in.take(',') ? in.dateRule() : std::nullopt;
  if (!end || !in.atEnd()) {
    return fail("start and end dates 'Mm.w.d[/time]', 'Jn[/time]' or 'n[/time]' expected");
  }
  rule.start_ = *start;
  rule.end_ = *end;
  return rule;
}

PosixTzRule::Window PosixTzRule::changesAround(std::int64_t utc) const {
  // A change happens at most 167 hours plus an offset (under 26 hours) away from the start
  // of its day, so within 9 days of its year. Two years back and three ahead therefore hold
  // a change before `utc` and every change up to a year after it.
  Window window;
  std::int64_t year = yearOfDay(floorDiv(utc, kSecondsPerDay));
  window.complete_until = (daysFromCivil(year + 3, 1, 1) - 9) * kSecondsPerDay;
  for (std::int64_t y = year - 2; y <= year + 3; ++y) {
    // A rule's time of day is local time in the offset in force before the change.
    window.changes[window.count++] = {
        dayOfRule(start_, y) * kSecondsPerDay + start_.time - std_offset_, dst_offset_};
    window.changes[window.count++] = {dayOfRule(end_, y) * kSecondsPerDay + end_.time - dst_offset_,
                                      std_offset_};
  }

  auto first = window.changes.begin();
  auto last = first + window.count;
  std::stable_sort(first, last,
                   [](const ZoneTransition& a, const ZoneTransition& b) { return a.at < b.at; });
  int kept = 0;
  for (auto it = first; it != last; ++it) {
    if (kept > 0 && window.changes[kept - 1].at == it->at) {
      window.changes[kept - 1] = *it;
    } else {
      window.changes[kept++] = *it;
    }
  }
  window.count = kept;
  return window;
}

std::int32_t PosixTzRule::offsetAt(std::int64_t utc) const {
  if (!has_dst_) {
    return std_offset_;
  }
  Window window = changesAround(utc);
  std::int32_t offset = std_offset_;
  for (int i = 0; i < window.count && window.changes[i].at <= utc; ++i) {
    offset = window.changes[i].offset;
  }
  return offset;
}

std::optional<ZoneTransition> PosixTzRule::nextTransitionAfter(std::int64_t utc) const {
  if (!has_dst_) {
    return std::nullopt;
  }
  Window window = changesAround(utc);
  std::int32_t current = std_offset_;
  for (int i = 0; i < window.count && window.changes[i].at < window.complete_until; ++i) {
    const ZoneTransition& change = window.changes[i];
    if (change.at > utc && change.offset != current) {
      return change;
    }
    current = change.offset;
  }
  return std::nullopt;
}

}  // namespace ferry::mappings::v2fhir
