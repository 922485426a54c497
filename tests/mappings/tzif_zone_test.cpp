#include "mappings/v2_fhir/tzif_zone.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace ferry::mappings::v2fhir {
namespace {

// What goes into a synthetic TZif file; every local time type gets the designation "ABC".
struct TzifSpec {
  char version = '2';
  std::vector<std::int64_t> times;
  std::vector<std::uint8_t> type_of_time;
  std::vector<std::int32_t> type_offsets = {0};
  std::string footer;
  std::uint32_t leap_count = 0;
};

void appendBigEndian(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    out += static_cast<char>((value >> shift) & 0xff);
  }
}

void appendHeader(std::string& out, char version, const std::vector<std::uint32_t>& counts) {
  out += "TZif";
  out += version;
  out.append(15, '\0');
  for (std::uint32_t count : counts) {
    appendBigEndian(out, count, 4);
  }
}

// Header and data block (RFC 8536 section 3) with `time_size`-byte transition times.
void appendBlock(std::string& out, const TzifSpec& spec, int time_size) {
  auto types = static_cast<std::uint32_t>(spec.type_offsets.size());
  auto times = static_cast<std::uint32_t>(spec.times.size());
  appendHeader(out, spec.version, {0, 0, spec.leap_count, times, types, 4});
  for (std::int64_t at : spec.times) {
    appendBigEndian(out, static_cast<std::uint64_t>(at), time_size);
  }
  for (std::uint8_t type : spec.type_of_time) {
    out += static_cast<char>(type);
  }
  for (std::int32_t offset : spec.type_offsets) {
    appendBigEndian(out, static_cast<std::uint32_t>(offset), 4);
    out += '\0';  // isdst
    out += '\0';  // designation index
  }
  out.append("ABC", 4);
  out.append(spec.leap_count * (time_size + 4), '\0');
}

std::string buildTzif(const TzifSpec& spec) {
  std::string out;
  if (spec.version == '\0') {
    appendBlock(out, spec, 4);
    return out;
  }
  // A minimal version 1 block, as "slim" files have, then the real data.
  TzifSpec empty;
  empty.version = spec.version;
  appendBlock(out, empty, 4);
  appendBlock(out, spec, 8);
  out += '\n' + spec.footer + '\n';
  return out;
}

// 2024-03-10T07:00:00Z and 2024-11-03T06:00:00Z, when New York changed clocks.
constexpr std::int64_t kSpring2024 = 1710054000;
constexpr std::int64_t kAutumn2024 = 1730613600;

TzifSpec newYork2024() {
  TzifSpec spec;
  spec.times = {kSpring2024, kAutumn2024};
  spec.type_of_time = {1, 0};
  spec.type_offsets = {-18000, -14400};
  spec.footer = "EST5EDT,M3.2.0,M11.1.0";
  return spec;
}

TzifZone parsed(const std::string& bytes) {
  engine::Result<TzifZone> zone = TzifZone::parse(bytes);
  BOOST_REQUIRE_MESSAGE(zone.isOk(), zone.status().toString());
  return zone.value();
}

std::string errorOf(const std::string& bytes) {
  engine::Result<TzifZone> zone = TzifZone::parse(bytes);
  BOOST_REQUIRE(!zone.isOk());
  BOOST_CHECK(zone.status().code() == engine::ErrorCode::ConfigError);
  return zone.status().context();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tzif_zone)

BOOST_AUTO_TEST_CASE(listed_transitions_then_footer_rule) {
  TzifZone zone = parsed(buildTzif(newYork2024()));

  BOOST_CHECK_EQUAL(zone.offsetAt(kSpring2024 - 1), -18000);
  BOOST_CHECK_EQUAL(zone.offsetAt(kSpring2024), -14400);
  BOOST_CHECK_EQUAL(zone.offsetAt(kAutumn2024), -18000);
  BOOST_CHECK_EQUAL(zone.nextTransitionAfter(0)->at, kSpring2024);
  // 2025-03-09T07:00:00Z comes from the footer alone.
  BOOST_CHECK_EQUAL(zone.nextTransitionAfter(kAutumn2024)->at, 1741503600);
  BOOST_CHECK_EQUAL(zone.offsetAt(1741503600), -14400);
}

BOOST_AUTO_TEST_CASE(type_zero_applies_before_the_first_transition) {
  TzifSpec spec = newYork2024();
  spec.type_offsets = {-17762, -14400};  // local mean time first, as in real files

  TzifZone zone = parsed(buildTzif(spec));

  BOOST_CHECK_EQUAL(zone.offsetAt(kSpring2024 - 1), -17762);
  BOOST_CHECK_EQUAL(zone.offsetAt(-5'000'000'000), -17762);
}

BOOST_AUTO_TEST_CASE(slim_file_without_transitions_follows_its_footer) {
  TzifSpec spec;
  spec.type_offsets = {-18000};
  spec.footer = "EST5EDT,M3.2.0,M11.1.0";

  TzifZone zone = parsed(buildTzif(spec));

  BOOST_CHECK_EQUAL(zone.offsetAt(kSpring2024), -14400);
  BOOST_CHECK_EQUAL(zone.offsetAt(kSpring2024 - 1), -18000);
  BOOST_CHECK_EQUAL(zone.nextTransitionAfter(kSpring2024)->at, kAutumn2024);
}

BOOST_AUTO_TEST_CASE(version_1_file_keeps_its_last_offset) {
  TzifSpec spec = newYork2024();
  spec.version = '\0';

  TzifZone zone = parsed(buildTzif(spec));

  BOOST_CHECK_EQUAL(zone.offsetAt(kSpring2024), -14400);
  BOOST_CHECK_EQUAL(zone.offsetAt(kAutumn2024 + 365 * 86400), -18000);
  BOOST_CHECK(!zone.nextTransitionAfter(kAutumn2024));
}

BOOST_AUTO_TEST_CASE(versions_3_and_4_read_like_version_2) {
  for (char version : {'3', '4'}) {
    TzifSpec spec = newYork2024();
    spec.version = version;

    TzifZone zone = parsed(buildTzif(spec));

    BOOST_CHECK_EQUAL(zone.offsetAt(kSpring2024), -14400);
  }
}

BOOST_AUTO_TEST_CASE(empty_footer_keeps_the_last_offset) {
  TzifSpec spec = newYork2024();
  spec.footer.clear();

  TzifZone zone = parsed(buildTzif(spec));

  BOOST_CHECK_EQUAL(zone.offsetAt(kAutumn2024 + 200 * 86400), -18000);
  BOOST_CHECK(!zone.nextTransitionAfter(kAutumn2024));
}

BOOST_AUTO_TEST_CASE(every_truncation_is_an_error) {
  std::string whole = buildTzif(newYork2024());

  for (std::size_t size = 0; size < whole.size(); ++size) {
    BOOST_CHECK_MESSAGE(!TzifZone::parse(whole.substr(0, size)).isOk(), "size " << size);
  }
}

BOOST_AUTO_TEST_CASE(refuses_counts_beyond_the_file_without_allocating) {
  std::string bytes;
  appendHeader(bytes, '\0', {0, 0, 0, 0xffffffff, 0xffffffff, 0xffffffff});

  BOOST_CHECK_NE(errorOf(bytes).find("truncated"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_what_rfc_8536_forbids) {
  TzifSpec unordered = newYork2024();
  unordered.times = {kAutumn2024, kSpring2024};
  TzifSpec bad_index = newYork2024();
  bad_index.type_of_time = {1, 2};
  TzifSpec far_offset = newYork2024();
  far_offset.type_offsets = {-18000, 100000};
  TzifSpec no_types = newYork2024();
  no_types.times.clear();
  no_types.type_of_time.clear();
  no_types.type_offsets.clear();

  BOOST_CHECK_NE(errorOf(buildTzif(unordered)).find("not after"), std::string::npos);
  BOOST_CHECK_NE(errorOf(buildTzif(bad_index)).find("no such local time type"), std::string::npos);
  BOOST_CHECK_NE(errorOf(buildTzif(far_offset)).find("25 hours"), std::string::npos);
  BOOST_CHECK_NE(errorOf(buildTzif(no_types)).find("no local time types"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_leap_second_files_bad_magic_and_bad_footer) {
  TzifSpec leap = newYork2024();
  leap.leap_count = 1;
  TzifSpec bad_footer = newYork2024();
  bad_footer.footer = "EST5EDT";
  std::string bad_version = buildTzif(newYork2024());
  bad_version[4] = '1';

  BOOST_CHECK_NE(errorOf(buildTzif(leap)).find("leap seconds"), std::string::npos);
  BOOST_CHECK_NE(errorOf(bad_version).find("version"), std::string::npos);
  BOOST_CHECK_NE(errorOf("TZjf" + bad_version.substr(4)).find("not a TZif file"),
                 std::string::npos);
  BOOST_CHECK_NE(errorOf(buildTzif(bad_footer)).find("TZ rule 'EST5EDT'"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_files_over_1_mib) {
  std::string bytes = buildTzif(newYork2024());
  bytes.append(TzifZone::kMaxFileSize, '\n');

  BOOST_CHECK_NE(errorOf(bytes).find("1 MiB"), std::string::npos);
}

// Random byte changes must give an error or a usable zone, never a crash (the sanitizer
// build checks memory safety here).
BOOST_AUTO_TEST_CASE(corrupted_files_give_errors_or_sane_offsets) {
  std::string original = buildTzif(newYork2024());
  std::mt19937 random(4);

  for (int round = 0; round < 3000; ++round) {
    std::string bytes = original;
    for (int change = 0; change < 1 + round % 4; ++change) {
      bytes[random() % bytes.size()] = static_cast<char>(random() & 0xff);
    }

    engine::Result<TzifZone> zone = TzifZone::parse(bytes);
    if (!zone.isOk()) {
      continue;
    }
    for (std::int64_t at : {std::int64_t{0}, kSpring2024, kAutumn2024 + 1}) {
      std::int32_t offset = zone.value().offsetAt(at);
      BOOST_CHECK(offset >= TzifZone::kMinOffset && offset <= TzifZone::kMaxOffset);
      std::optional<ZoneTransition> next = zone.value().nextTransitionAfter(at);
      BOOST_CHECK(!next || next->at > at);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::v2fhir
