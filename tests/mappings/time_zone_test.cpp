#include "mappings/v2_fhir/time_zone.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>

#include <boost/test/unit_test.hpp>

#include "support/test_support.h"

// Expected offsets were checked against glibc and the system tzdata, for example
// `TZ=America/New_York date -d '2024-07-15 10:30:00' +%z` gives -0400.

namespace ferry::mappings::v2fhir {
namespace {

const std::string kZoneinfo = "/usr/share/zoneinfo";

// Local wall-clock fields as seconds since 1970-01-01T00:00:00 of the local calendar.
std::int64_t local(int year, unsigned month, unsigned day, int hours, int minutes,
                   int seconds = 0) {
  std::chrono::sys_days date = std::chrono::year_month_day(
      std::chrono::year(year), std::chrono::month(month), std::chrono::day(day));
  return std::int64_t{date.time_since_epoch().count()} * 86400 + hours * 3600 + minutes * 60 +
         seconds;
}

// The system zone; these tests need Debian's tzdata package, as the engine does.
TimeZone zone(std::string_view name) {
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(kZoneinfo + "/America/New_York"),
                        "tzdata is not installed under " << kZoneinfo);
  engine::Result<TimeZone> parsed = TimeZone::parse(name, kZoneinfo);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return parsed.value();
}

std::string errorOf(std::string_view spec, const std::string& dir = kZoneinfo) {
  engine::Result<TimeZone> parsed = TimeZone::parse(spec, dir);
  BOOST_REQUIRE_MESSAGE(!parsed.isOk(), "accepted '" << spec << "'");
  BOOST_CHECK(parsed.status().code() == engine::ErrorCode::ConfigError);
  return parsed.status().context();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(time_zone)

BOOST_AUTO_TEST_CASE(fixed_offsets_are_normalized_and_never_change) {
  BOOST_CHECK_EQUAL(zone("Z").name(), "Z");
  BOOST_CHECK_EQUAL(zone("UTC").name(), "Z");
  BOOST_CHECK_EQUAL(zone("+0500").name(), "+05:00");
  BOOST_CHECK_EQUAL(zone("+0500").offsetForLocal(local(2024, 7, 15, 10, 30)), 18000);
  BOOST_CHECK_EQUAL(zone("-03:30").offsetForLocal(local(2024, 1, 15, 10, 30)), -12600);
  BOOST_CHECK_EQUAL(zone("Z").offsetForLocal(local(2024, 7, 15, 10, 30)), 0);
}

BOOST_AUTO_TEST_CASE(refuses_malformed_fixed_offsets) {
  BOOST_CHECK_NE(errorOf("+15:00").find("'+15:00'"), std::string::npos);
  errorOf("+5");
  errorOf("-05:00:00");
  errorOf("");
}

BOOST_AUTO_TEST_CASE(new_york_has_daylight_time_in_summer_only) {
  TimeZone new_york = zone("America/New_York");

  BOOST_CHECK_EQUAL(new_york.name(), "America/New_York");
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 7, 15, 10, 30)), -4 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 1, 15, 10, 30)), -5 * 3600);
}

// Clocks went from 02:00 EST to 03:00 EDT on 2024-03-10: 02:00-02:59 did not happen there.
BOOST_AUTO_TEST_CASE(skipped_local_time_takes_the_offset_before_the_change) {
  TimeZone new_york = zone("America/New_York");

  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 3, 10, 1, 59, 59)), -5 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 3, 10, 2, 0)), -5 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 3, 10, 2, 30)), -5 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 3, 10, 2, 59, 59)), -5 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 3, 10, 3, 0)), -4 * 3600);
}

// Clocks went from 02:00 EDT back to 01:00 EST on 2024-11-03: 01:00-01:59 happened twice.
BOOST_AUTO_TEST_CASE(repeated_local_time_takes_its_first_occurrence) {
  TimeZone new_york = zone("America/New_York");

  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 11, 3, 0, 59, 59)), -4 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 11, 3, 1, 0)), -4 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 11, 3, 1, 30)), -4 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 11, 3, 1, 59, 59)), -4 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2024, 11, 3, 2, 0)), -5 * 3600);
}

BOOST_AUTO_TEST_CASE(paris_changes_at_the_european_times) {
  TimeZone paris = zone("Europe/Paris");

  BOOST_CHECK_EQUAL(paris.offsetForLocal(local(2024, 7, 15, 10, 30)), 7200);
  BOOST_CHECK_EQUAL(paris.offsetForLocal(local(2024, 1, 15, 10, 30)), 3600);
  BOOST_CHECK_EQUAL(paris.offsetForLocal(local(2024, 3, 31, 2, 30)), 3600);  // skipped
  BOOST_CHECK_EQUAL(paris.offsetForLocal(local(2024, 3, 31, 3, 0)), 7200);
  BOOST_CHECK_EQUAL(paris.offsetForLocal(local(2024, 10, 27, 2, 30)), 7200);  // repeated
  BOOST_CHECK_EQUAL(paris.offsetForLocal(local(2024, 10, 27, 3, 0)), 3600);
}

BOOST_AUTO_TEST_CASE(kolkata_is_five_and_a_half_hours_ahead_all_year) {
  TimeZone kolkata = zone("Asia/Kolkata");

  BOOST_CHECK_EQUAL(kolkata.offsetForLocal(local(2024, 7, 15, 10, 30)), 19800);
  BOOST_CHECK_EQUAL(kolkata.offsetForLocal(local(2024, 1, 15, 10, 30)), 19800);
  BOOST_CHECK_EQUAL(kolkata.offsetForLocal(local(2050, 1, 15, 10, 30)), 19800);
  BOOST_CHECK_EQUAL(TimeZone::formatOffset(19800), "+05:30");
}

// Lord Howe Island moves its clocks by 30 minutes, in the southern summer.
BOOST_AUTO_TEST_CASE(lord_howe_has_half_hour_daylight_time) {
  TimeZone lord_howe = zone("Australia/Lord_Howe");

  BOOST_CHECK_EQUAL(lord_howe.offsetForLocal(local(2024, 7, 15, 10, 30)), 37800);
  BOOST_CHECK_EQUAL(lord_howe.offsetForLocal(local(2024, 1, 15, 10, 30)), 39600);
  BOOST_CHECK_EQUAL(lord_howe.offsetForLocal(local(2024, 10, 6, 2, 15)), 37800);  // skipped
  BOOST_CHECK_EQUAL(lord_howe.offsetForLocal(local(2024, 10, 6, 2, 30)), 39600);
  BOOST_CHECK_EQUAL(lord_howe.offsetForLocal(local(2024, 4, 7, 1, 45)), 39600);  // repeated
  BOOST_CHECK_EQUAL(lord_howe.offsetForLocal(local(2024, 4, 7, 2, 0)), 37800);
}

// Debian's files list transitions up to 2037; later dates come from the footer TZ string.
BOOST_AUTO_TEST_CASE(new_york_after_2037_follows_the_footer_rule) {
  TimeZone new_york = zone("America/New_York");

  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2050, 7, 15, 10, 30)), -4 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2050, 1, 15, 10, 30)), -5 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2050, 3, 13, 2, 30)), -5 * 3600);  // skipped
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2050, 3, 13, 3, 0)), -4 * 3600);
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2050, 11, 6, 1, 30)), -4 * 3600);  // repeated
  BOOST_CHECK_EQUAL(new_york.offsetForLocal(local(2050, 11, 6, 2, 0)), -5 * 3600);
}

BOOST_AUTO_TEST_CASE(new_york_before_1883_is_local_mean_time) {
  TimeZone new_york = zone("America/New_York");

  int offset = new_york.offsetForLocal(local(1800, 1, 1, 0, 0));

  BOOST_CHECK_EQUAL(offset, -17762);
  BOOST_CHECK_EQUAL(TimeZone::formatOffset(offset), "-04:56");
}

// POSIX-style "Etc" names count west as positive: Etc/GMT+5 is five hours behind UTC.
BOOST_AUTO_TEST_CASE(etc_gmt_plus_5_is_five_hours_behind) {
  TimeZone etc = zone("Etc/GMT+5");

  BOOST_CHECK_EQUAL(etc.name(), "Etc/GMT+5");
  BOOST_CHECK_EQUAL(etc.offsetForLocal(local(2024, 7, 15, 10, 30)), -5 * 3600);
}

BOOST_AUTO_TEST_CASE(extreme_local_times_give_an_offset) {
  TimeZone new_york = zone("America/New_York");

  BOOST_CHECK_EQUAL(new_york.offsetForLocal(std::numeric_limits<std::int64_t>::min()), -17762);
  int late = new_york.offsetForLocal(std::numeric_limits<std::int64_t>::max());
  BOOST_CHECK(late == -4 * 3600 || late == -5 * 3600);
}

BOOST_AUTO_TEST_CASE(refuses_names_that_leave_the_zoneinfo_directory) {
  BOOST_CHECK_NE(errorOf("../etc/passwd").find("'..'"), std::string::npos);
  BOOST_CHECK_NE(errorOf("/etc/passwd").find("start with '/'"), std::string::npos);
  BOOST_CHECK_NE(errorOf("America/../../etc/passwd").find("'..'"), std::string::npos);
  BOOST_CHECK_NE(errorOf("America/New York").find("may only hold"), std::string::npos);
  BOOST_CHECK_NE(errorOf("America\\New_York").find("may only hold"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_zone_names_the_spec_and_directory) {
  BOOST_CHECK_NE(
      errorOf("No/Such_Zone").find("no such time zone 'No/Such_Zone' under " + kZoneinfo),
      std::string::npos);
  BOOST_CHECK_NE(errorOf("America").find("no such time zone 'America'"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(truncated_or_garbage_zone_files_are_errors) {
  testing::TempDir dir;
  std::string real = testing::readFile(kZoneinfo + "/America/New_York");
  std::filesystem::create_directories(dir.path() / "Test");
  testing::writeFile(dir.path() / "Test/Truncated", real.substr(0, real.size() / 2));
  testing::writeFile(dir.path() / "Test/Garbage", std::string(4096, '\x5a'));
  testing::writeFile(dir.path() / "Test/Empty", "");
  testing::writeFile(dir.path() / "Test/Copy", real);

  std::string truncated = errorOf("Test/Truncated", dir.path().string());
  std::string garbage = errorOf("Test/Garbage", dir.path().string());
  std::string empty = errorOf("Test/Empty", dir.path().string());

  BOOST_CHECK_NE(truncated.find("time zone 'Test/Truncated'"), std::string::npos);
  BOOST_CHECK_NE(truncated.find("truncated TZif file"), std::string::npos);
  BOOST_CHECK_NE(garbage.find("not a TZif file"), std::string::npos);
  BOOST_CHECK_NE(empty.find("not a TZif file"), std::string::npos);
  BOOST_CHECK(TimeZone::parse("Test/Copy", dir.path().string()).isOk());
}

BOOST_AUTO_TEST_CASE(formats_offsets_as_signed_hours_and_minutes) {
  BOOST_CHECK_EQUAL(TimeZone::formatOffset(0), "+00:00");
  BOOST_CHECK_EQUAL(TimeZone::formatOffset(-18000), "-05:00");
  BOOST_CHECK_EQUAL(TimeZone::formatOffset(50400), "+14:00");
  BOOST_CHECK_EQUAL(TimeZone::formatOffset(-12600), "-03:30");
  BOOST_CHECK_EQUAL(TimeZone::formatOffset(-30), "+00:00");
  BOOST_CHECK_EQUAL(TimeZone::formatOffset(3659), "+01:00");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::v2fhir
