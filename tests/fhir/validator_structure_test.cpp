// The validator's structural checks: resource types, known elements, choice types, arrays
// versus single values, cardinality, JSON kinds, primitive formats, "_name" siblings, and how
// issues are located.

#include <boost/test/unit_test.hpp>

#include <string>
#include <thread>

#include "engine/fhir/json_value.h"
#include "fhir/validator_test_support.h"

namespace ferry::testing {
namespace {

using engine::fhir::IssueSeverity;
using engine::fhir::JsonValue;
using engine::fhir::ValidationOptions;

constexpr const char* kPatient = R"({
  "resourceType": "Patient",
  "id": "test-alpha",
  "active": true,
  "name": [{"family": "TESTPATIENT", "given": ["ALPHA", "BETA"]}],
  "gender": "female",
  "birthDate": "1990-02-28",
  "multipleBirthInteger": 2
})";

}  // namespace

BOOST_AUTO_TEST_SUITE(validator_structure)

BOOST_AUTO_TEST_CASE(accepts_a_valid_patient) {
  auto issues = validateJson(kPatient);

  BOOST_CHECK_MESSAGE(errorsOf(issues).empty(), describe(issues));
}

BOOST_AUTO_TEST_CASE(refuses_a_document_without_resource_type) {
  auto issues = validateJson(R"({"name": [{"family": "TESTPATIENT"}]})");

  BOOST_CHECK_MESSAGE(!errorsOf(issues).empty(), describe(issues));
}

BOOST_AUTO_TEST_CASE(refuses_unknown_and_abstract_resource_types) {
  auto unknown = validateJson(R"({"resourceType": "Patients", "id": "a"})");
  auto abstract = validateJson(R"({"resourceType": "DomainResource", "id": "a"})");

  BOOST_CHECK_MESSAGE(hasErrorAt(unknown, "resourceType", "not a known"), describe(unknown));
  BOOST_CHECK_MESSAGE(hasErrorAt(abstract, "resourceType", "abstract"), describe(abstract));
}

BOOST_AUTO_TEST_CASE(refuses_a_resource_of_another_type_than_expected) {
  ValidationOptions options;
  options.expected_type = "Observation";

  auto issues = validateJson(kPatient, options);

  BOOST_CHECK_MESSAGE(!errorsOf(issues).empty(), describe(issues));
}

BOOST_AUTO_TEST_CASE(names_an_unknown_element_by_its_path) {
  auto issues = validateJson(
      R"({"resourceType": "Patient", "name": [{"family": "TESTPATIENT", "nickname": "A"}]})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.name[0].nickname", "not a known element"),
                      describe(issues));
}

BOOST_AUTO_TEST_CASE(hides_member_names_that_do_not_look_like_element_names) {
  auto issues = validateJson(R"({"resourceType": "Patient", "TESTPATIENT ALPHA 1990": true})");

  BOOST_REQUIRE_EQUAL(errorsOf(issues).size(), 1u);
  BOOST_CHECK(issues.front().expression.find("TESTPATIENT") == std::string::npos);
  BOOST_CHECK(issues.front().diagnostics.find("TESTPATIENT") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(requires_arrays_for_repeating_elements_and_single_values_otherwise) {
  auto issues = validateJson(
      R"({"resourceType": "Patient", "name": {"family": "TESTPATIENT"}, "gender": ["male"]})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.name", "array"), describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.gender", "not an array"), describe(issues));
}

BOOST_AUTO_TEST_CASE(reports_each_missing_required_element) {
  auto issues = validateJson(R"({"resourceType": "Observation", "id": "obs-1"})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Observation.status", "minimum 1"), describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Observation.code", "minimum 1"), describe(issues));
}

BOOST_AUTO_TEST_CASE(counts_a_primitive_extension_as_presence) {
  auto issues = validateJson(R"({"resourceType": "Observation",
    "_status": {"extension": [{"url": "http://example.org/why", "valueString": "unknown"}]},
    "code": {"text": "test"}})");

  BOOST_CHECK_MESSAGE(errorsOf(issues).empty(), describe(issues));
}

BOOST_AUTO_TEST_CASE(resolves_choice_types_by_their_json_name) {
  auto good = validateJson(R"({"resourceType": "Observation", "status": "final",
    "code": {"text": "weight"}, "valueQuantity": {"value": 72.5, "unit": "kg"}})");
  auto unknown_type = validateJson(R"({"resourceType": "Observation", "status": "final",
    "code": {"text": "weight"}, "valueHumanName": {"family": "TESTPATIENT"}})");
  auto lower_case = validateJson(R"({"resourceType": "Observation", "status": "final",
    "code": {"text": "weight"}, "valuestring": "heavy"})");

  BOOST_CHECK_MESSAGE(errorsOf(good).empty(), describe(good));
  BOOST_CHECK_MESSAGE(hasErrorAt(unknown_type, "Observation.valueHumanName"),
                      describe(unknown_type));
  BOOST_CHECK_MESSAGE(hasErrorAt(lower_case, "Observation.valuestring"), describe(lower_case));
}

BOOST_AUTO_TEST_CASE(refuses_two_types_for_one_choice_element) {
  auto issues = validateJson(R"({"resourceType": "Observation", "status": "final",
    "code": {"text": "weight"}, "valueString": "heavy", "valueBoolean": true})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Observation.value", "only one type"), describe(issues));
}

BOOST_AUTO_TEST_CASE(locates_choice_elements_with_of_type) {
  auto issues = validateJson(R"({"resourceType": "Observation", "status": "final",
    "code": {"text": "weight"}, "valueQuantity": {"value": "72"}})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Observation.value.ofType(Quantity).value", "number"),
                      describe(issues));
}

BOOST_AUTO_TEST_CASE(requires_json_numbers_booleans_and_strings_where_fhir_says_so) {
  auto issues = validateJson(R"({"resourceType": "Patient", "active": "true",
    "multipleBirthInteger": "2", "birthDate": 19900228})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.active", "boolean"), describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.multipleBirth.ofType(integer)", "number"),
                      describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.birthDate", "string"), describe(issues));
}

BOOST_AUTO_TEST_CASE(checks_primitive_formats_where_they_occur) {
  auto issues = validateJson(R"({"resourceType": "Patient", "id": "has space",
    "birthDate": "1990-02-30", "multipleBirthInteger": 1.5,
    "name": [{"given": ["ALPHA"], "period": {"start": "2001-01-01T10:00:00"}}]})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.id", "not a valid id"), describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.birthDate", "date"), describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.multipleBirth.ofType(integer)", "integer"),
                      describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.name[0].period.start", "dateTime"),
                      describe(issues));
}

BOOST_AUTO_TEST_CASE(checks_elements_of_nested_backbone_elements_and_content_references) {
  auto issues = validateJson(R"({"resourceType": "Questionnaire", "status": "draft",
    "item": [{"linkId": "1", "type": "group",
              "item": [{"linkId": "1.1", "type": "string", "colour": "red"}]}]})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Questionnaire.item[0].item[0].colour"), describe(issues));
  BOOST_CHECK_EQUAL(errorsOf(issues).size(), 1u);
}

BOOST_AUTO_TEST_CASE(accepts_primitive_extensions_aligned_with_their_array) {
  auto issues = validateJson(R"({"resourceType": "Patient",
    "name": [{"given": ["ALPHA", null],
              "_given": [null, {"extension": [{"url": "http://example.org/x",
                                               "valueString": "y"}]}]}],
    "_birthDate": {"id": "bd"}, "birthDate": "1990"})");

  BOOST_CHECK_MESSAGE(!hasErrorAt(issues, "Patient.name[0].given[1]"), describe(issues));
  // An object holding only an id has neither a value nor children (ele-1).
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.birthDate", "ele-1"), describe(issues));
  BOOST_CHECK_EQUAL(errorsOf(issues).size(), 1u);
}

BOOST_AUTO_TEST_CASE(refuses_misaligned_primitive_extension_arrays) {
  auto length = validateJson(R"({"resourceType": "Patient",
    "name": [{"given": ["ALPHA", "BETA"], "_given": [{"id": "g"}]}]})");
  auto double_null = validateJson(R"({"resourceType": "Patient",
    "name": [{"given": ["ALPHA", null], "_given": [{"id": "g"}, null]}]})");
  auto lone_null = validateJson(R"({"resourceType": "Patient",
    "name": [{"given": ["ALPHA", null]}]})");

  BOOST_CHECK_MESSAGE(hasErrorAt(length, "Patient.name[0].given", "as many items"),
                      describe(length));
  BOOST_CHECK_MESSAGE(hasErrorAt(double_null, "Patient.name[0].given[1]", "null"),
                      describe(double_null));
  BOOST_CHECK_MESSAGE(hasErrorAt(lone_null, "Patient.name[0].given[1]", "null"),
                      describe(lone_null));
}

BOOST_AUTO_TEST_CASE(refuses_extension_siblings_of_complex_elements) {
  auto issues = validateJson(R"({"resourceType": "Patient", "_name": [{"id": "n"}]})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.name", "primitive"), describe(issues));
}

BOOST_AUTO_TEST_CASE(refuses_fhir_comments_and_nested_resource_type) {
  auto issues = validateJson(R"({"resourceType": "Patient", "fhir_comments": ["note"],
    "name": [{"resourceType": "HumanName", "family": "TESTPATIENT"}]})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.fhir_comments", "R4"), describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.name[0].resourceType", "root"), describe(issues));
}

BOOST_AUTO_TEST_CASE(locates_issues_inside_bundle_entries) {
  auto issues = validateJson(R"({"resourceType": "Bundle", "type": "collection", "entry": [
    {"fullUrl": "urn:uuid:0f6e1a8e-7d1b-4a2c-9f3e-2b1c0d9e8f7a",
     "resource": {"resourceType": "Patient", "birthDate": "1990-02-28"}},
    {"fullUrl": "urn:uuid:1f6e1a8e-7d1b-4a2c-9f3e-2b1c0d9e8f7a",
     "resource": {"resourceType": "Patient", "birthDate": "28/02/1990"}}]})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Bundle.entry[1].resource.birthDate", "date"),
                      describe(issues));
  BOOST_CHECK_EQUAL(errorsOf(issues).size(), 1u);
}

BOOST_AUTO_TEST_CASE(gives_the_line_and_column_of_the_value) {
  auto issues =
      validateJson("{\n  \"resourceType\": \"Patient\",\n  \"birthDate\": \"1990-13\"\n}");

  BOOST_REQUIRE_EQUAL(errorsOf(issues).size(), 1u);
  BOOST_CHECK_EQUAL(issues.front().line, 3);
  BOOST_CHECK_EQUAL(issues.front().column, 16);
}

BOOST_AUTO_TEST_CASE(never_quotes_the_value_in_an_issue) {
  auto issues = validateJson(R"({"resourceType": "Patient", "id": "TESTPATIENT ALPHA",
    "birthDate": "TESTPATIENT-BIRTH", "gender": "TESTPATIENT-GENDER",
    "telecom": [{"system": "url", "value": "TESTPATIENT VALUE"}]})");

  BOOST_REQUIRE(!errorsOf(issues).empty());
  for (const auto& issue : issues) {
    BOOST_CHECK_MESSAGE(issue.diagnostics.find("TESTPATIENT") == std::string::npos,
                        issue.diagnostics);
    BOOST_CHECK_MESSAGE(issue.expression.find("TESTPATIENT") == std::string::npos,
                        issue.expression);
  }
}

BOOST_AUTO_TEST_CASE(validate_reports_empty_values_in_a_tree_built_by_code) {
  JsonValue patient = JsonValue::makeObject();
  patient.add("resourceType", JsonValue::makeString("Patient"));
  patient.add("gender", JsonValue::makeString(""));
  patient.add("name", JsonValue::makeArray());
  patient.add("active", JsonValue());

  auto issues = builtInValidator().validate(patient);

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.gender", "empty"), describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.name", "empty"), describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.active", "null"), describe(issues));
}

BOOST_AUTO_TEST_CASE(validate_text_reports_parser_issues_once) {
  auto issues = validateJson(R"({"resourceType": "Patient", "gender": "", "name": []})");

  std::size_t gender = 0;
  for (const auto& issue : issues) {
    gender += issue.expression == "Patient.gender" ? 1 : 0;
  }
  BOOST_CHECK_EQUAL(gender, 1u);
}

BOOST_AUTO_TEST_CASE(warns_but_accepts_control_characters_in_strings) {
  auto issues =
      validateJson(R"({"resourceType": "Patient", "name": [{"text": "TESTPATIENT\u0013ALPHA"}]})");

  BOOST_CHECK_MESSAGE(errorsOf(issues).empty(), describe(issues));
  BOOST_REQUIRE_EQUAL(issues.size(), 1u);
  BOOST_CHECK(issues.front().severity == IssueSeverity::Warning);
  BOOST_CHECK_EQUAL(issues.front().expression, "Patient.name[0].text");
}

BOOST_AUTO_TEST_CASE(validators_from_the_same_definitions_run_concurrently) {
  auto definitions = engine::fhir::Definitions::builtIn();
  BOOST_REQUIRE(definitions.isOk());
  engine::fhir::Validator first(definitions.value());
  engine::fhir::Validator second(definitions.value());
  std::size_t first_errors = 0;
  std::size_t second_errors = 0;

  std::thread a([&] {
    for (int i = 0; i < 50; ++i) {
      first_errors += errorsOf(first.validateText(kPatient)).size();
    }
  });
  std::thread b([&] {
    for (int i = 0; i < 50; ++i) {
      second_errors +=
          errorsOf(second.validateText(R"({"resourceType": "Patient", "birthDate": "1990-02-30"})"))
              .size();
    }
  });
  a.join();
  b.join();

  BOOST_CHECK_EQUAL(first_errors, 0u);
  BOOST_CHECK_EQUAL(second_errors, 50u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
