#include "engine/fhir/json_round_trip.h"

#include <boost/test/unit_test.hpp>

#include <string>

#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_writer.h"

namespace ferry::testing {
namespace {

using engine::fhir::JsonLimits;
using engine::fhir::JsonValue;
using engine::fhir::parseFhirJson;
using engine::fhir::readsBackUnchanged;
using engine::fhir::writeJson;

// A Patient as code builds one: strings, a number, a boolean, nested objects and arrays.
JsonValue patient() {
  JsonValue root = JsonValue::makeObject();
  root.addString("resourceType", "Patient");
  root.addString("id", "p1");
  root.add("active", JsonValue::makeBool(true));
  JsonValue& name = root.addArray("name").pushObject();
  name.addString("family", "Zoë \"Q\" \\ Ünal");  // escapes and multi-byte UTF-8
  name.addArray("given").push(JsonValue::makeString("line\none\ttab"));
  root.addObject("extension").add("valueDecimal", JsonValue::makeNumber("-0.50"));
  return root;
}

// True when the parser reads the written tree back equal and without any issue.
bool parserAgrees(const JsonValue& tree, const JsonLimits& limits = {}) {
  std::string text = writeJson(tree);
  auto parsed = parseFhirJson(text, limits);
  return parsed.isOk() && parsed.value().issues.empty() && parsed.value().root == tree;
}

bool vouchedFor(const JsonValue& tree, const JsonLimits& limits = {}) {
  return readsBackUnchanged(tree, writeJson(tree).size(), limits);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_round_trip)

BOOST_AUTO_TEST_CASE(vouches_for_a_clean_tree_the_parser_reads_back_equal) {
  JsonValue tree = patient();

  BOOST_CHECK(vouchedFor(tree));
  BOOST_CHECK(parserAgrees(tree));
}

BOOST_AUTO_TEST_CASE(null_inside_an_array_is_no_obstacle) {
  JsonValue tree = patient();
  tree.addArray("_given").push(JsonValue());

  BOOST_CHECK(vouchedFor(tree));
  BOOST_CHECK(parserAgrees(tree));
}

BOOST_AUTO_TEST_CASE(leaves_to_the_parser_what_it_would_report) {
  auto with = [](auto change) {
    JsonValue tree = patient();
    change(tree);
    return tree;
  };
  const JsonValue cases[] = {
      with([](JsonValue& t) { t.add("deceased", JsonValue()); }),
      with([](JsonValue& t) { t.addString("gender", ""); }),
      with([](JsonValue& t) { t.addString("gender", " \t\r\n"); }),
      with([](JsonValue& t) { t.addObject("meta"); }),
      with([](JsonValue& t) { t.addArray("telecom"); }),
      with([](JsonValue& t) { t.addString("id", "again"); }),
      with([](JsonValue& t) { t.addString("gender", "\xC3"); }),          // cut-off UTF-8
      with([](JsonValue& t) { t.addString("gender", "\xED\xA0\x80"); }),  // a surrogate
      with([](JsonValue& t) { t.addString("\xFF", "x"); }),               // invalid name
  };

  for (const JsonValue& tree : cases) {
    BOOST_CHECK(!vouchedFor(tree));
    BOOST_CHECK(!parserAgrees(tree));
  }
}

BOOST_AUTO_TEST_CASE(leaves_numbers_other_than_plain_decimals_to_the_parser) {
  for (const char* literal : {"1e5", "01", "1.", ".5", "+1", "- 1", "NaN"}) {
    JsonValue tree = patient();
    tree.add("multipleBirthInteger", JsonValue::makeNumber(literal));

    BOOST_CHECK_MESSAGE(!vouchedFor(tree), literal);
  }
  JsonValue huge = patient();
  huge.add("multipleBirthInteger", JsonValue::makeNumber(std::string(400, '9')));
  BOOST_CHECK(!vouchedFor(huge));
  BOOST_CHECK(!parserAgrees(huge));
}

BOOST_AUTO_TEST_CASE(leaves_a_string_holding_members_to_the_parser) {
  JsonValue tree = patient();
  JsonValue odd = JsonValue::makeString("text");
  odd.add("hidden", JsonValue::makeString("lost when written"));
  tree.add("gender", std::move(odd));

  BOOST_CHECK(!vouchedFor(tree));
}

BOOST_AUTO_TEST_CASE(holds_trees_to_the_parser_limits) {
  JsonLimits shallow;
  shallow.max_depth = 2;
  JsonLimits few;
  few.max_nodes = 5;
  JsonLimits small;
  small.max_bytes = 10;

  BOOST_CHECK(!vouchedFor(patient(), shallow));
  BOOST_CHECK(!parserAgrees(patient(), shallow));
  BOOST_CHECK(!vouchedFor(patient(), few));
  BOOST_CHECK(!parserAgrees(patient(), few));
  BOOST_CHECK(!vouchedFor(patient(), small));
  BOOST_CHECK(!parserAgrees(patient(), small));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
