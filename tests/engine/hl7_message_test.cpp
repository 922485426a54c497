#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

#include "engine/hl7/message.h"
#include "engine/hl7/path.h"
#include "support/test_support.h"

namespace hl7 = ferry::engine::hl7;
using ferry::engine::ErrorCode;

namespace {

std::string sample(const std::string& name) {
  return ferry::testing::readFile(ferry::testing::testDataDir() / "hl7" / name);
}

hl7::Message parseOk(std::string_view bytes) {
  auto parsed = hl7::Message::parse(bytes);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return std::move(parsed).value();
}

std::string valueOf(const hl7::Message& message, std::string_view path) {
  auto value = message.get(path);
  BOOST_REQUIRE_MESSAGE(value.isOk(), value.status().toString());
  BOOST_REQUIRE_MESSAGE(value.value().has_value(), std::string(path) + " is absent");
  return *value.value();
}

bool isAbsent(const hl7::Message& message, std::string_view path) {
  auto value = message.get(path);
  BOOST_REQUIRE_MESSAGE(value.isOk(), value.status().toString());
  return !value.value().has_value();
}

constexpr std::string_view kSmall =
    "MSH|^~\\&|APP|FAC|RAPP|RFAC|20240101||ADT^A01^ADT_A01|C1|P|2.5\r"
    "PID|1||ID1^^^AUTH1~ID2^^^AUTH2||TESTPATIENT^ALPHA\r";

}  // namespace

BOOST_AUTO_TEST_SUITE(hl7_message)

BOOST_AUTO_TEST_CASE(reads_segments_and_header_shortcuts) {
  hl7::Message message = parseOk(sample("adt_a01.hl7"));

  BOOST_CHECK_EQUAL(message.segmentCount(), 8u);
  BOOST_CHECK_EQUAL(message.segmentId(0), "MSH");
  BOOST_CHECK_EQUAL(message.segmentId(2), "PID");
  BOOST_CHECK_EQUAL(message.segmentId(8), "");
  BOOST_CHECK_EQUAL(message.controlId(), "CTRL0001");
  BOOST_CHECK_EQUAL(message.messageCode(), "ADT");
  BOOST_CHECK_EQUAL(message.triggerEvent(), "A01");
  BOOST_CHECK_EQUAL(message.messageStructure(), "ADT_A01");
  BOOST_CHECK_EQUAL(message.version(), "2.5.1");
  BOOST_CHECK_EQUAL(message.sendingApplication(), "SENDAPP");
  BOOST_CHECK_EQUAL(message.sendingFacility(), "SENDFAC");
  BOOST_CHECK_EQUAL(message.receivingApplication(), "RECVAPP");
  BOOST_CHECK_EQUAL(message.receivingFacility(), "RECVFAC");
  BOOST_CHECK_EQUAL(message.processingId(), "P");
  BOOST_CHECK_EQUAL(message.acceptAckType(), "AL");
  BOOST_CHECK_EQUAL(message.applicationAckType(), "NE");
  BOOST_CHECK_EQUAL(message.charset(), "UNICODE UTF-8");
  BOOST_CHECK_EQUAL(message.segmentTerminator(), "\r");
}

BOOST_AUTO_TEST_CASE(unmodified_message_serializes_byte_identical) {
  const std::string inputs[] = {
      sample("adt_a01.hl7"),
      sample("oru_r01_wrapped_lf.hl7"),
      sample("latin1_8859_1.hl7"),
      std::string(kSmall),
      "\xEF\xBB\xBF" + std::string(kSmall),
      "MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\r\nPID|1\r\n\r\n",
      "MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\rPID|1\nPV1|1\r\n \r\nOBX|1\r\n  ",
      "MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5",
  };

  for (const std::string& input : inputs) {
    hl7::Message message = parseOk(input);

    BOOST_CHECK(message.serialize() == input);
  }
}

BOOST_AUTO_TEST_CASE(msh_field_numbers_follow_hl7) {
  hl7::Message message = parseOk(kSmall);

  BOOST_CHECK_EQUAL(valueOf(message, "MSH-1"), "|");
  BOOST_CHECK_EQUAL(valueOf(message, "MSH-2"), "^~\\&");
  BOOST_CHECK_EQUAL(valueOf(message, "MSH-3"), "APP");
  BOOST_CHECK_EQUAL(valueOf(message, "MSH-9.2"), "A01");
  BOOST_CHECK_EQUAL(valueOf(message, "MSH-12"), "2.5");
  BOOST_CHECK(isAbsent(message, "MSH-2.2"));
}

BOOST_AUTO_TEST_CASE(reads_repetitions_components_and_subcomponents) {
  hl7::Message message = parseOk(sample("adt_a01.hl7"));

  BOOST_CHECK_EQUAL(valueOf(message, "PID-5.1"), "TESTPATIENT");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-5.2"), "ALPHA");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-3.1"), "MRN0001");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-3[2].1"), "SSN0001");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-3[2].5"), "SS");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-3.4.2"), "1.2.3");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-3.4"), "HOSPA&1.2.3&ISO");
  BOOST_CHECK(isAbsent(message, "PID-3[3].1"));
  BOOST_CHECK(isAbsent(message, "PID-5.9"));
  BOOST_CHECK(isAbsent(message, "PID-99"));
  BOOST_CHECK(isAbsent(message, "ZZZ-1"));
}

BOOST_AUTO_TEST_CASE(field_without_component_joins_components_with_delimiter) {
  hl7::Message message = parseOk(sample("adt_a01.hl7"));

  BOOST_CHECK_EQUAL(valueOf(message, "PID-5"), "TESTPATIENT^ALPHA^Q^^DR");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-3"), "MRN0001^^^HOSPA&1.2.3&ISO^MR");
  BOOST_CHECK_EQUAL(valueOf(message, "MSH-9"), "ADT^A01^ADT_A01");
}

BOOST_AUTO_TEST_CASE(empty_and_delimiter_only_values_are_absent) {
  hl7::Message message = parseOk("MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\rPID|1||||^^^|\r");

  BOOST_CHECK(isAbsent(message, "PID-2"));
  BOOST_CHECK(isAbsent(message, "PID-5"));
  BOOST_CHECK(isAbsent(message, "PID-5.1"));
  BOOST_CHECK(isAbsent(message, "PID-6"));
}

BOOST_AUTO_TEST_CASE(decodes_delimiter_and_hex_escapes) {
  hl7::Message message = parseOk(sample("adt_a01.hl7"));

  BOOST_CHECK_EQUAL(valueOf(message, "PID-13"), "555&0100");
  BOOST_CHECK_EQUAL(valueOf(message, "OBX[3]-5"), "ABCD and \\Zcustom\\ and C:\\path");
}

BOOST_AUTO_TEST_CASE(keeps_formatting_escapes_verbatim) {
  hl7::Message message = parseOk(sample("adt_a01.hl7"));

  BOOST_CHECK_EQUAL(valueOf(message, "OBX-5"), "first line\\.br\\second \\H\\bold\\N\\ | ^ ~ \\ &");
}

BOOST_AUTO_TEST_CASE(segment_repetition_selects_the_nth_occurrence) {
  hl7::Message message = parseOk(sample("adt_a01.hl7"));

  BOOST_CHECK_EQUAL(valueOf(message, "OBX[2]-5"), "13.5");
  BOOST_CHECK_EQUAL(valueOf(message, "OBX[2]-3.2"), "Hemoglobin");
  BOOST_CHECK(isAbsent(message, "OBX[4]-5"));
}

BOOST_AUTO_TEST_CASE(get_all_expands_wildcards_in_message_order) {
  hl7::Message message = parseOk(sample("adt_a01.hl7"));

  auto ids = message.getAll("PID-3[*].1");
  auto codes = message.getAll("OBX[*]-3.1");
  auto one = message.getAll("OBX[2]-5");
  auto none = message.getAll("ZZZ[*]-1");

  BOOST_REQUIRE(ids.isOk() && codes.isOk() && one.isOk() && none.isOk());
  BOOST_CHECK(ids.value() == (std::vector<std::string>{"MRN0001", "SSN0001"}));
  BOOST_CHECK(codes.value() == (std::vector<std::string>{"NOTE", "HGB", "ESC"}));
  BOOST_CHECK(one.value() == (std::vector<std::string>{"13.5"}));
  BOOST_CHECK(none.value().empty());
}

BOOST_AUTO_TEST_CASE(get_per_repetition_keeps_repetitions_aligned) {
  hl7::Message message =
      parseOk("MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\rPID|1||ID1^^^A1~^^^A2~ID3\rPID|2\r");

  auto ids = message.getPerRepetition("PID-3[*].1");
  auto authorities = message.getPerRepetition("PID-3.4");
  auto second = message.getPerRepetition("PID[2]-3[*].1");
  auto header = message.getPerRepetition("MSH-2");

  BOOST_REQUIRE(ids.isOk() && authorities.isOk() && second.isOk() && header.isOk());
  BOOST_REQUIRE_EQUAL(ids.value().size(), 3u);
  BOOST_CHECK(ids.value()[0] == std::optional<std::string>("ID1"));
  BOOST_CHECK(!ids.value()[1].has_value());
  BOOST_CHECK(ids.value()[2] == std::optional<std::string>("ID3"));
  BOOST_REQUIRE_EQUAL(authorities.value().size(), 3u);
  BOOST_CHECK(authorities.value()[1] == std::optional<std::string>("A2"));
  BOOST_CHECK(second.value().empty());
  BOOST_REQUIRE_EQUAL(header.value().size(), 1u);
  BOOST_CHECK(header.value()[0] == std::optional<std::string>("^~\\&"));
  BOOST_CHECK(!message.getPerRepetition("PID[*]-3").isOk());
}

BOOST_AUTO_TEST_CASE(reads_every_repetition_of_a_field_at_the_limit) {
  std::string field;
  for (int i = 0; i < 2000; ++i) {
    field += (i == 0 ? "" : "~") + std::string("R") + std::to_string(i) + "^X";
  }
  hl7::Message message = parseOk("MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\rPID|1||" + field + "\r");

  auto all = message.getAll("PID-3[*].1");
  auto per = message.getPerRepetition("PID-3.1");

  BOOST_REQUIRE(all.isOk() && per.isOk());
  BOOST_REQUIRE_EQUAL(all.value().size(), 2000u);
  BOOST_CHECK_EQUAL(all.value()[1999], "R1999");
  BOOST_CHECK_EQUAL(per.value().size(), 2000u);
  BOOST_CHECK_EQUAL(valueOf(message, "PID-3[1500].1"), "R1499");
  BOOST_CHECK_EQUAL(message.repetitionCount(1, 3), 2000u);
}

BOOST_AUTO_TEST_CASE(malformed_and_wildcard_paths_are_errors_for_get) {
  hl7::Message message = parseOk(kSmall);

  for (std::string_view path : {"", "PID", "pid-5", "PID-0", "PID-5.", "PID-5.0", "PID-3[0]",
                                "PID-3[x]", "PID-5.1.1.1", "PID-5 ", "PID-1234567"}) {
    auto value = message.get(path);
    BOOST_CHECK_MESSAGE(!value.isOk(), "accepted '" << path << "'");
    BOOST_CHECK(value.status().code() == ErrorCode::ConfigError);
  }
  BOOST_CHECK(!message.get("OBX[*]-5").isOk());
}

BOOST_AUTO_TEST_CASE(formats_paths_canonically) {
  auto path = hl7::parsePath("OBX[1]-5[2].3.4");
  auto wildcard = hl7::parsePath("OBX[*]-5[*]");

  BOOST_REQUIRE(path.isOk() && wildcard.isOk());
  BOOST_CHECK_EQUAL(hl7::formatPath(path.value()), "OBX-5[2].3.4");
  BOOST_CHECK_EQUAL(hl7::formatPath(wildcard.value()), "OBX[*]-5[*]");
  BOOST_CHECK(wildcard.value().hasWildcard());
}

BOOST_AUTO_TEST_CASE(honours_non_default_delimiters) {
  const std::string input =
      "MSH^~|\\&^SEND^FAC^RECV^RFAC^20240101^^ADT~A24^C9^T^2.4\r\n"
      "PID^1^^ID1~~~AUTH&&L|ID2~~~AUTH2^^TESTPATIENT~ALPHA\r\n";

  hl7::Message message = parseOk(input);

  BOOST_CHECK_EQUAL(message.delimiters().field, '^');
  BOOST_CHECK_EQUAL(message.delimiters().component, '~');
  BOOST_CHECK_EQUAL(message.delimiters().repetition, '|');
  BOOST_CHECK_EQUAL(message.triggerEvent(), "A24");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-3[2].1"), "ID2");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-3.4.3"), "L");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-5.2"), "ALPHA");
  BOOST_CHECK_EQUAL(message.segmentTerminator(), "\r\n");
  BOOST_CHECK(message.serialize() == input);
}

BOOST_AUTO_TEST_CASE(duplicate_encoding_characters_are_skipped) {
  hl7::Message message = parseOk("MSH|^~\\\\&|A|B|C|D|1||ADT^A01|X|P|2.6\rPID|1||I&J\r");

  BOOST_CHECK_EQUAL(message.delimiters().escape, '\\');
  BOOST_CHECK_EQUAL(message.delimiters().subcomponent, '&');
  BOOST_CHECK_EQUAL(message.delimiters().truncation, '\0');
  BOOST_CHECK_EQUAL(valueOf(message, "PID-3.1.2"), "J");
  BOOST_CHECK_EQUAL(valueOf(message, "MSH-2"), "^~\\\\&");
}

BOOST_AUTO_TEST_CASE(reads_v27_truncation_character) {
  hl7::Message message = parseOk(sample("v27_truncation.hl7"));

  BOOST_CHECK_EQUAL(message.delimiters().truncation, '#');
  BOOST_CHECK_EQUAL(valueOf(message, "PID-5.2"), "DELTA#");
  BOOST_CHECK_EQUAL(valueOf(message, "NTE-3"), "cut here# not a delimiter");
}

BOOST_AUTO_TEST_CASE(short_encoding_characters_leave_delimiters_undefined) {
  hl7::Message message = parseOk("MSH|^|A|B|C|D|1||ADT^A01|X|P|2.5\rPID|1||a~b\\F\\c\r");

  BOOST_CHECK_EQUAL(message.delimiters().repetition, '\0');
  BOOST_CHECK_EQUAL(message.delimiters().escape, '\0');
  BOOST_CHECK_EQUAL(valueOf(message, "PID-3"), "a~b\\F\\c");
  BOOST_CHECK(isAbsent(message, "PID-3[2]"));
}

BOOST_AUTO_TEST_CASE(wrapped_lines_stay_inside_their_segment) {
  hl7::Message message = parseOk(sample("oru_r01_wrapped_lf.hl7"));

  BOOST_CHECK_EQUAL(message.segmentCount(), 5u);
  BOOST_CHECK_EQUAL(valueOf(message, "OBX-5"),
                    "a long note that the sender\nwrapped onto a second line");
  BOOST_CHECK_EQUAL(valueOf(message, "OBX-11"), "F");
  BOOST_CHECK_EQUAL(valueOf(message, "OBX[2]-5"), "short");
  BOOST_CHECK_EQUAL(message.segmentTerminator(), "\n");
}

BOOST_AUTO_TEST_CASE(tolerates_and_keeps_a_leading_bom) {
  const std::string input = "\xEF\xBB\xBF" + std::string(kSmall);

  hl7::Message message = parseOk(input);

  BOOST_CHECK_EQUAL(message.controlId(), "C1");
  BOOST_CHECK(message.serialize() == input);
  BOOST_CHECK(message.rawSegment(0).substr(0, 3) == "MSH");
}

BOOST_AUTO_TEST_CASE(transcodes_iso_8859_1_to_utf8) {
  hl7::Message message = parseOk(sample("latin1_8859_1.hl7"));

  BOOST_CHECK_EQUAL(valueOf(message, "PID-5.2"), "J\xC3\x89R\xC3\x94ME");
}

BOOST_AUTO_TEST_CASE(undeclared_8bit_text_is_utf8_when_valid_else_latin1) {
  const std::string utf8 = "MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\rPID|1||||SEBASTI\xC3\x81N\r";
  const std::string latin1 = "MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\rPID|1||||SEBASTI\xC1N\r";

  hl7::Message from_utf8 = parseOk(utf8);
  hl7::Message from_latin1 = parseOk(latin1);

  BOOST_CHECK_EQUAL(valueOf(from_utf8, "PID-5"), "SEBASTI\xC3\x81N");
  BOOST_CHECK_EQUAL(valueOf(from_latin1, "PID-5"), "SEBASTI\xC3\x81N");
  BOOST_CHECK(from_latin1.serialize() == latin1);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_declared_utf8_message_is_located_error) {
  const std::string input =
      "MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5||||||UNICODE UTF-8\rPID|1||ID^^^A||TEST\xFFPATIENT\r";
  hl7::ErrorLocation location;

  auto parsed = hl7::Message::parse(input, {}, &location);

  BOOST_REQUIRE(!parsed.isOk());
  BOOST_CHECK(parsed.status().code() == ErrorCode::InvalidMessage);
  BOOST_CHECK_EQUAL(location.segment_index, 2u);
  BOOST_CHECK_EQUAL(location.segment_id, "PID");
  BOOST_CHECK_EQUAL(location.field, 5u);
  BOOST_CHECK_EQUAL(location.byte_offset, input.find('\xFF'));
  BOOST_CHECK(parsed.status().context().find("PATIENT") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_inside_msh_is_located_error) {
  const std::string input = "MSH|^~\\&|A\xC3|B|C|D|1||ADT^A01|X|P|2.5||||||UNICODE UTF-8\rPID|1\r";
  hl7::ErrorLocation location;

  auto parsed = hl7::Message::parse(input, {}, &location);

  BOOST_REQUIRE(!parsed.isOk());
  BOOST_CHECK_EQUAL(location.segment_id, "MSH");
  BOOST_CHECK_EQUAL(location.field, 3u);
  BOOST_CHECK_EQUAL(location.byte_offset, 10u);
}

BOOST_AUTO_TEST_CASE(other_iso_8859_parts_decode_through_iconv) {
  hl7::Message message =
      parseOk("MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5||||||8859/2\rPID|1||||\xA3\xF3\x64\xBC\r");

  BOOST_CHECK_EQUAL(valueOf(message, "PID-5"),
                    "\xC5\x81\xC3\xB3"
                    "d\xC5\xBA");
}

BOOST_AUTO_TEST_CASE(unsupported_charset_parses_but_refuses_non_ascii_text) {
  hl7::Message message =
      parseOk("MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5||||||BIG-5\rPID|1||ID1||\xA4\xA4\r");

  auto name = message.get("PID-5");

  BOOST_CHECK_EQUAL(valueOf(message, "PID-3"), "ID1");
  BOOST_REQUIRE(!name.isOk());
  BOOST_CHECK(name.status().code() == ErrorCode::Unsupported);
}

BOOST_AUTO_TEST_CASE(parse_errors_name_location_never_content) {
  struct Case {
    std::string input;
    std::size_t segment_index;
    std::size_t field;
    std::size_t offset;
  };
  const Case cases[] = {
      {"PID|1||SECRETVALUE\r", 1, 0, 0},
      {"", 1, 0, 0},
      {"MSH", 1, 1, 3},
      {"MSHASECRETVALUE", 1, 1, 3},
      {"MSH|^~\\A|SECRETVALUE", 1, 2, 7},
      {"MSH|^~\\&^~#!$%|SECRETVALUE", 1, 2, 11},
      {"MSH|^^^^^^^^^^^^|SECRETVALUE", 1, 2, 14},
      {"MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\rPID|SECRETVALUE\rMSH|^~\\&|SECRETVALUE\r", 3, 0, 52},
  };

  for (const Case& c : cases) {
    hl7::ErrorLocation location;
    auto parsed = hl7::Message::parse(c.input, {}, &location);

    BOOST_REQUIRE_MESSAGE(!parsed.isOk(), "accepted case at offset " << c.offset);
    BOOST_CHECK(parsed.status().code() == ErrorCode::ParseError);
    BOOST_CHECK_EQUAL(location.segment_index, c.segment_index);
    BOOST_CHECK_EQUAL(location.field, c.field);
    BOOST_CHECK_EQUAL(location.byte_offset, c.offset);
    BOOST_CHECK(parsed.status().context().find("SECRET") == std::string::npos);
    BOOST_CHECK(parsed.status().context().find("byte") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(enforces_parse_limits) {
  hl7::ParseLimits limits;
  limits.max_message_bytes = 200;
  limits.max_segments = 3;
  limits.max_fields_per_segment = 15;
  limits.max_repetitions_per_field = 3;
  limits.max_components = 4;
  limits.max_subcomponents = 2;
  const std::string head = "MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\r";
  struct Case {
    std::string input;
    std::size_t segment_index;
    std::size_t field;
  };
  const Case cases[] = {
      {head + std::string(300, 'x'), 0, 0},
      {head + "PID|1\rPV1|1\rOBX|1\r", 4, 0},
      {head + "PID|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16\r", 2, 15},
      {head + "PID|1||a~b~c~d\r", 2, 3},
      {head + "PID|1||a^b^c^d^e\r", 2, 3},
      {head + "PID|1||a&b&c\r", 2, 3},
  };

  for (const Case& c : cases) {
    hl7::ErrorLocation location;
    auto parsed = hl7::Message::parse(c.input, limits, &location);

    BOOST_REQUIRE(!parsed.isOk());
    BOOST_CHECK(parsed.status().code() == ErrorCode::LimitExceeded);
    BOOST_CHECK_EQUAL(location.segment_index, c.segment_index);
    BOOST_CHECK_EQUAL(location.field, c.field);
  }
  BOOST_CHECK(hl7::Message::parse(head + "PID|1||a~b~c^d^e^f&g\r", limits).isOk());
}

BOOST_AUTO_TEST_CASE(rejects_a_second_msh_segment) {
  const std::string input = std::string(kSmall) + std::string(kSmall);
  hl7::ErrorLocation location;

  auto parsed = hl7::Message::parse(input, {}, &location);

  BOOST_REQUIRE(!parsed.isOk());
  BOOST_CHECK_EQUAL(location.segment_index, 3u);
  BOOST_CHECK_EQUAL(location.segment_id, "MSH");
  BOOST_CHECK_EQUAL(location.byte_offset, kSmall.size());
}

BOOST_AUTO_TEST_CASE(set_changes_only_the_addressed_bytes) {
  hl7::Message message = parseOk(kSmall);
  std::string expected(kSmall);
  expected.replace(expected.find("ALPHA"), 5, "OMEGA");

  BOOST_REQUIRE(message.set("PID-5.2", "OMEGA").isOk());

  BOOST_CHECK(message.serialize() == expected);
  BOOST_CHECK_EQUAL(valueOf(message, "PID-5.2"), "OMEGA");
}

BOOST_AUTO_TEST_CASE(set_creates_missing_fields_repetitions_and_components) {
  hl7::Message message = parseOk(kSmall);

  BOOST_REQUIRE(message.set("PID-8", "F").isOk());
  BOOST_REQUIRE(message.set("PID-11[2].3", "TOWN").isOk());
  BOOST_REQUIRE(message.set("PID-3[3].4.2", "1.2.3").isOk());
  BOOST_REQUIRE(message.set("PID-5.5.2", "X").isOk());

  BOOST_CHECK_EQUAL(
      message.rawSegment(1),
      "PID|1||ID1^^^AUTH1~ID2^^^AUTH2~^^^&1.2.3||TESTPATIENT^ALPHA^^^&X|||F|||~^^TOWN");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-11[2].3"), "TOWN");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-8"), "F");
}

BOOST_AUTO_TEST_CASE(set_escapes_delimiters_and_line_breaks) {
  hl7::Message message = parseOk(kSmall);

  BOOST_REQUIRE(message.set("PID-5.1", "A|B^C~D\\E&F\r\nG").isOk());

  BOOST_CHECK_EQUAL(message.rawField(1, 5), "A\\F\\B\\S\\C\\R\\D\\E\\E\\T\\F\\X0D\\\\X0A\\G^ALPHA");
  BOOST_CHECK_EQUAL(valueOf(message, "PID-5.1"), "A|B^C~D\\E&F\r\nG");
  BOOST_CHECK_EQUAL(message.segmentCount(), 2u);
}

BOOST_AUTO_TEST_CASE(set_appends_a_missing_segment_after_the_last_one) {
  hl7::Message message = parseOk("MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\nPID|1\n\n");

  BOOST_REQUIRE(message.set("ZPI-2.2", "V").isOk());

  BOOST_CHECK(message.serialize() == "MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\nPID|1\nZPI||^V\n\n");
  BOOST_CHECK(message.set("ZPI[3]-1", "V").code() == ErrorCode::NotFound);
}

BOOST_AUTO_TEST_CASE(set_refuses_delimiter_fields_wildcards_and_bad_values) {
  hl7::Message message = parseOk(kSmall);
  const std::string before = message.serialize();

  BOOST_CHECK(!message.set("MSH-1", "#").isOk());
  BOOST_CHECK(!message.set("MSH-2", "^~\\&").isOk());
  BOOST_CHECK(!message.set("PID[*]-5", "X").isOk());
  BOOST_CHECK(!message.set("PID-5", "\xFF").isOk());
  BOOST_CHECK(message.set("PID-9999", "X").code() == ErrorCode::LimitExceeded);
  BOOST_CHECK(message.serialize() == before);
}

BOOST_AUTO_TEST_CASE(set_writes_in_the_message_charset) {
  hl7::Message message = parseOk(sample("latin1_8859_1.hl7"));

  BOOST_REQUIRE(message.set("PID-5.2", "ZO\xC3\x8B").isOk());

  BOOST_CHECK_EQUAL(message.rawField(1, 5), "TESTPATIENT^ZO\xCB");
  BOOST_CHECK(message.set("PID-5.2", "\xE2\x82\xAC").code() == ErrorCode::InvalidMessage);
}

BOOST_AUTO_TEST_CASE(copies_are_independent) {
  hl7::Message original = parseOk(kSmall);
  hl7::Message copy = original;

  BOOST_REQUIRE(copy.set("PID-5.1", "CHANGED").isOk());

  BOOST_CHECK_EQUAL(valueOf(original, "PID-5.1"), "TESTPATIENT");
  BOOST_CHECK_EQUAL(valueOf(copy, "PID-5.1"), "CHANGED");
}

BOOST_AUTO_TEST_CASE(default_and_moved_from_messages_are_empty) {
  hl7::Message empty;
  hl7::Message source = parseOk(kSmall);
  hl7::Message target = std::move(source);

  BOOST_CHECK_EQUAL(empty.segmentCount(), 0u);
  BOOST_CHECK(empty.serialize().empty());
  BOOST_CHECK(isAbsent(empty, "PID-5"));
  BOOST_CHECK_EQUAL(empty.controlId(), "");
  BOOST_CHECK(!empty.set("PID-5", "X").isOk());
  BOOST_CHECK_EQUAL(target.controlId(), "C1");
}

BOOST_AUTO_TEST_CASE(raw_accessors_and_repetition_count) {
  hl7::Message message = parseOk(kSmall);

  BOOST_CHECK_EQUAL(message.rawField(0, 1), "|");
  BOOST_CHECK_EQUAL(message.rawField(0, 9), "ADT^A01^ADT_A01");
  BOOST_CHECK_EQUAL(message.rawField(1, 3), "ID1^^^AUTH1~ID2^^^AUTH2");
  BOOST_CHECK_EQUAL(message.rawField(1, 40), "");
  BOOST_CHECK_EQUAL(message.repetitionCount(1, 3), 2u);
  BOOST_CHECK_EQUAL(message.repetitionCount(1, 2), 0u);
  BOOST_CHECK_EQUAL(message.rawSegment(1), "PID|1||ID1^^^AUTH1~ID2^^^AUTH2||TESTPATIENT^ALPHA");
}

BOOST_AUTO_TEST_CASE(describes_locations_without_content) {
  hl7::ErrorLocation location;
  location.segment_index = 3;
  location.segment_id = "PID";
  location.field = 5;
  location.component = 2;
  location.byte_offset = 77;

  BOOST_CHECK_EQUAL(hl7::describeLocation(location),
                    "segment 3 (PID), field 5, component 2, byte 77");
}

BOOST_AUTO_TEST_CASE(a_lone_cr_always_ends_a_segment_even_before_a_line_that_is_no_segment) {
  const std::string raw = "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X4|P|2.5|\rpid|1||123||NAME^J\r";

  auto parsed = hl7::Message::parse(raw);

  // Either refused (a lower-case segment id) or read as its own segment: never merged into MSH.
  if (parsed.isOk()) {
    BOOST_CHECK_EQUAL(parsed.value().charset(), "");
    BOOST_CHECK_EQUAL(parsed.value().segmentCount(), 2u);
  }
}

BOOST_AUTO_TEST_SUITE_END()
