#include "mappings/v2_fhir/hl7_time.h"

#include <boost/test/unit_test.hpp>

namespace ferry::mappings::v2fhir {

BOOST_AUTO_TEST_SUITE(hl7_time)

BOOST_AUTO_TEST_CASE(date_only_stamp_stays_a_date_without_zone) {
  BOOST_CHECK_EQUAL(*convertTimestamp("19800214", TimeTarget::DateTime, "+05:00"), "1980-02-14");
  BOOST_CHECK_EQUAL(*convertTimestamp("198002", TimeTarget::DateTime, "Z"), "1980-02");
  BOOST_CHECK_EQUAL(*convertTimestamp("1980", TimeTarget::DateTime, "Z"), "1980");
}

BOOST_AUTO_TEST_CASE(time_without_zone_gets_the_configured_zone_and_seconds) {
  BOOST_CHECK_EQUAL(*convertTimestamp("202401051030", TimeTarget::DateTime, "+05:00"),
                    "2024-01-05T10:30:00+05:00");
  BOOST_CHECK_EQUAL(*convertTimestamp("2024010510", TimeTarget::DateTime, "Z"),
                    "2024-01-05T10:00:00Z");
}

BOOST_AUTO_TEST_CASE(stamp_with_its_own_offset_keeps_it) {
  BOOST_CHECK_EQUAL(*convertTimestamp("20240105103015.1234-0330", TimeTarget::Instant, "Z"),
                    "2024-01-05T10:30:15.1234-03:30");
}

BOOST_AUTO_TEST_CASE(date_part_of_a_full_stamp_for_date_targets) {
  BOOST_CHECK_EQUAL(*convertTimestamp("198002141030+0100", TimeTarget::Date, "Z"), "1980-02-14");
}

BOOST_AUTO_TEST_CASE(instant_needs_a_time_of_day) {
  BOOST_CHECK(!convertTimestamp("20240105", TimeTarget::Instant, "Z"));
}

BOOST_AUTO_TEST_CASE(refuses_impossible_calendar_values) {
  BOOST_CHECK(!convertTimestamp("20241340", TimeTarget::DateTime, "Z"));
  BOOST_CHECK(!convertTimestamp("20230229", TimeTarget::Date, "Z"));
  BOOST_CHECK(convertTimestamp("20240229", TimeTarget::Date, "Z"));
  BOOST_CHECK(!convertTimestamp("202401052560", TimeTarget::DateTime, "Z"));
  BOOST_CHECK(!convertTimestamp("20240105+2500", TimeTarget::DateTime, "Z"));
  BOOST_CHECK(!convertTimestamp("2024-01-05", TimeTarget::DateTime, "Z"));
  BOOST_CHECK(!convertTimestamp("2024010", TimeTarget::DateTime, "Z"));
}

BOOST_AUTO_TEST_CASE(converts_tm_to_time) {
  BOOST_CHECK_EQUAL(*convertTimestamp("0930", TimeTarget::Time, "Z"), "09:30:00");
  BOOST_CHECK(!convertTimestamp("2460", TimeTarget::Time, "Z"));
}

BOOST_AUTO_TEST_CASE(a_named_zone_gives_each_stamp_the_offset_of_its_date) {
  auto zone = TimeZone::parse("America/New_York");
  BOOST_REQUIRE_MESSAGE(zone.isOk(), zone.status().toString());
  const TimeZone& new_york = zone.value();
  BOOST_CHECK_EQUAL(*convertTimestamp("20240715103000", TimeTarget::DateTime, new_york),
                    "2024-07-15T10:30:00-04:00");
  BOOST_CHECK_EQUAL(*convertTimestamp("20240115103000", TimeTarget::DateTime, new_york),
                    "2024-01-15T10:30:00-05:00");
  BOOST_CHECK_EQUAL(*convertTimestamp("202401151030", TimeTarget::Instant, new_york),
                    "2024-01-15T10:30:00-05:00");
  // The clocks go forward at 02:00 on 10 March 2024: 02:30 does not exist, and takes the
  // offset before the change. They go back at 02:00 on 3 November: 01:30 happens twice, and
  // takes the first (daylight time).
  BOOST_CHECK_EQUAL(*convertTimestamp("202403100230", TimeTarget::DateTime, new_york),
                    "2024-03-10T02:30:00-05:00");
  BOOST_CHECK_EQUAL(*convertTimestamp("202411030130", TimeTarget::DateTime, new_york),
                    "2024-11-03T01:30:00-04:00");
  // A stamp's own offset wins; a date stays a date.
  BOOST_CHECK_EQUAL(*convertTimestamp("20240715103000+0100", TimeTarget::DateTime, new_york),
                    "2024-07-15T10:30:00+01:00");
  BOOST_CHECK_EQUAL(*convertTimestamp("20240715", TimeTarget::DateTime, new_york), "2024-07-15");
  // By name as text too; an unknown name converts nothing.
  BOOST_CHECK_EQUAL(*convertTimestamp("20240715103000", TimeTarget::DateTime, "Europe/Paris"),
                    "2024-07-15T10:30:00+02:00");
  BOOST_CHECK(!convertTimestamp("20240715103000", TimeTarget::DateTime, "Mars/Olympus"));
}

BOOST_AUTO_TEST_CASE(normalizes_configured_zones) {
  BOOST_CHECK_EQUAL(*normalizeZone("UTC"), "Z");
  BOOST_CHECK_EQUAL(*normalizeZone("+0500"), "+05:00");
  BOOST_CHECK_EQUAL(*normalizeZone("-03:30"), "-03:30");
  BOOST_CHECK(!normalizeZone("Europe/Paris"));
  BOOST_CHECK(!normalizeZone("+15:00"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::v2fhir
