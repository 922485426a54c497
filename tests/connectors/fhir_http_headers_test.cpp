#include <chrono>
#include <string>

#include <boost/test/unit_test.hpp>

#include "connectors/fhir_http/fhir_http_headers.h"

namespace {

using ferry::connectors::fhir_http::basicCredentials;
using ferry::connectors::fhir_http::formUrlEncode;
using ferry::connectors::fhir_http::isHeaderToken;
using ferry::connectors::fhir_http::kMaxRetryAfter;
using ferry::connectors::fhir_http::parseRetryAfter;
using std::chrono::milliseconds;
using std::chrono::seconds;

// 2024-01-01T12:00:00Z
const std::chrono::system_clock::time_point kNow{seconds(1704110400)};

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_http_headers)

BOOST_AUTO_TEST_CASE(reads_retry_after_in_seconds) {
  BOOST_CHECK_EQUAL(parseRetryAfter("120", kNow).count(), 120000);
  BOOST_CHECK_EQUAL(parseRetryAfter(" 0 ", kNow).count(), 0);
}

BOOST_AUTO_TEST_CASE(reads_retry_after_as_an_http_date) {
  BOOST_CHECK_EQUAL(parseRetryAfter("Mon, 01 Jan 2024 12:02:30 GMT", kNow).count(), 150000);
  // The obsolete RFC 850 form, which RFC 9110 still asks recipients to read.
  BOOST_CHECK_EQUAL(parseRetryAfter("Monday, 01-Jan-24 12:01:00 GMT", kNow).count(), 60000);
}

BOOST_AUTO_TEST_CASE(reads_a_past_date_or_garbage_as_no_wait) {
  BOOST_CHECK_EQUAL(parseRetryAfter("Mon, 01 Jan 2024 11:00:00 GMT", kNow).count(), 0);
  BOOST_CHECK_EQUAL(parseRetryAfter("soon", kNow).count(), 0);
  BOOST_CHECK_EQUAL(parseRetryAfter("-5", kNow).count(), 0);
  BOOST_CHECK_EQUAL(parseRetryAfter("", kNow).count(), 0);
}

BOOST_AUTO_TEST_CASE(caps_a_very_long_retry_after_at_a_day) {
  BOOST_CHECK(parseRetryAfter("999999999999", kNow) == milliseconds(kMaxRetryAfter));
  BOOST_CHECK(parseRetryAfter("Fri, 01 Jan 2100 00:00:00 GMT", kNow) ==
              milliseconds(kMaxRetryAfter));
}

BOOST_AUTO_TEST_CASE(form_encodes_reserved_characters_and_spaces) {
  BOOST_CHECK_EQUAL(formUrlEncode("system/*.read patient/Observation.rs"),
                    "system%2F*.read+patient%2FObservation.rs");
  BOOST_CHECK_EQUAL(formUrlEncode("a&b=c%"), "a%26b%3Dc%25");
  BOOST_CHECK_EQUAL(formUrlEncode("\xC3\xA9"), "%C3%A9");
}

BOOST_AUTO_TEST_CASE(builds_basic_credentials_as_in_rfc_6749) {
  // RFC 6749 section 4.4.2's example client.
  BOOST_CHECK_EQUAL(basicCredentials("s6BhdRkqt3", "gX1fBat3bV"),
                    "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
}

BOOST_AUTO_TEST_CASE(accepts_only_printable_tokens_without_spaces) {
  BOOST_CHECK(isHeaderToken("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"));
  BOOST_CHECK(!isHeaderToken(""));
  BOOST_CHECK(!isHeaderToken("two words"));
  BOOST_CHECK(!isHeaderToken("line\r\nX-Injected: 1"));
}

BOOST_AUTO_TEST_SUITE_END()
