// The validator's hand-coded rules: references, contained resources (dom-2 to dom-5), required
// bindings, extensions (ext-1), periods (per-1), narrative and Bundles (bdl-*).

#include <boost/test/unit_test.hpp>

#include <string>

#include "fhir/validator_test_support.h"

namespace ferry::testing {
namespace {

using engine::fhir::IssueSeverity;

// An Observation whose subject reference is `reference`.
std::string observationWithSubject(const std::string& reference) {
  return R"({"resourceType": "Observation", "status": "final", "code": {"text": "test"},
             "subject": {"reference": ")" +
         reference + R"("}})";
}

// A Bundle of `type` with the given entries (JSON array members).
std::string bundle(const std::string& type, const std::string& entries) {
  return R"({"resourceType": "Bundle", "type": ")" + type + R"(", "entry": [)" + entries + "]}";
}

constexpr const char* kPatientEntry =
    R"({"fullUrl": "http://example.org/fhir/Patient/alpha",
        "resource": {"resourceType": "Patient", "id": "alpha"}})";

}  // namespace

BOOST_AUTO_TEST_SUITE(validator_rules)

BOOST_AUTO_TEST_CASE(accepts_well_formed_references) {
  for (const char* reference :
       {"Patient/alpha", "Patient/alpha/_history/2", "http://example.org/fhir/Patient/alpha",
        "urn:uuid:c757873d-ec9a-4326-a141-556f43239520", "urn:oid:1.2.3.4",
        "Patient?identifier=http://example.org|1", "https://example.org/other/thing"}) {
    auto issues = validateJson(observationWithSubject(reference));

    BOOST_CHECK_MESSAGE(errorsOf(issues).empty(), reference << "\n" << describe(issues));
  }
}

BOOST_AUTO_TEST_CASE(refuses_malformed_references) {
  for (const char* reference : {"Patinet/alpha", "Patient", "Patient/has space", "Patient/a_b",
                                "urn:uuid:1234", "Patient/alpha/history/2"}) {
    auto issues = validateJson(observationWithSubject(reference));

    BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Observation.subject.reference"),
                        reference << "\n"
                                  << describe(issues));
  }
}

BOOST_AUTO_TEST_CASE(refuses_references_to_types_the_element_does_not_allow) {
  auto relative = validateJson(observationWithSubject("Practitioner/p1"));
  auto absolute = validateJson(observationWithSubject("http://example.org/fhir/Practitioner/p1"));

  BOOST_CHECK_MESSAGE(hasErrorAt(relative, "Observation.subject.reference", "Practitioner"),
                      describe(relative));
  BOOST_CHECK_MESSAGE(hasErrorAt(absolute, "Observation.subject.reference", "Practitioner"),
                      describe(absolute));
}

BOOST_AUTO_TEST_CASE(resolves_local_references_to_contained_resources) {
  auto good = validateJson(R"({"resourceType": "Patient",
    "contained": [{"resourceType": "Organization", "id": "org1", "name": "TEST CLINIC"}],
    "managingOrganization": {"reference": "#org1"}})");
  auto missing = validateJson(R"({"resourceType": "Patient",
    "managingOrganization": {"reference": "#org2"}})");
  auto wrong_type = validateJson(R"({"resourceType": "Patient",
    "contained": [{"resourceType": "Device", "id": "d1"}],
    "managingOrganization": {"reference": "#d1"}})");

  BOOST_CHECK_MESSAGE(errorsOf(good).empty(), describe(good));
  BOOST_CHECK_MESSAGE(hasErrorAt(missing, "Patient.managingOrganization.reference", "ref-1"),
                      describe(missing));
  BOOST_CHECK_MESSAGE(hasErrorAt(wrong_type, "Patient.managingOrganization.reference", "Device"),
                      describe(wrong_type));
}

BOOST_AUTO_TEST_CASE(refuses_contained_resources_nobody_references) {
  auto issues = validateJson(R"({"resourceType": "Patient",
    "contained": [{"resourceType": "Organization", "id": "org1", "name": "TEST CLINIC"},
                  {"resourceType": "Organization", "id": "org2", "name": "TEST LAB"}],
    "managingOrganization": {"reference": "#org2"}})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.contained[0]", "dom-3"), describe(issues));
  BOOST_CHECK_EQUAL(errorsOf(issues).size(), 1u);
}

BOOST_AUTO_TEST_CASE(accepts_contained_resources_referenced_by_canonical_or_referring_back) {
  auto canonical = validateJson(R"({"resourceType": "Questionnaire", "status": "draft",
    "item": [{"linkId": "q1", "type": "choice", "answerValueSet": "#options"}],
    "contained": [{"resourceType": "ValueSet", "id": "options", "status": "draft"}]})");
  auto back = validateJson(R"({"resourceType": "Patient", "id": "alpha",
    "contained": [{"resourceType": "Observation", "id": "o1", "status": "final",
                   "code": {"text": "note"}, "subject": {"reference": "#"}}]})");

  BOOST_CHECK_MESSAGE(errorsOf(canonical).empty(), describe(canonical));
  BOOST_CHECK_MESSAGE(errorsOf(back).empty(), describe(back));
}

BOOST_AUTO_TEST_CASE(refuses_nested_contained_and_versioned_contained_resources) {
  auto issues = validateJson(R"({"resourceType": "Patient",
    "managingOrganization": {"reference": "#org1"},
    "contained": [{"resourceType": "Organization", "id": "org1",
                   "meta": {"versionId": "3", "security": [{"code": "R"}]},
                   "partOf": {"reference": "#org2"},
                   "contained": [{"resourceType": "Organization", "id": "org2"}]}]})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.contained[0].contained", "dom-2"),
                      describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.contained[0].meta", "dom-4"), describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.contained[0].meta", "dom-5"), describe(issues));
}

BOOST_AUTO_TEST_CASE(checks_required_code_bindings) {
  auto good = validateJson(R"({"resourceType": "Patient", "gender": "other"})");
  auto bad = validateJson(R"({"resourceType": "Patient", "gender": "f"})");

  BOOST_CHECK_MESSAGE(errorsOf(good).empty(), describe(good));
  BOOST_CHECK_MESSAGE(hasErrorAt(bad, "Patient.gender", "required value set"), describe(bad));
}

BOOST_AUTO_TEST_CASE(checks_required_codeable_concept_bindings_over_their_codings) {
  auto allergy = [](const std::string& codings) {
    return validateJson(R"({"resourceType": "AllergyIntolerance",
      "patient": {"reference": "Patient/alpha"}, "clinicalStatus": {"coding": [)" +
                        codings + "]}}");
  };
  constexpr const char* kSystem =
      "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
  std::string good = std::string(R"({"system": ")") + kSystem + R"(", "code": "active"})";
  std::string bad = std::string(R"({"system": ")") + kSystem + R"(", "code": "ongoing"})";
  std::string other = R"({"system": "http://example.org/local", "code": "A"})";

  auto with_translation = allergy(other + ", " + good);
  auto wrong_code = allergy(bad);
  auto text_only = validateJson(R"({"resourceType": "AllergyIntolerance",
    "patient": {"reference": "Patient/alpha"}, "clinicalStatus": {"text": "active"}})");

  BOOST_CHECK_MESSAGE(errorsOf(with_translation).empty(), describe(with_translation));
  BOOST_CHECK_MESSAGE(hasErrorAt(wrong_code, "AllergyIntolerance.clinicalStatus", "value set"),
                      describe(wrong_code));
  BOOST_CHECK_MESSAGE(errorsOf(text_only).empty(), describe(text_only));
}

BOOST_AUTO_TEST_CASE(requires_an_extension_url_and_not_both_value_and_extensions) {
  auto issues = validateJson(R"({"resourceType": "Patient", "extension": [
    {"valueString": "x"},
    {"url": "http://example.org/both", "valueString": "x",
     "extension": [{"url": "part", "valueBoolean": true}]}]})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.extension[0].url", "minimum 1"),
                      describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Patient.extension[1]", "ext-1"), describe(issues));
}

BOOST_AUTO_TEST_CASE(refuses_a_comparator_where_a_simple_quantity_is_required) {
  auto issues = validateJson(R"({"resourceType": "Observation", "status": "final",
    "code": {"text": "test"}, "valueRange": {"low": {"value": 1, "comparator": "<"}}})");

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Observation.value.ofType(Range).low", "sqty-1"),
                      describe(issues));
}

BOOST_AUTO_TEST_CASE(refuses_a_period_that_ends_before_it_starts) {
  auto reversed = validateJson(R"({"resourceType": "Patient", "name": [{"family": "TESTPATIENT",
    "period": {"start": "2020-05-01", "end": "2019-01-01"}}]})");
  auto unordered = validateJson(R"({"resourceType": "Patient", "name": [{"family": "TESTPATIENT",
    "period": {"start": "2020-05-01", "end": "2020-05-01T10:00:00Z"}}]})");
  auto ordered = validateJson(R"({"resourceType": "Patient", "name": [{"family": "TESTPATIENT",
    "period": {"start": "2020-05-01T10:00:00+02:00", "end": "2020-05-01T09:00:00Z"}}]})");

  BOOST_CHECK_MESSAGE(hasErrorAt(reversed, "Patient.name[0].period", "per-1"), describe(reversed));
  BOOST_CHECK_MESSAGE(hasErrorAt(unordered, "Patient.name[0].period", "per-1"),
                      describe(unordered));
  BOOST_CHECK_MESSAGE(errorsOf(ordered).empty(), describe(ordered));
}

BOOST_AUTO_TEST_CASE(checks_narrative_xhtml) {
  auto narrative = [](const std::string& div) {
    return validateJson(R"({"resourceType": "Patient", "text": {"status": "generated", "div": )" +
                        div + "}}");
  };

  auto good =
      narrative(R"("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>TESTPATIENT</p></div>")");
  auto no_namespace = narrative(R"("<div><p>TESTPATIENT</p></div>")");
  auto script =
      narrative(R"("<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></div>")");

  BOOST_CHECK_MESSAGE(errorsOf(good).empty(), describe(good));
  BOOST_CHECK_MESSAGE(hasErrorAt(no_namespace, "Patient.text.div"), describe(no_namespace));
  BOOST_CHECK_MESSAGE(hasErrorAt(script, "Patient.text.div", "txt-1"), describe(script));
}

BOOST_AUTO_TEST_CASE(requires_absolute_full_urls_in_bundles) {
  auto relative = validateJson(bundle("collection", R"({"fullUrl": "Patient/alpha",
    "resource": {"resourceType": "Patient", "id": "alpha"}})"));
  auto missing = validateJson(
      bundle("collection", R"({"resource": {"resourceType": "Patient", "id": "alpha"}})"));
  auto versioned =
      validateJson(bundle("collection",
                          R"({"fullUrl": "http://example.org/fhir/Patient/alpha/_history/1",
          "resource": {"resourceType": "Patient", "id": "alpha"}})"));

  BOOST_CHECK_MESSAGE(hasErrorAt(relative, "Bundle.entry[0].fullUrl", "absolute"),
                      describe(relative));
  BOOST_CHECK_MESSAGE(hasErrorAt(missing, "Bundle.entry[0].fullUrl", "required"),
                      describe(missing));
  BOOST_CHECK_MESSAGE(hasErrorAt(versioned, "Bundle.entry[0].fullUrl", "bdl-8"),
                      describe(versioned));
}

BOOST_AUTO_TEST_CASE(requires_full_url_and_resource_id_to_agree) {
  auto other_id = validateJson(bundle("collection",
                                      R"({"fullUrl": "http://example.org/fhir/Patient/alpha",
          "resource": {"resourceType": "Patient", "id": "beta"}})"));
  auto other_type = validateJson(bundle("collection",
                                        R"({"fullUrl": "http://example.org/fhir/Practitioner/alpha",
          "resource": {"resourceType": "Patient", "id": "alpha"}})"));
  auto good = validateJson(bundle("collection", kPatientEntry));

  BOOST_CHECK_MESSAGE(hasErrorAt(other_id, "Bundle.entry[0].fullUrl", "id"), describe(other_id));
  BOOST_CHECK_MESSAGE(hasErrorAt(other_type, "Bundle.entry[0].fullUrl", "type"),
                      describe(other_type));
  BOOST_CHECK_MESSAGE(errorsOf(good).empty(), describe(good));
}

BOOST_AUTO_TEST_CASE(refuses_the_same_full_url_twice) {
  auto issues =
      validateJson(bundle("collection", std::string(kPatientEntry) + "," + kPatientEntry));

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Bundle.entry[1].fullUrl", "bdl-7"), describe(issues));
}

BOOST_AUTO_TEST_CASE(requires_requests_in_transactions_with_method_and_url) {
  auto post = validateJson(bundle("transaction", R"({"request": {"method": "POST",
    "url": "Patient"}, "resource": {"resourceType": "Patient"}})"));
  auto no_request = validateJson(bundle("transaction", kPatientEntry));
  auto no_url = validateJson(bundle("batch", R"({"request": {"method": "DELETE"}})"));
  auto bad_method = validateJson(bundle("batch", R"({"request": {"method": "FETCH",
    "url": "Patient/alpha"}})"));

  BOOST_CHECK_MESSAGE(errorsOf(post).empty(), describe(post));
  BOOST_CHECK_MESSAGE(hasErrorAt(no_request, "Bundle.entry[0]", "bdl-3"), describe(no_request));
  BOOST_CHECK_MESSAGE(hasErrorAt(no_url, "Bundle.entry[0].request.url", "minimum 1"),
                      describe(no_url));
  BOOST_CHECK_MESSAGE(hasErrorAt(bad_method, "Bundle.entry[0].request.method", "value set"),
                      describe(bad_method));
}

BOOST_AUTO_TEST_CASE(applies_the_rules_of_each_bundle_type) {
  auto response = validateJson(bundle("batch-response", kPatientEntry));
  auto search =
      validateJson(bundle("collection", R"({"fullUrl": "http://example.org/fhir/Patient/alpha",
    "resource": {"resourceType": "Patient", "id": "alpha"}, "search": {"mode": "match"}})"));
  auto searchset =
      validateJson(bundle("searchset", R"({"fullUrl": "http://example.org/fhir/Patient/alpha",
    "resource": {"resourceType": "Patient", "id": "alpha"}, "search": {"mode": "match"}})"));
  auto message = validateJson(bundle("message", kPatientEntry));

  BOOST_CHECK_MESSAGE(hasErrorAt(response, "Bundle.entry[0]", "bdl-4"), describe(response));
  BOOST_CHECK_MESSAGE(hasErrorAt(search, "Bundle.entry[0].search", "bdl-2"), describe(search));
  BOOST_CHECK_MESSAGE(errorsOf(searchset).empty(), describe(searchset));
  BOOST_CHECK_MESSAGE(hasErrorAt(message, "Bundle.entry[0]", "bdl-12"), describe(message));
}

BOOST_AUTO_TEST_CASE(requires_documents_to_start_with_a_composition) {
  auto issues = validateJson(bundle("document", kPatientEntry));

  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Bundle.entry[0]", "bdl-11"), describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Bundle", "bdl-9"), describe(issues));
  BOOST_CHECK_MESSAGE(hasErrorAt(issues, "Bundle", "bdl-10"), describe(issues));
}

BOOST_AUTO_TEST_CASE(validates_resources_in_bundle_entries_as_their_own_resources) {
  // Each entry's resource has its own contained resources: "#org1" in the second entry cannot
  // reach the first entry's contained Organization.
  auto issues = validateJson(bundle("collection",
                                    R"({"fullUrl": "urn:uuid:0f6e1a8e-7d1b-4a2c-9f3e-2b1c0d9e8f7a",
          "resource": {"resourceType": "Patient", "managingOrganization": {"reference": "#org1"},
                       "contained": [{"resourceType": "Organization", "id": "org1"}]}},
         {"fullUrl": "urn:uuid:1f6e1a8e-7d1b-4a2c-9f3e-2b1c0d9e8f7a",
          "resource": {"resourceType": "Patient",
                       "managingOrganization": {"reference": "#org1"}}})"));

  BOOST_CHECK_MESSAGE(
      hasErrorAt(issues, "Bundle.entry[1].resource.managingOrganization.reference", "ref-1"),
      describe(issues));
  BOOST_CHECK_EQUAL(errorsOf(issues).size(), 1u);
}

BOOST_AUTO_TEST_CASE(reports_unverifiable_codes_below_error_severity) {
  // Attachment.contentType is bound to all MIME types (BCP 13), which cannot be listed here.
  auto issues = validateJson(R"({"resourceType": "DocumentReference", "status": "current",
    "content": [{"attachment": {"contentType": "application/x-test-format"}}]})");

  BOOST_CHECK_MESSAGE(errorsOf(issues).empty(), describe(issues));
  for (const auto& issue : issues) {
    BOOST_CHECK(issue.severity == IssueSeverity::Information ||
                issue.severity == IssueSeverity::Warning);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
