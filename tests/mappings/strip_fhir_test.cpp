#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/fhir/definitions.h"
#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_writer.h"
#include "engine/fhir/validator.h"
#include "mappings/strip/fhir_strip.h"

namespace fhir = ferry::engine::fhir;
namespace strip = ferry::mappings::strip;
using ferry::engine::ErrorCode;

namespace {

std::shared_ptr<const fhir::Definitions> definitions() {
  auto loaded = fhir::Definitions::builtIn();
  BOOST_REQUIRE_MESSAGE(loaded.isOk(), loaded.status().toString());
  return loaded.value();
}

fhir::JsonValue parse(std::string_view json) {
  auto parsed = fhir::parseFhirJson(json);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return std::move(parsed.value().root);
}

std::vector<strip::FhirStripPath> paths(const std::vector<std::string>& entries) {
  std::vector<strip::FhirStripPath> result;
  for (const std::string& entry : entries) {
    auto path = strip::parseFhirStripPath(entry);
    BOOST_REQUIRE_MESSAGE(path.isOk(), path.status().toString());
    result.push_back(path.value());
  }
  return result;
}

strip::FhirStripProfile profile(strip::StripMode mode, const std::vector<std::string>& entries) {
  std::vector<strip::FhirProfileProblem> problems;
  auto created = strip::FhirStripProfile::create(mode, paths(entries), definitions(), problems);
  for (const auto& problem : problems) {
    BOOST_TEST_MESSAGE(problem.message);
  }
  BOOST_REQUIRE(created.has_value());
  return std::move(*created);
}

std::vector<strip::FhirProfileProblem> problemsOf(strip::StripMode mode,
                                                  const std::vector<std::string>& entries) {
  std::vector<strip::FhirProfileProblem> problems;
  auto created = strip::FhirStripProfile::create(mode, paths(entries), definitions(), problems);
  BOOST_CHECK(!created.has_value());
  return problems;
}

bool mentions(const std::vector<strip::FhirProfileProblem>& problems, std::string_view text) {
  for (const auto& problem : problems) {
    if (problem.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

struct Stripped {
  fhir::JsonValue root;
  std::vector<std::string> actions;
};

Stripped run(const strip::FhirStripProfile& p, std::string_view json) {
  Stripped out{parse(json), {}};
  strip::ActionList actions;
  auto status = p.apply(out.root, actions);
  BOOST_REQUIRE_MESSAGE(status.isOk(), status.toString());
  out.actions = actions.take();
  return out;
}

// The output must still be valid FHIR: written, parsed again and validated clean.
void checkValid(const fhir::JsonValue& root) {
  fhir::Validator validator(definitions());
  auto issues = validator.validateText(fhir::writeJson(root));
  BOOST_CHECK_MESSAGE(!fhir::hasErrors(issues), fhir::formatIssues(issues));
}

std::vector<std::string> memberNames(const fhir::JsonValue& object) {
  std::vector<std::string> names;
  for (const auto& member : object.members()) {
    names.push_back(member.first);
  }
  return names;
}

bool listed(const std::vector<std::string>& actions, std::string_view entry) {
  for (const std::string& action : actions) {
    if (action == entry) {
      return true;
    }
  }
  return false;
}

constexpr std::string_view kPatient = R"({
  "resourceType": "Patient",
  "id": "pat1",
  "meta": {"versionId": "3"},
  "extension": [
    {"url": "http://example.org/fhir/StructureDefinition/a", "valueString": "synthetic a"},
    {"url": "http://example.org/fhir/StructureDefinition/b", "valueCode": "b1"}
  ],
  "identifier": [{"system": "urn:oid:1.2.3", "value": "MRN0001"}],
  "name": [{"family": "Testpatient", "given": ["Alpha"]}],
  "telecom": [{"system": "phone", "value": "555-0100"}],
  "gender": "female",
  "birthDate": "1970-01-01",
  "_birthDate": {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
                                "valueDateTime": "1970-01-01T10:00:00Z"}]},
  "address": [{"line": ["1 Test St"], "city": "Testtown", "state": "MA", "postalCode": "02139"}]
})";

constexpr std::string_view kObservation = R"({
  "resourceType": "Observation",
  "id": "obs1",
  "contained": [
    {"resourceType": "Patient", "id": "p1", "gender": "male"},
    {"resourceType": "Practitioner", "id": "d1", "name": [{"family": "Testdoctor"}]}
  ],
  "status": "final",
  "code": {"coding": [{"system": "http://loinc.org", "code": "718-7"}]},
  "subject": {"reference": "#p1"},
  "performer": [{"reference": "#d1"}],
  "effectiveDateTime": "2024-01-02T03:04:05Z",
  "valueQuantity": {"value": 13.5, "unit": "g/dL"},
  "note": [{"text": "synthetic note"}]
})";

constexpr std::string_view kBundle = R"({
  "resourceType": "Bundle",
  "type": "collection",
  "entry": [
    {"fullUrl": "urn:uuid:11111111-1111-4111-8111-111111111111",
     "resource": {"resourceType": "Patient", "id": "11111111-1111-4111-8111-111111111111",
                  "name": [{"family": "Testpatient"}], "gender": "female"}},
    {"fullUrl": "urn:uuid:22222222-2222-4222-8222-222222222222",
     "resource": {"resourceType": "Observation", "id": "22222222-2222-4222-8222-222222222222",
                  "status": "final", "code": {"text": "Hemoglobin"},
                  "subject": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"},
                  "valueString": "normal"}},
    {"fullUrl": "urn:uuid:33333333-3333-4333-8333-333333333333",
     "resource": {"resourceType": "Practitioner", "id": "33333333-3333-4333-8333-333333333333",
                  "name": [{"family": "Testdoctor"}]}}
  ]
})";

}  // namespace

BOOST_AUTO_TEST_SUITE(strip_fhir)

BOOST_AUTO_TEST_CASE(allow_list_keeps_only_the_listed_elements) {
  auto p = profile(strip::StripMode::Allow,
                   {"Patient.identifier", "Patient.gender", "Patient.birthDate"});

  Stripped out = run(p, kPatient);

  BOOST_CHECK(
      (memberNames(out.root) == std::vector<std::string>{"resourceType", "id", "identifier",
                                                         "gender", "birthDate", "_birthDate"}));
  BOOST_CHECK(listed(out.actions, "removed Patient.name"));
  BOOST_CHECK(listed(out.actions, "removed Patient.meta"));
  BOOST_CHECK(listed(out.actions, "removed Patient.extension"));
  checkValid(out.root);
}

BOOST_AUTO_TEST_CASE(deny_list_removes_only_the_listed_elements) {
  auto p = profile(strip::StripMode::Deny, {"Patient.name", "Patient.telecom",
                                            "Patient.address.line", "Patient.birthDate"});

  Stripped out = run(p, kPatient);

  fhir::JsonValue expected = parse(kPatient);
  expected.remove("name");
  expected.remove("telecom");
  expected.remove("birthDate");
  expected.remove("_birthDate");
  expected.find("address")->elements().front().remove("line");
  BOOST_CHECK(out.root == expected);
  BOOST_CHECK(listed(out.actions, "removed Patient.address.line"));
  checkValid(out.root);
}

BOOST_AUTO_TEST_CASE(choice_paths_match_every_type_or_one) {
  auto any_type = profile(strip::StripMode::Deny, {"Observation.value[x]"});
  auto quantity_only = profile(strip::StripMode::Deny, {"Observation.valueString"});

  Stripped without_value = run(any_type, kObservation);
  Stripped unchanged = run(quantity_only, kObservation);

  BOOST_CHECK(without_value.root.find("valueQuantity") == nullptr);
  BOOST_CHECK(without_value.root.find("effectiveDateTime") != nullptr);
  BOOST_CHECK(unchanged.root.find("valueQuantity") != nullptr);
  checkValid(without_value.root);
}

BOOST_AUTO_TEST_CASE(extensions_are_selected_by_url) {
  auto p = profile(strip::StripMode::Deny,
                   {"Patient.extension(url=http://example.org/fhir/StructureDefinition/a)"});

  Stripped out = run(p, kPatient);

  const fhir::JsonValue* extensions = out.root.find("extension");
  BOOST_REQUIRE(extensions != nullptr);
  BOOST_REQUIRE_EQUAL(extensions->elements().size(), 1u);
  BOOST_CHECK_EQUAL(extensions->elements().front().find("url")->text(),
                    "http://example.org/fhir/StructureDefinition/b");
}

BOOST_AUTO_TEST_CASE(removes_references_into_removed_contained_resources) {
  auto p = profile(strip::StripMode::Deny, {"Patient"});

  Stripped out = run(p, kObservation);

  const fhir::JsonValue* contained = out.root.find("contained");
  BOOST_REQUIRE(contained != nullptr);
  BOOST_REQUIRE_EQUAL(contained->elements().size(), 1u);
  BOOST_CHECK_EQUAL(contained->elements().front().find("id")->text(), "d1");
  BOOST_CHECK(out.root.find("subject") == nullptr);
  BOOST_CHECK(out.root.find("performer") != nullptr);
  BOOST_CHECK(listed(out.actions,
                     "removed Observation.subject.reference"
                     " (its contained resource was removed)"));
  checkValid(out.root);
}

BOOST_AUTO_TEST_CASE(removes_contained_resources_nothing_references_any_more) {
  auto p =
      profile(strip::StripMode::Allow, {"Observation.status", "Observation.code",
                                        "Observation.contained", "Observation.subject", "Patient"});

  Stripped out = run(p, kObservation);

  // The Practitioner is not allowed, and the Patient stays only because subject still
  // references it.
  const fhir::JsonValue* contained = out.root.find("contained");
  BOOST_REQUIRE(contained != nullptr);
  BOOST_REQUIRE_EQUAL(contained->elements().size(), 1u);
  BOOST_CHECK_EQUAL(contained->elements().front().find("resourceType")->text(), "Patient");
  BOOST_CHECK(out.root.find("performer") == nullptr);
  checkValid(out.root);
}

BOOST_AUTO_TEST_CASE(canonical_references_keep_or_lose_their_contained_resource) {
  constexpr std::string_view kQuestionnaire = R"({
    "resourceType": "Questionnaire", "id": "q1", "status": "draft",
    "contained": [{"resourceType": "ValueSet", "id": "options", "status": "draft"}],
    "item": [{"linkId": "a", "type": "choice", "answerValueSet": "#options"}]
  })";
  auto keep = profile(strip::StripMode::Deny, {"Questionnaire.item.text"});
  auto cut = profile(strip::StripMode::Deny, {"Questionnaire.item.answerValueSet"});

  Stripped kept = run(keep, kQuestionnaire);
  Stripped cut_out = run(cut, kQuestionnaire);

  BOOST_CHECK(kept.root.find("contained") != nullptr);
  BOOST_CHECK(cut_out.root.find("contained") == nullptr);
  checkValid(kept.root);
  checkValid(cut_out.root);
}

BOOST_AUTO_TEST_CASE(filters_bundle_entries_by_their_own_type) {
  auto p = profile(strip::StripMode::Allow,
                   {"Bundle.type", "Bundle.entry.resource", "Patient.gender", "Observation.status",
                    "Observation.code", "Observation.subject"});

  Stripped out = run(p, kBundle);

  const fhir::JsonValue* entries = out.root.find("entry");
  BOOST_REQUIRE(entries != nullptr);
  BOOST_REQUIRE_EQUAL(entries->elements().size(), 2u);
  const fhir::JsonValue& patient = *entries->elements()[0].find("resource");
  const fhir::JsonValue& observation = *entries->elements()[1].find("resource");
  BOOST_CHECK((memberNames(patient) == std::vector<std::string>{"resourceType", "id", "gender"}));
  BOOST_CHECK(observation.find("valueString") == nullptr);
  BOOST_CHECK(observation.find("subject") != nullptr);
  BOOST_CHECK(entries->elements()[0].find("fullUrl") != nullptr);
  BOOST_CHECK(listed(out.actions, "removed Practitioner"));
  checkValid(out.root);
}

BOOST_AUTO_TEST_CASE(refuses_an_allow_list_without_required_elements) {
  auto problems = problemsOf(strip::StripMode::Allow, {"Observation.code", "Bundle.entry"});

  BOOST_CHECK(mentions(problems, "Observation.status"));
  BOOST_CHECK(mentions(problems, "Bundle.type"));
}

BOOST_AUTO_TEST_CASE(refuses_required_elements_kept_only_in_part) {
  auto problems =
      problemsOf(strip::StripMode::Allow, {"Observation.status", "Observation.code.coding"});

  BOOST_CHECK(mentions(problems, "Observation.code"));
}

BOOST_AUTO_TEST_CASE(refuses_a_deny_list_that_removes_required_elements) {
  auto problems = problemsOf(strip::StripMode::Deny, {"Observation.status"});

  BOOST_CHECK(mentions(problems, "Observation.status"));
}

BOOST_AUTO_TEST_CASE(refuses_paths_the_definitions_do_not_know) {
  BOOST_CHECK(mentions(problemsOf(strip::StripMode::Deny, {"Patient.nickname"}), "nickname"));
  BOOST_CHECK(mentions(problemsOf(strip::StripMode::Deny, {"Patient.gender[x]"}), "choice"));
  BOOST_CHECK(mentions(problemsOf(strip::StripMode::Deny, {"Nonsense.name"}), "resource type"));
  BOOST_CHECK(
      mentions(problemsOf(strip::StripMode::Deny, {"Bundle.entry.resource.name"}), "own type"));
  BOOST_CHECK(
      mentions(problemsOf(strip::StripMode::Deny, {"Patient.name(url=http://x)"}), "extension"));
  BOOST_CHECK(mentions(problemsOf(strip::StripMode::Deny, {"Patient.id"}), "always kept"));
  BOOST_CHECK(!strip::parseFhirStripPath("patient.name").isOk());
  BOOST_CHECK(!strip::parseFhirStripPath("Patient..name").isOk());
}

BOOST_AUTO_TEST_CASE(fails_a_message_whose_required_element_would_be_left_empty) {
  auto p = profile(strip::StripMode::Deny, {"Observation.code.coding"});
  fhir::JsonValue root = parse(kObservation);
  strip::ActionList actions;

  auto status = p.apply(root, actions);

  BOOST_CHECK(!status.isOk());
  BOOST_CHECK(status.code() == ErrorCode::InvalidMessage);
  BOOST_CHECK(status.context().find("Observation.code") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_to_strip_the_top_level_resource_to_nothing) {
  auto allow = profile(strip::StripMode::Allow, {"Observation.status", "Observation.code"});
  auto deny = profile(strip::StripMode::Deny, {"Patient"});
  fhir::JsonValue patient = parse(kPatient);
  fhir::JsonValue again = parse(kPatient);
  strip::ActionList actions;

  BOOST_CHECK(!allow.apply(patient, actions).isOk());
  BOOST_CHECK(!deny.apply(again, actions).isOk());
}

BOOST_AUTO_TEST_SUITE_END()
