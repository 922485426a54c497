// Validator::validateWritten(): the issues of a built tree's written text, found by walking the
// tree when that is certain to give the same answer, by parsing the text otherwise.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_value.h"
#include "engine/fhir/json_writer.h"
#include "fhir/validator_test_support.h"

namespace ferry::testing {
namespace {

using engine::fhir::Issue;
using engine::fhir::JsonValue;
using engine::fhir::writeJson;

constexpr const char* kBundle = R"({
  "resourceType": "Bundle",
  "type": "transaction",
  "entry": [{
    "fullUrl": "urn:uuid:0e0a1a6e-6d6b-5c3f-9a0b-1c2d3e4f5a6b",
    "resource": {"resourceType": "Patient", "id": "0e0a1a6e-6d6b-5c3f-9a0b-1c2d3e4f5a6b",
                 "name": [{"family": "TESTPATIENT"}], "gender": "female"},
    "request": {"method": "PUT", "url": "Patient/0e0a1a6e-6d6b-5c3f-9a0b-1c2d3e4f5a6b"}
  }]
})";

// A tree as code would build it: parsed, then changed.
JsonValue bundle() {
  auto parsed = engine::fhir::parseFhirJson(kBundle);
  BOOST_REQUIRE(parsed.isOk());
  return parsed.value().root;
}

JsonValue& patientOf(JsonValue& tree) {
  return *tree.find("entry")->elements().front().find("resource");
}

// What a caller acts on: severity, code, place and rule of each issue, in order (lines differ:
// a walk over the tree has no text to count them in).
std::vector<std::string> verdict(const std::vector<Issue>& issues) {
  std::vector<std::string> out;
  for (const Issue& issue : issues) {
    out.push_back(std::to_string(static_cast<int>(issue.severity)) + " " + issue.code + " " +
                  issue.expression + ": " + issue.diagnostics);
  }
  return out;
}

void checkSameAsText(const JsonValue& tree) {
  std::string text = writeJson(tree);

  auto written = verdict(builtInValidator().validateWritten(tree, text));
  auto parsed = verdict(builtInValidator().validateText(text));

  BOOST_CHECK_EQUAL_COLLECTIONS(written.begin(), written.end(), parsed.begin(), parsed.end());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(validator_written)

BOOST_AUTO_TEST_CASE(finds_a_valid_bundle_valid) {
  JsonValue tree = bundle();

  auto issues = builtInValidator().validateWritten(tree, writeJson(tree));

  BOOST_CHECK_MESSAGE(errorsOf(issues).empty(), describe(issues));
  checkSameAsText(tree);
}

BOOST_AUTO_TEST_CASE(reports_what_the_text_would_get_for_an_invalid_element) {
  JsonValue tree = bundle();
  patientOf(tree).addString("gender", "unknown-to-fhir");
  patientOf(tree).addString("birthDate", "1980-13-45");
  patientOf(tree).addString("shoeSize", "44");

  auto issues = builtInValidator().validateWritten(tree, writeJson(tree));

  BOOST_CHECK(hasErrorAt(issues, "Bundle.entry[0].resource.birthDate"));
  BOOST_CHECK(hasErrorAt(issues, "Bundle.entry[0].resource.shoeSize"));
  checkSameAsText(tree);
}

BOOST_AUTO_TEST_CASE(reports_json_rules_as_the_parser_does) {
  JsonValue whitespace = bundle();
  patientOf(whitespace).find("name")->elements().front().find("family")->setText("  ");
  JsonValue repeated = bundle();
  patientOf(repeated).addString("gender", "male");
  JsonValue huge_number = bundle();
  patientOf(huge_number).add("multipleBirthInteger", JsonValue::makeNumber(std::string(400, '9')));

  auto issues = builtInValidator().validateWritten(whitespace, writeJson(whitespace));

  BOOST_CHECK(
      hasErrorAt(issues, "Bundle.entry[0].resource.name[0].family", "string of only whitespace"));
  checkSameAsText(whitespace);
  checkSameAsText(repeated);
  checkSameAsText(huge_number);
  BOOST_CHECK(
      engine::fhir::hasErrors(builtInValidator().validateWritten(repeated, writeJson(repeated))));
  BOOST_CHECK(engine::fhir::hasErrors(
      builtInValidator().validateWritten(huge_number, writeJson(huge_number))));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
