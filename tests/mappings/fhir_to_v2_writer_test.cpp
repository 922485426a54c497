#include "mappings/fhir_v2/v2_writer.h"

#include <boost/test/unit_test.hpp>

#include "engine/hl7/message.h"

namespace ferry::mappings::fhirv2 {

namespace {

std::string decoded(const std::string& message, const std::string& path) {
  auto parsed = engine::hl7::Message::parse(message);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  auto value = parsed.value().get(path);
  BOOST_REQUIRE(value.isOk());
  return value.value().value_or("");
}

std::string withPid(const SegmentWriter& pid) {
  SegmentWriter msh("MSH");
  msh.set(9, "ADT^A08");
  msh.set(12, "2.5.1");
  return encodeMessage({msh, pid});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_to_v2_writer)

BOOST_AUTO_TEST_CASE(escapes_every_delimiter) {
  std::string escaped = escapeText("a|b^c~d\\e&f");

  BOOST_CHECK_EQUAL(escaped, "a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f");
}

BOOST_AUTO_TEST_CASE(writes_line_breaks_as_formatting_breaks) {
  BOOST_CHECK_EQUAL(escapeText("one\ntwo\r\nthree\rfour"), "one\\.br\\two\\.br\\three\\.br\\four");
}

BOOST_AUTO_TEST_CASE(writes_other_control_characters_as_hex) {
  BOOST_CHECK_EQUAL(escapeText(std::string("a\x01z\tq", 5)), "a\\X01\\z\tq");
}

BOOST_AUTO_TEST_CASE(escaped_text_decodes_back_to_the_same_value) {
  SegmentWriter pid("PID");
  Composite name;
  name.setSubcomponent(1, 1, "TEST|PATIENT^&~\\X");
  name.set(2, "ALPHA");
  pid.set(5, name);

  std::string message = withPid(pid);

  BOOST_CHECK_EQUAL(decoded(message, "PID-5.1.1"), "TEST|PATIENT^&~\\X");
  BOOST_CHECK_EQUAL(decoded(message, "PID-5.2"), "ALPHA");
}

BOOST_AUTO_TEST_CASE(text_cannot_add_a_segment) {
  SegmentWriter pid("PID");
  pid.set(5, "TESTPATIENT\rZZZ|1");

  auto parsed = engine::hl7::Message::parse(withPid(pid));

  BOOST_REQUIRE(parsed.isOk());
  BOOST_CHECK_EQUAL(parsed.value().segmentCount(), 2u);
}

BOOST_AUTO_TEST_CASE(leaves_out_trailing_empty_parts) {
  SegmentWriter pv1("PV1");
  Composite location;
  location.set(1, "WARD");
  location.set(9, "");
  pv1.set(1, "1");
  pv1.set(3, location);
  pv1.set(44, "");

  BOOST_CHECK_EQUAL(pv1.encode(), "PV1|1||WARD");
}

BOOST_AUTO_TEST_CASE(nests_a_composite_as_subcomponents) {
  Composite hd;
  hd.set(1, "TESTHOSP");
  hd.set(2, "1.2.3");
  hd.set(3, "ISO");
  Composite cx;
  cx.set(1, "MRN1");
  cx.setNested(4, hd);

  BOOST_CHECK_EQUAL(cx.encode(), "MRN1^^^TESTHOSP&1.2.3&ISO");
}

BOOST_AUTO_TEST_CASE(keeps_empty_repetitions_given_as_lines) {
  SegmentWriter obx("OBX");
  obx.setRepetitions(5, {Composite("one"), Composite(), Composite("three")});

  BOOST_CHECK_EQUAL(obx.encode(), "OBX|||||one~~three");
}

BOOST_AUTO_TEST_CASE(skips_empty_repetitions_when_adding) {
  SegmentWriter pid("PID");
  pid.add(3, Composite());
  pid.add(3, Composite("MRN1"));

  BOOST_CHECK_EQUAL(pid.encode(), "PID|||MRN1");
}

BOOST_AUTO_TEST_CASE(writes_msh_separator_and_encoding_characters) {
  SegmentWriter msh("MSH");
  msh.set(1, "x");
  msh.set(3, "FERRY");

  BOOST_CHECK_EQUAL(msh.encode(), "MSH|^~\\&|FERRY");
}

BOOST_AUTO_TEST_CASE(ends_every_segment_with_carriage_return) {
  SegmentWriter msh("MSH");
  SegmentWriter evn("EVN");
  evn.set(1, "A08");

  BOOST_CHECK_EQUAL(encodeMessage({msh, evn}), "MSH|^~\\&\rEVN|A08\r");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::fhirv2
