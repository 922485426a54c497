#include "engine/fhir/json_writer.h"

#include <boost/test/unit_test.hpp>

#include <string>

#include "engine/fhir/json_parser.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using engine::fhir::appendJson;
using engine::fhir::JsonValue;
using engine::fhir::parseFhirJson;
using engine::fhir::writeJson;

JsonValue sample() {
  JsonValue root = JsonValue::makeObject();
  root.add("resourceType", JsonValue::makeString("Observation"));
  JsonValue& component = root.add("component", JsonValue::makeArray());
  JsonValue& quantity = component.push(JsonValue::makeObject());
  quantity.add("value", JsonValue::makeNumber("1.50"));
  quantity.add("flag", JsonValue::makeBool(true));
  component.push(JsonValue());
  return root;
}

JsonValue reparsed(const std::string& text) {
  auto result = parseFhirJson(text);
  BOOST_REQUIRE_MESSAGE(result.isOk(), result.status().toString());
  return result.value().root;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_writer)

BOOST_AUTO_TEST_CASE(writes_compact_json_with_members_in_order) {
  std::string text = writeJson(sample());

  BOOST_CHECK_EQUAL(
      text, R"({"resourceType":"Observation","component":[{"value":1.50,"flag":true},null]})");
}

BOOST_AUTO_TEST_CASE(writes_pretty_json_indented_by_two_spaces) {
  std::string text = writeJson(sample(), true);

  BOOST_CHECK_EQUAL(text,
                    "{\n"
                    "  \"resourceType\": \"Observation\",\n"
                    "  \"component\": [\n"
                    "    {\n"
                    "      \"value\": 1.50,\n"
                    "      \"flag\": true\n"
                    "    },\n"
                    "    null\n"
                    "  ]\n"
                    "}");
}

BOOST_AUTO_TEST_CASE(writes_empty_containers_as_bracket_pairs) {
  JsonValue root = JsonValue::makeObject();
  root.add("a", JsonValue::makeArray());
  root.add("o", JsonValue::makeObject());

  BOOST_CHECK_EQUAL(writeJson(root), R"({"a":[],"o":{}})");
  BOOST_CHECK_EQUAL(writeJson(root, true), "{\n  \"a\": [],\n  \"o\": {}\n}");
}

BOOST_AUTO_TEST_CASE(writes_numbers_as_their_literal_text) {
  JsonValue array = JsonValue::makeArray();
  for (const char* literal : {"1.000000000000000000E-245", "-0.0", "0.000001", "1e+2"}) {
    array.push(JsonValue::makeNumber(literal));
  }

  BOOST_CHECK_EQUAL(writeJson(array), "[1.000000000000000000E-245,-0.0,0.000001,1e+2]");
}

BOOST_AUTO_TEST_CASE(escapes_quotes_backslashes_and_control_characters) {
  JsonValue value = JsonValue::makeString(std::string("q\"b\\n\nr\rt\tb\bf\fz\0u\x1f", 18));

  BOOST_CHECK_EQUAL(writeJson(value), R"("q\"b\\n\nr\rt\tb\bf\fz\u0000u\u001f")");
}

BOOST_AUTO_TEST_CASE(leaves_slash_and_utf8_unescaped) {
  const std::string text = "http://x/y Zo\xC3\xAB \xF0\x9F\x98\x80 \x7F";

  BOOST_CHECK_EQUAL(writeJson(JsonValue::makeString(text)), "\"" + text + "\"");
}

BOOST_AUTO_TEST_CASE(escapes_member_names_too) {
  JsonValue root = JsonValue::makeObject();
  root.add("a\"b", JsonValue::makeBool(false));

  BOOST_CHECK_EQUAL(writeJson(root), R"({"a\"b":false})");
}

BOOST_AUTO_TEST_CASE(escapes_land_right_wherever_they_fall_in_long_strings) {
  // The writer copies eight bytes at a time, the last word overlapping the one before: put
  // the quote at every position of strings of several lengths.
  for (std::size_t length = 1; length <= 40; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      std::string text(length, 'a');
      text[at] = '"';
      JsonValue object = JsonValue::makeObject();
      object.add(text, JsonValue::makeString(text));
      std::string escaped = text;
      escaped.replace(at, 1, "\\\"");

      BOOST_CHECK_EQUAL(writeJson(object), "{\"" + escaped + "\":\"" + escaped + "\"}");
    }
  }
}

BOOST_AUTO_TEST_CASE(writes_empty_strings_and_names) {
  JsonValue object = JsonValue::makeObject();
  object.add("", JsonValue::makeString(""));

  BOOST_CHECK_EQUAL(writeJson(object), "{\"\":\"\"}");
}

BOOST_AUTO_TEST_CASE(writes_each_document_alone_after_a_larger_one) {
  JsonValue large = JsonValue::makeObject();
  large.add("text", JsonValue::makeString(std::string(100000, 'x')));
  JsonValue small = JsonValue::makeObject();
  small.add("a", JsonValue::makeNumber("1"));

  std::string first = writeJson(large);
  std::string second = writeJson(small);
  std::string third = writeJson(sample(), true);

  BOOST_CHECK_EQUAL(first.size(), 100000u + 11u);
  BOOST_CHECK_EQUAL(second, "{\"a\":1}");
  BOOST_CHECK_EQUAL(third.front(), '{');
  BOOST_CHECK_EQUAL(third.back(), '}');
}

BOOST_AUTO_TEST_CASE(append_adds_to_existing_text) {
  std::string out = "prefix ";

  appendJson(JsonValue::makeNumber("7"), out);

  BOOST_CHECK_EQUAL(out, "prefix 7");
}

BOOST_AUTO_TEST_CASE(every_control_character_survives_a_round_trip) {
  std::string all;
  for (int c = 0; c < 0x20; ++c) {
    all += static_cast<char>(c);
  }
  all += "\"\\/";
  JsonValue value = JsonValue::makeString(all);

  BOOST_CHECK(reparsed(writeJson(value)) == value);
}

BOOST_AUTO_TEST_CASE(round_trips_every_corpus_file) {
  int checked = 0;
  for (const auto& path : corpusFiles("fhir")) {
    if (path.extension() != ".json") {
      continue;
    }
    auto first = parseFhirJson(readFile(path));
    if (!first.isOk()) {
      continue;  // malformed on purpose: json_parser_test checks those
    }
    const JsonValue& root = first.value().root;

    JsonValue compact = reparsed(writeJson(root));
    JsonValue pretty = reparsed(writeJson(root, true));

    BOOST_CHECK_MESSAGE(compact == root, path.filename() << ": compact round trip differs");
    BOOST_CHECK_MESSAGE(pretty == root, path.filename() << ": pretty round trip differs");
    BOOST_CHECK_EQUAL(writeJson(compact), writeJson(root));
    ++checked;
  }
  if (checked == 0) {
    BOOST_TEST_MESSAGE("corpus fhir/ absent: skipped");
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
