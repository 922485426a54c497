// The validator against documents built to make it slow or its answer huge.

#include <boost/test/unit_test.hpp>

#include "fhir/validator_test_support.h"

namespace ferry::testing {
namespace {

// A Patient with `count` members no Patient has, one per line.
std::string patientWithUnknownMembers(int count) {
  std::string json = "{\"resourceType\": \"Patient\"";
  for (int index = 0; index < count; ++index) {
    json += ",\n \"unknown" + std::to_string(index) + "\": 1";
  }
  return json + "}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(validator_limits)

BOOST_AUTO_TEST_CASE(stops_reporting_after_a_thousand_issues_and_says_so) {
  auto issues = validateJson(patientWithUnknownMembers(20000));

  BOOST_REQUIRE_EQUAL(issues.size(), 1001u);
  BOOST_CHECK_EQUAL(issues.back().code, "too-costly");
  BOOST_CHECK(isError(issues.back()));
}

BOOST_AUTO_TEST_CASE(issues_still_carry_their_line_far_into_a_document) {
  auto issues = validateJson(patientWithUnknownMembers(500));

  BOOST_REQUIRE_EQUAL(issues.size(), 500u);
  BOOST_CHECK_EQUAL(issues.front().line, 2);
  BOOST_CHECK_EQUAL(issues.back().line, 501);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
