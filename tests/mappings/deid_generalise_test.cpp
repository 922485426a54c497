#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "mappings/deid/generalise.h"

namespace deid = ferry::mappings::deid;

BOOST_AUTO_TEST_SUITE(deid_generalise)

BOOST_AUTO_TEST_CASE(sets_the_seventeen_restricted_zip_prefixes_to_000) {
  for (std::string_view prefix : {"036", "059", "063", "102", "203", "556", "692", "790", "821",
                                  "823", "830", "831", "878", "879", "884", "890", "893"}) {
    const std::string zip = std::string(prefix) + "42";

    BOOST_TEST_CONTEXT(prefix) {
      BOOST_CHECK(deid::isRestrictedZipPrefix(prefix));
      BOOST_CHECK(deid::generaliseZip(zip) == std::optional<std::string>("000"));
      BOOST_CHECK(deid::generaliseZip(zip + "-1234") == std::optional<std::string>("000"));
    }
  }
}

BOOST_AUTO_TEST_CASE(keeps_three_digits_of_other_zip_codes) {
  BOOST_CHECK(deid::generaliseZip("02139") == std::optional<std::string>("021"));
  BOOST_CHECK(deid::generaliseZip("02139-4307") == std::optional<std::string>("021"));
  BOOST_CHECK(deid::generaliseZip("021394307") == std::optional<std::string>("021"));
  BOOST_CHECK(deid::generaliseZip(" 90210 ") == std::optional<std::string>("902"));
  BOOST_CHECK(!deid::isRestrictedZipPrefix("037"));
  BOOST_CHECK(!deid::isRestrictedZipPrefix("021"));
}

BOOST_AUTO_TEST_CASE(gives_nothing_for_postal_codes_that_are_not_us_zip_codes) {
  BOOST_CHECK(!deid::generaliseZip("K1A 0B1"));
  BOOST_CHECK(!deid::generaliseZip("SW1A 1AA"));
  BOOST_CHECK(!deid::generaliseZip("1234"));
  BOOST_CHECK(!deid::generaliseZip("123456"));
  BOOST_CHECK(!deid::generaliseZip(""));
}

BOOST_AUTO_TEST_CASE(cuts_hl7_and_fhir_dates_to_the_year) {
  BOOST_CHECK(deid::hl7Year("20240102030405.123+0100") == std::optional<std::string_view>("2024"));
  BOOST_CHECK(deid::hl7Year("1970") == std::optional<std::string_view>("1970"));
  BOOST_CHECK(!deid::hl7Year("197"));
  BOOST_CHECK(!deid::hl7Year("1970ABC"));
  BOOST_CHECK(deid::fhirYear("2024-01-02T03:04:05Z") == std::optional<std::string_view>("2024"));
  BOOST_CHECK(deid::fhirYear("2024") == std::optional<std::string_view>("2024"));
  BOOST_CHECK(!deid::fhirYear("20240102"));
}

BOOST_AUTO_TEST_CASE(birth_years_ninety_or_more_years_back_reveal_an_age_over_89) {
  BOOST_CHECK(deid::birthYearRevealsAgeOver89(1930, 2024));
  BOOST_CHECK(deid::birthYearRevealsAgeOver89(1934, 2024));
  BOOST_CHECK(!deid::birthYearRevealsAgeOver89(1935, 2024));
  BOOST_CHECK(!deid::birthYearRevealsAgeOver89(2000, 2024));
}

BOOST_AUTO_TEST_CASE(converts_ages_to_years_by_unit) {
  BOOST_CHECK_CLOSE(*deid::ageInYears(95, "a"), 95.0, 1e-9);
  BOOST_CHECK_CLOSE(*deid::ageInYears(95, ""), 95.0, 1e-9);
  BOOST_CHECK_CLOSE(*deid::ageInYears(1200, "mo"), 100.0, 1e-9);
  BOOST_CHECK_CLOSE(*deid::ageInYears(36525, "d"), 100.0, 1e-9);
  BOOST_CHECK(!deid::ageInYears(95, "kg"));
  BOOST_CHECK(deid::parseNumber(" 89.5 ") == std::optional<double>(89.5));
  BOOST_CHECK(!deid::parseNumber("ninety"));
}

BOOST_AUTO_TEST_CASE(shifts_dates_keeping_their_precision_and_time) {
  BOOST_CHECK(deid::shiftHl7Date("20240228", 2) == std::optional<std::string>("20240301"));
  BOOST_CHECK(deid::shiftHl7Date("20231231235959+0100", 1) ==
              std::optional<std::string>("20240101235959+0100"));
  BOOST_CHECK(deid::shiftHl7Date("20240301", -1) == std::optional<std::string>("20240229"));
  BOOST_CHECK(!deid::shiftHl7Date("202403", 5));
  BOOST_CHECK(!deid::shiftHl7Date("20240230", 5));
  BOOST_CHECK(deid::shiftFhirDate("2024-12-31", 1) == std::optional<std::string>("2025-01-01"));
  BOOST_CHECK(deid::shiftFhirDate("2024-03-01T10:00:00+01:00", -30) ==
              std::optional<std::string>("2024-01-31T10:00:00+01:00"));
  BOOST_CHECK(!deid::shiftFhirDate("2024-03", 3));
}

BOOST_AUTO_TEST_CASE(finds_dates_hidden_in_codes_and_numbers) {
  BOOST_CHECK(deid::containsDate("501-20080815"));
  BOOST_CHECK(deid::containsDate("200808151100"));
  BOOST_CHECK(deid::containsDate("seen 2008-08-15"));
  BOOST_CHECK(deid::containsDate("04/24/2007"));
  BOOST_CHECK(deid::containsDate("4/2/2007"));
  BOOST_CHECK(!deid::containsDate("122555007"));  // a SNOMED code, not a date
  BOOST_CHECK(!deid::containsDate("253088698300028811170411"));
  BOOST_CHECK(!deid::containsDate("2.16.840.1.113883.19.3.2"));
  BOOST_CHECK(!deid::containsDate("20081315"));  // no month 13
  BOOST_CHECK(!deid::containsDate("13.5"));
  BOOST_CHECK(!deid::containsDate("2024"));
}

BOOST_AUTO_TEST_SUITE_END()
