#include "mappings/v2_fhir/posix_tz_rule.h"

#include <chrono>
#include <string>

#include <boost/test/unit_test.hpp>

namespace ferry::mappings::v2fhir {
namespace {

// Seconds since the Unix epoch of a UTC date and time.
std::int64_t utc(int year, unsigned month, unsigned day, int hours = 0, int minutes = 0) {
  std::chrono::sys_days date = std::chrono::year_month_day(
      std::chrono::year(year), std::chrono::month(month), std::chrono::day(day));
  return std::int64_t{date.time_since_epoch().count()} * 86400 + hours * 3600 + minutes * 60;
}

PosixTzRule parsed(const std::string& text) {
  engine::Result<PosixTzRule> rule = PosixTzRule::parse(text);
  BOOST_REQUIRE_MESSAGE(rule.isOk(), rule.status().toString());
  return rule.value();
}

// The two changes of `year`, as [instant, offset after it]. Expected values in the cases
// below come from glibc (TZ='<rule>' with localtime_r), except where RFC 8536 differs.
void checkChanges(const std::string& text, int year, std::int64_t first, std::int32_t first_offset,
                  std::int64_t second, std::int32_t second_offset) {
  PosixTzRule rule = parsed(text);
  std::optional<ZoneTransition> one = rule.nextTransitionAfter(utc(year, 1, 1));
  BOOST_REQUIRE_MESSAGE(one, text);
  std::optional<ZoneTransition> two = rule.nextTransitionAfter(one->at);
  BOOST_REQUIRE_MESSAGE(two, text);

  BOOST_CHECK_MESSAGE(one->at == first && one->offset == first_offset, text);
  BOOST_CHECK_MESSAGE(two->at == second && two->offset == second_offset, text);
  BOOST_CHECK_EQUAL(rule.offsetAt(first - 1), second_offset);
  BOOST_CHECK_EQUAL(rule.offsetAt(first), first_offset);
  BOOST_CHECK_EQUAL(rule.offsetAt(second - 1), first_offset);
  BOOST_CHECK_EQUAL(rule.offsetAt(second), second_offset);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(posix_tz_rule)

BOOST_AUTO_TEST_CASE(fixed_rules_count_west_as_positive) {
  BOOST_CHECK_EQUAL(parsed("<+0530>-5:30").offsetAt(0), 19800);
  BOOST_CHECK_EQUAL(parsed("IST-5:30").offsetAt(0), 19800);
  BOOST_CHECK_EQUAL(parsed("<-03>3").offsetAt(0), -10800);
  BOOST_CHECK_EQUAL(parsed("EST+5").offsetAt(0), -18000);
  BOOST_CHECK_EQUAL(parsed("<+0545>-5:45:00").offsetAt(0), 20700);
  BOOST_CHECK(!parsed("EST5").nextTransitionAfter(0));
}

BOOST_AUTO_TEST_CASE(month_week_day_rules_with_default_time) {
  checkChanges("EST5EDT,M3.2.0,M11.1.0", 2030, utc(2030, 3, 10, 7), -14400, utc(2030, 11, 3, 6),
               -18000);
}

BOOST_AUTO_TEST_CASE(week_five_is_the_last_weekday_of_the_month) {
  checkChanges("CET-1CEST,M3.5.0,M10.5.0/3", 2030, utc(2030, 3, 31, 1), 7200, utc(2030, 10, 27, 1),
               3600);
}

BOOST_AUTO_TEST_CASE(transition_times_may_be_negative_or_past_midnight) {
  checkChanges("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 2030, utc(2030, 3, 31, 1), -3600,
               utc(2030, 10, 27, 1), -7200);
  checkChanges("IST-2IDT,M3.4.4/26,M10.5.0", 2030, utc(2030, 3, 29, 0), 10800,
               utc(2030, 10, 26, 23), 7200);
  checkChanges("<-04>4<-03>,M9.1.6/24,M4.1.6/24", 2030, utc(2030, 4, 7, 3), -14400,
               utc(2030, 9, 8, 4), -10800);
}

BOOST_AUTO_TEST_CASE(transition_times_reach_167_hours_either_way) {
  checkChanges("EST5EDT,M3.2.0/-167,M11.1.0/167", 2030, utc(2030, 3, 3, 6), -14400,
               utc(2030, 11, 10, 3), -18000);
}

BOOST_AUTO_TEST_CASE(julian_days_skip_february_29_and_zero_based_days_count_it) {
  checkChanges("XXX3YYY,J60/2,J300/2", 2030, utc(2030, 3, 1, 5), -7200, utc(2030, 10, 27, 4),
               -10800);
  checkChanges("XXX3YYY,J60/2,J300/2", 2032, utc(2032, 3, 1, 5), -7200, utc(2032, 10, 27, 4),
               -10800);
  checkChanges("XXX3YYY,59/2,299/2", 2032, utc(2032, 2, 29, 5), -7200, utc(2032, 10, 26, 4),
               -10800);
}

BOOST_AUTO_TEST_CASE(southern_rule_with_half_hour_daylight_time) {
  checkChanges("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 2030, utc(2030, 4, 6, 15), 37800,
               utc(2030, 10, 5, 15, 30), 39600);
}

BOOST_AUTO_TEST_CASE(offsets_with_seconds_and_explicit_daylight_offset) {
  PosixTzRule rule = parsed("AAA-1BBB-3:30:15,M3.5.0/1:30,M10.5.0/3");

  BOOST_CHECK_EQUAL(rule.offsetAt(utc(2030, 7, 1)), 12615);
  BOOST_CHECK_EQUAL(rule.offsetAt(utc(2030, 1, 1)), 3600);
  BOOST_CHECK_EQUAL(rule.nextTransitionAfter(utc(2030, 1, 1))->at, utc(2030, 3, 31, 0, 30));
}

// RFC 8536 section 3.3.1: starting January 1 at 00:00 and ending December 31 at 24:00 plus
// the daylight saving amount means daylight time all year, with no change at New Year.
BOOST_AUTO_TEST_CASE(daylight_time_all_year_never_changes) {
  PosixTzRule rule = parsed("EST5EDT,0/0,J365/25");

  for (std::int64_t at : {utc(2030, 1, 1), utc(2030, 1, 1, 5), utc(2030, 7, 1), utc(2031, 1, 1)}) {
    BOOST_CHECK_EQUAL(rule.offsetAt(at), -14400);
  }
  BOOST_CHECK(!rule.nextTransitionAfter(utc(2030, 6, 1)));
}

BOOST_AUTO_TEST_CASE(rules_hold_far_from_1970) {
  PosixTzRule rule = parsed("EST5EDT,M3.2.0,M11.1.0");

  BOOST_CHECK_EQUAL(rule.offsetAt(utc(2500, 7, 1)), -14400);
  BOOST_CHECK_EQUAL(rule.offsetAt(utc(1600, 7, 1)), -14400);
  BOOST_CHECK_EQUAL(rule.offsetAt(utc(9999, 12, 31)), -18000);
  BOOST_CHECK_EQUAL(rule.offsetAt(utc(-3000, 1, 15)), -18000);
  BOOST_CHECK(rule.nextTransitionAfter(PosixTzRule::kMaxSeconds));
  BOOST_CHECK(rule.nextTransitionAfter(-PosixTzRule::kMaxSeconds));
}

BOOST_AUTO_TEST_CASE(refuses_malformed_and_unsupported_rules) {
  for (const char* text :
       {"", "EST", "ES5", "5", "EST25", "EST5EDT", "EST5EDT4", "EST5EDT,M3.2.0",
        "EST5EDT,M3.2.0,M11.1.0,", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0",
        "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,M3.2.0/168,M11.1.0", "EST5EDT,J0,J100",
        "EST5EDT,366,100", "EST5:60", "<EST5", "<E>5", "EST5 "}) {
    engine::Result<PosixTzRule> rule = PosixTzRule::parse(text);
    BOOST_CHECK_MESSAGE(!rule.isOk(), "accepted '" << text << "'");
    if (!rule.isOk()) {
      BOOST_CHECK(rule.status().code() == engine::ErrorCode::ConfigError);
    }
  }
}

BOOST_AUTO_TEST_CASE(errors_name_the_rule_without_control_bytes) {
  engine::Result<PosixTzRule> rule = PosixTzRule::parse(std::string("EST5\x01x\x7f", 7));

  BOOST_REQUIRE(!rule.isOk());
  BOOST_CHECK_EQUAL(rule.status().context().find('\x01'), std::string::npos);
  BOOST_CHECK_NE(rule.status().context().find("'EST5?x?'"), std::string::npos);
  BOOST_CHECK_NE(rule.status().context().find("position 4"), std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::v2fhir
