#include "engine/fhir/primitive_formats.h"

#include <boost/test/unit_test.hpp>

#include <string>

namespace ferry::testing {
namespace {

using engine::fhir::checkPrimitiveText;
using engine::fhir::checkStringText;
using engine::fhir::DateForm;
using engine::fhir::lessOrEqual;
using engine::fhir::parseDateTime;
using engine::fhir::PrimitiveKind;
using engine::fhir::primitiveKindOf;

bool valid(PrimitiveKind kind, std::string_view text) {
  return checkPrimitiveText(kind, text) == nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(primitive_formats)

BOOST_AUTO_TEST_CASE(maps_type_codes_and_fhirpath_system_types_to_kinds) {
  BOOST_CHECK(primitiveKindOf("dateTime") == PrimitiveKind::DateTime);
  BOOST_CHECK(primitiveKindOf("positiveInt") == PrimitiveKind::PositiveInt);
  BOOST_CHECK(primitiveKindOf("http://hl7.org/fhirpath/System.String") == PrimitiveKind::String);
  BOOST_CHECK(primitiveKindOf("HumanName") == PrimitiveKind::NotPrimitive);
  BOOST_CHECK(primitiveKindOf("DateTime") == PrimitiveKind::NotPrimitive);
}

BOOST_AUTO_TEST_CASE(id_allows_1_to_64_letters_digits_dashes_and_dots) {
  BOOST_CHECK(valid(PrimitiveKind::Id, "a"));
  BOOST_CHECK(valid(PrimitiveKind::Id, "example-1.2"));
  BOOST_CHECK(valid(PrimitiveKind::Id, std::string(64, 'x')));

  BOOST_CHECK(!valid(PrimitiveKind::Id, std::string(65, 'x')));
  BOOST_CHECK(!valid(PrimitiveKind::Id, "with space"));
  BOOST_CHECK(!valid(PrimitiveKind::Id, "under_score"));
  BOOST_CHECK(!valid(PrimitiveKind::Id, "slash/"));
}

BOOST_AUTO_TEST_CASE(date_checks_calendar_including_leap_years) {
  BOOST_CHECK(valid(PrimitiveKind::Date, "2024"));
  BOOST_CHECK(valid(PrimitiveKind::Date, "2024-02"));
  BOOST_CHECK(valid(PrimitiveKind::Date, "2024-02-29"));
  BOOST_CHECK(valid(PrimitiveKind::Date, "2000-02-29"));

  BOOST_CHECK(!valid(PrimitiveKind::Date, "2023-02-29"));
  BOOST_CHECK(!valid(PrimitiveKind::Date, "1900-02-29"));
  BOOST_CHECK(!valid(PrimitiveKind::Date, "2023-04-31"));
  BOOST_CHECK(!valid(PrimitiveKind::Date, "2023-13"));
  BOOST_CHECK(!valid(PrimitiveKind::Date, "0000"));
  BOOST_CHECK(!valid(PrimitiveKind::Date, "23-01-01"));
  BOOST_CHECK(!valid(PrimitiveKind::Date, "2023-1-1"));
  BOOST_CHECK(!valid(PrimitiveKind::Date, "2023-01-01T10:00:00Z"));
}

BOOST_AUTO_TEST_CASE(date_time_with_a_time_needs_seconds_and_a_zone) {
  BOOST_CHECK(valid(PrimitiveKind::DateTime, "2015"));
  BOOST_CHECK(valid(PrimitiveKind::DateTime, "2015-02-07"));
  BOOST_CHECK(valid(PrimitiveKind::DateTime, "2015-02-07T13:28:17-05:00"));
  BOOST_CHECK(valid(PrimitiveKind::DateTime, "2017-01-01T00:00:00.000Z"));
  BOOST_CHECK(valid(PrimitiveKind::DateTime, "2017-01-01T00:00:00+14:00"));

  BOOST_CHECK(!valid(PrimitiveKind::DateTime, "2015-02-07T13:28:17"));
  BOOST_CHECK(!valid(PrimitiveKind::DateTime, "2015-02-07T13:28Z"));
  BOOST_CHECK(!valid(PrimitiveKind::DateTime, "2015-02-07T24:00:00Z"));
  BOOST_CHECK(!valid(PrimitiveKind::DateTime, "2015-02-07T13:28:17+14:30"));
  BOOST_CHECK(!valid(PrimitiveKind::DateTime, "2015-02-07T13:28:17.Z"));
  BOOST_CHECK(!valid(PrimitiveKind::DateTime, "2015-02-07 13:28:17Z"));
}

BOOST_AUTO_TEST_CASE(instant_needs_date_time_and_zone) {
  BOOST_CHECK(valid(PrimitiveKind::Instant, "2015-02-07T13:28:17.239+02:00"));

  BOOST_CHECK(!valid(PrimitiveKind::Instant, "2015-02-07"));
  BOOST_CHECK(!valid(PrimitiveKind::Instant, "2015-02-07T13:28:17"));
}

BOOST_AUTO_TEST_CASE(time_is_hours_minutes_seconds_without_zone) {
  BOOST_CHECK(valid(PrimitiveKind::Time, "13:28:17"));
  BOOST_CHECK(valid(PrimitiveKind::Time, "23:59:60.5"));

  BOOST_CHECK(!valid(PrimitiveKind::Time, "13:28"));
  BOOST_CHECK(!valid(PrimitiveKind::Time, "13:28:17Z"));
  BOOST_CHECK(!valid(PrimitiveKind::Time, "25:00:00"));
}

BOOST_AUTO_TEST_CASE(integers_are_plain_literals_in_32_bit_range) {
  BOOST_CHECK(valid(PrimitiveKind::Integer, "0"));
  BOOST_CHECK(valid(PrimitiveKind::Integer, "-2147483648"));
  BOOST_CHECK(valid(PrimitiveKind::Integer, "2147483647"));

  BOOST_CHECK(!valid(PrimitiveKind::Integer, "2147483648"));
  BOOST_CHECK(!valid(PrimitiveKind::Integer, "-2147483649"));
  BOOST_CHECK(!valid(PrimitiveKind::Integer, "1.0"));
  BOOST_CHECK(!valid(PrimitiveKind::Integer, "1e3"));
  BOOST_CHECK(!valid(PrimitiveKind::Integer, "-0x1"));
}

BOOST_AUTO_TEST_CASE(positive_and_unsigned_ints_have_lower_bounds) {
  BOOST_CHECK(valid(PrimitiveKind::PositiveInt, "1"));
  BOOST_CHECK(!valid(PrimitiveKind::PositiveInt, "0"));
  BOOST_CHECK(!valid(PrimitiveKind::PositiveInt, "-1"));

  BOOST_CHECK(valid(PrimitiveKind::UnsignedInt, "0"));
  BOOST_CHECK(!valid(PrimitiveKind::UnsignedInt, "-1"));
  BOOST_CHECK(!valid(PrimitiveKind::UnsignedInt, "2147483648"));
}

BOOST_AUTO_TEST_CASE(decimal_follows_the_json_number_grammar) {
  BOOST_CHECK(valid(PrimitiveKind::Decimal, "0.50"));
  BOOST_CHECK(valid(PrimitiveKind::Decimal, "-1.000000000000000000E+245"));
  BOOST_CHECK(valid(PrimitiveKind::Decimal, "3"));

  BOOST_CHECK(!valid(PrimitiveKind::Decimal, "01"));
  BOOST_CHECK(!valid(PrimitiveKind::Decimal, "925."));
  BOOST_CHECK(!valid(PrimitiveKind::Decimal, ".5"));
  BOOST_CHECK(!valid(PrimitiveKind::Decimal, "NaN"));
  BOOST_CHECK(!valid(PrimitiveKind::Decimal, "1e"));
}

BOOST_AUTO_TEST_CASE(code_refuses_leading_trailing_and_repeated_white_space) {
  BOOST_CHECK(valid(PrimitiveKind::Code, "final"));
  BOOST_CHECK(valid(PrimitiveKind::Code, "two words"));

  BOOST_CHECK(!valid(PrimitiveKind::Code, " final"));
  BOOST_CHECK(!valid(PrimitiveKind::Code, "final "));
  BOOST_CHECK(!valid(PrimitiveKind::Code, "two  spaces"));
  BOOST_CHECK(!valid(PrimitiveKind::Code, "tab\t\tand space"));
  BOOST_CHECK(valid(PrimitiveKind::Code, "tab\tand space"));
}

BOOST_AUTO_TEST_CASE(uri_refuses_white_space_and_malformed_oids_and_uuids) {
  BOOST_CHECK(valid(PrimitiveKind::Uri, "http://example.org/fhir"));
  BOOST_CHECK(valid(PrimitiveKind::Uri, "urn:oid:2.16.840.1.113883"));
  BOOST_CHECK(valid(PrimitiveKind::Uri, "urn:uuid:a6a8a8e6-415c-42e1-abf7-f8d876e5908b#part"));
  BOOST_CHECK(valid(PrimitiveKind::Url, "/Binary/1"));

  BOOST_CHECK(!valid(PrimitiveKind::Uri, "http://example.org/with space"));
  BOOST_CHECK(!valid(PrimitiveKind::Uri, "urn:oid:3.1"));
  BOOST_CHECK(!valid(PrimitiveKind::Uri, "urn:uuid:not-a-uuid"));
}

BOOST_AUTO_TEST_CASE(oid_and_uuid_follow_the_r4_patterns) {
  BOOST_CHECK(valid(PrimitiveKind::Oid, "urn:oid:1.2.3.4"));
  BOOST_CHECK(!valid(PrimitiveKind::Oid, "1.2.3.4"));
  BOOST_CHECK(!valid(PrimitiveKind::Oid, "urn:oid:1.02"));
  BOOST_CHECK(!valid(PrimitiveKind::Oid, "urn:oid:1."));

  BOOST_CHECK(valid(PrimitiveKind::Uuid, "urn:uuid:c757873d-ec9a-4326-a141-556f43239520"));
  BOOST_CHECK(!valid(PrimitiveKind::Uuid, "urn:uuid:C757873D-EC9A-4326-A141-556F43239520"));
  BOOST_CHECK(!valid(PrimitiveKind::Uuid, "c757873d-ec9a-4326-a141-556f43239520"));
  BOOST_CHECK(!valid(PrimitiveKind::Uuid, "urn:uuid:c757873d-ec9a-4326-a141-556f4323952"));
}

BOOST_AUTO_TEST_CASE(base64_needs_groups_of_four_with_padding_only_at_the_end) {
  BOOST_CHECK(valid(PrimitiveKind::Base64Binary, "VEVTVA=="));
  BOOST_CHECK(valid(PrimitiveKind::Base64Binary, "VEVT\r\nVA=="));
  BOOST_CHECK(valid(PrimitiveKind::Base64Binary, "QUJD"));

  BOOST_CHECK(!valid(PrimitiveKind::Base64Binary, "%%%2@()()"));
  BOOST_CHECK(!valid(PrimitiveKind::Base64Binary, "QUJ"));
  BOOST_CHECK(!valid(PrimitiveKind::Base64Binary, "QU=J"));
  BOOST_CHECK(!valid(PrimitiveKind::Base64Binary, "Q==="));
}

BOOST_AUTO_TEST_CASE(string_warns_on_control_characters_and_refuses_over_one_megabyte) {
  bool is_error = true;

  BOOST_CHECK(checkStringText("tab\tcr\rlf\n", &is_error) == nullptr);
  BOOST_CHECK(checkStringText(std::string("bell\x07"), &is_error) != nullptr);
  BOOST_CHECK(!is_error);
  BOOST_CHECK(checkStringText(std::string(1024 * 1024 + 1, 'a'), &is_error) != nullptr);
  BOOST_CHECK(is_error);
}

BOOST_AUTO_TEST_CASE(compares_date_times_as_fhirpath_does) {
  auto day = *parseDateTime("2023-06-21", DateForm::DateTime);
  auto next_day = *parseDateTime("2023-06-22", DateForm::DateTime);
  auto morning = *parseDateTime("2023-06-21T06:20:00Z", DateForm::DateTime);
  auto same_instant = *parseDateTime("2023-06-21T08:20:00+02:00", DateForm::DateTime);
  auto evening = *parseDateTime("2023-06-21T18:00:00Z", DateForm::DateTime);

  BOOST_CHECK(lessOrEqual(day, next_day) == std::optional<bool>(true));
  BOOST_CHECK(lessOrEqual(next_day, day) == std::optional<bool>(false));
  BOOST_CHECK(lessOrEqual(morning, evening) == std::optional<bool>(true));
  BOOST_CHECK(lessOrEqual(evening, morning) == std::optional<bool>(false));
  BOOST_CHECK(lessOrEqual(morning, same_instant) == std::optional<bool>(true));
  BOOST_CHECK(!lessOrEqual(day, morning).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
