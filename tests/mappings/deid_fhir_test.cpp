#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/crypto/key_ring.h"
#include "engine/fhir/definitions.h"
#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_writer.h"
#include "engine/fhir/validator.h"
#include "engine/hl7/message.h"
#include "mappings/deid/fhir_deidentifier.h"
#include "mappings/deid/generalise.h"
#include "mappings/deid/hl7_deidentifier.h"
#include "mappings/deid/pseudonymizer.h"
#include "support/test_support.h"

namespace fhir = ferry::engine::fhir;
namespace deid = ferry::mappings::deid;
namespace strip = ferry::mappings::strip;

namespace {

constexpr int kYear = 2024;

// Synthetic: every name, number, place and date is made up.
constexpr std::string_view kPatient = R"({
  "resourceType": "Patient",
  "id": "pat-mrn-0001",
  "meta": {"versionId": "2", "lastUpdated": "2024-01-02T03:04:05Z",
           "source": "http://source.example.test#req123"},
  "text": {"status": "generated",
           "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Testpatient Alpha</div>"},
  "extension": [
    {"url": "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName",
     "valueString": "Maidenname"},
    {"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
     "valueAddress": {"city": "Birthtown", "state": "MA", "country": "US"}},
    {"url": "http://example.org/fhir/StructureDefinition/nickname", "valueString": "Alphie"}
  ],
  "identifier": [
    {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                          "code": "MR"}]},
     "system": "urn:oid:1.2.3.4", "value": "MRN0001"},
    {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "123-45-6789"},
    {"system": "urn:oid:2.16.840.1.113883.4.3.25", "value": "DL987654"}
  ],
  "active": true,
  "name": [{"use": "official", "family": "Testpatient", "given": ["Alpha", "Quincy"]}],
  "telecom": [
    {"system": "phone", "value": "617-555-0100"},
    {"system": "fax", "value": "617-555-0199"},
    {"system": "email", "value": "alpha@example.test"},
    {"system": "url", "value": "http://alpha.example.test/home"}
  ],
  "gender": "female",
  "birthDate": "1970-02-15",
  "address": [{
    "use": "home", "text": "1 Test Street, Testtown", "line": ["1 Test Street", "Apt 9"],
    "city": "Testtown", "district": "Middlesex", "state": "MA", "postalCode": "02139",
    "country": "US",
    "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/geolocation",
                   "extension": [{"url": "latitude", "valueDecimal": 42.3601},
                                 {"url": "longitude", "valueDecimal": -71.0942}]}]
  }],
  "maritalStatus": {"coding": [{"system":
      "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "code": "M"}]},
  "photo": [{"contentType": "image/jpeg", "data": "QUJDREVGR0g="}],
  "contact": [{
    "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131",
                                  "code": "N"}]}],
    "name": {"family": "Testkin", "given": ["Beta"]},
    "telecom": [{"system": "phone", "value": "603-555-0111"}],
    "address": {"line": ["2 Kin Road"], "city": "Kintown", "state": "NH", "postalCode": "03801"}
  }],
  "generalPractitioner": [{"reference": "Practitioner/prac-77", "display": "Dr Pcpdoctor"}],
  "managingOrganization": {"reference": "Organization/org-1", "display": "Employerinc Clinic"}
})";

constexpr std::string_view kBundle = R"({
  "resourceType": "Bundle",
  "id": "bundle-1",
  "identifier": {"system": "urn:ietf:rfc:3986",
                 "value": "urn:uuid:0a0a0a0a-0000-4000-8000-0000000000aa"},
  "type": "collection",
  "timestamp": "2024-01-02T03:04:05Z",
  "entry": [
    {"fullUrl": "urn:uuid:11111111-1111-4111-8111-111111111111",
     "resource": {"resourceType": "Patient", "id": "11111111-1111-4111-8111-111111111111",
                  "identifier": [{"value": "MRN0001"}],
                  "name": [{"family": "Testpatient"}], "birthDate": "1930-05-06"}},
    {"fullUrl": "urn:uuid:22222222-2222-4222-8222-222222222222",
     "resource": {"resourceType": "Practitioner", "id": "22222222-2222-4222-8222-222222222222",
                  "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "NPI4242"}],
                  "name": [{"family": "Testdoctor", "given": ["Epsilon"]}],
                  "telecom": [{"system": "email", "value": "doctor@example.test"}],
                  "address": [{"line": ["9 Clinic Way"], "city": "Doctown", "state": "CA",
                               "postalCode": "90210"}],
                  "qualification": [{"code": {"coding": [{"system":
                      "http://terminology.hl7.org/CodeSystem/v2-0360", "code": "MD"}]}}]}},
    {"fullUrl": "urn:uuid:33333333-3333-4333-8333-333333333333",
     "resource": {"resourceType": "RelatedPerson", "id": "33333333-3333-4333-8333-333333333333",
                  "patient": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111",
                              "display": "Testpatient"},
                  "name": [{"family": "Testkin"}], "birthDate": "1965-05-05",
                  "telecom": [{"system": "phone", "value": "603-555-0111"}]}},
    {"fullUrl": "urn:uuid:44444444-4444-4444-8444-444444444444",
     "resource": {"resourceType": "Encounter", "id": "44444444-4444-4444-8444-444444444444",
                  "identifier": [{"value": "VISIT0001"}],
                  "status": "finished",
                  "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                            "code": "IMP"},
                  "subject": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"},
                  "participant": [{"individual": {
                      "reference": "urn:uuid:22222222-2222-4222-8222-222222222222",
                      "display": "Dr Testdoctor"}}],
                  "period": {"start": "2024-01-01T08:00:00Z", "end": "2024-01-05T12:00:00Z"}}},
    {"fullUrl": "urn:uuid:55555555-5555-4555-8555-555555555555",
     "resource": {"resourceType": "Observation", "id": "55555555-5555-4555-8555-555555555555",
                  "contained": [{"resourceType": "Device", "id": "dev1",
                                 "serialNumber": "EQUIPSERIAL42",
                                 "udiCarrier": [{"deviceIdentifier": "UDI0001"}]}],
                  "identifier": [{"value": "ACCESSION777"}],
                  "status": "final",
                  "code": {"coding": [{"system": "http://loinc.org", "code": "30525-0"}],
                           "text": "Age"},
                  "subject": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"},
                  "effectiveDateTime": "2024-01-02T03:04:05Z",
                  "issued": "2024-01-02T04:00:00Z",
                  "device": {"reference": "#dev1"},
                  "valueQuantity": {"value": 95, "unit": "years",
                                    "system": "http://unitsofmeasure.org", "code": "a"},
                  "note": [{"authorString": "Nurse Testnurse", "text": "Visitor Johnroe came"}]}},
    {"fullUrl": "urn:uuid:66666666-6666-4666-8666-666666666666",
     "resource": {"resourceType": "Observation", "id": "66666666-6666-4666-8666-666666666666",
                  "status": "final",
                  "code": {"coding": [{"system": "http://loinc.org", "code": "8251-1"}]},
                  "subject": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"},
                  "valueString": "Lives at 1 Test Street with Testkin"}},
    {"fullUrl": "urn:uuid:77777777-7777-4777-8777-777777777777",
     "resource": {"resourceType": "DiagnosticReport", "id": "77777777-7777-4777-8777-777777777777",
                  "identifier": [{"value": "REPORT888"}],
                  "status": "final",
                  "code": {"coding": [{"system": "http://loinc.org", "code": "58410-2"}]},
                  "subject": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"},
                  "result": [{"reference": "urn:uuid:55555555-5555-4555-8555-555555555555"}],
                  "conclusion": "Testpatient is doing well",
                  "presentedForm": [{"contentType": "application/pdf",
                                     "url": "http://reports.example.test/888.pdf"}]}},
    {"fullUrl": "urn:uuid:88888888-8888-4888-8888-888888888888",
     "resource": {"resourceType": "DocumentReference",
                  "id": "88888888-8888-4888-8888-888888888888",
                  "status": "current",
                  "subject": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"},
                  "content": [{"attachment": {"contentType": "text/plain", "language": "en",
                                              "data": "VGVzdHBhdGllbnQ=",
                                              "title": "Scan of ID card"}}]}}
  ]
})";

// Every identifying value of the samples; none may be in a de-identified copy.
const std::vector<std::string>& identifyingValues() {
  static const std::vector<std::string> kValues = {"pat-mrn-0001",
                                                   "req123",
                                                   "Testpatient",
                                                   "Alpha",
                                                   "Quincy",
                                                   "Maidenname",
                                                   "Birthtown",
                                                   "Alphie",
                                                   "MRN0001",
                                                   "123-45-6789",
                                                   "DL987654",
                                                   "617-555-0100",
                                                   "617-555-0199",
                                                   "alpha@example.test",
                                                   "alpha.example.test",
                                                   "1970-02-15",
                                                   "1 Test Street",
                                                   "Apt 9",
                                                   "Testtown",
                                                   "Middlesex",
                                                   "02139",
                                                   "42.3601",
                                                   "-71.0942",
                                                   "QUJDREVGR0g=",
                                                   "Testkin",
                                                   "Beta",
                                                   "603-555-0111",
                                                   "2 Kin Road",
                                                   "Kintown",
                                                   "03801",
                                                   "prac-77",
                                                   "Pcpdoctor",
                                                   "org-1",
                                                   "Employerinc",
                                                   "0a0a0a0a",
                                                   "2024-01-02",
                                                   "1930",
                                                   "NPI4242",
                                                   "Testdoctor",
                                                   "Epsilon",
                                                   "doctor@example.test",
                                                   "9 Clinic Way",
                                                   "Doctown",
                                                   "90210",
                                                   "1965-05-05",
                                                   "VISIT0001",
                                                   "2024-01-01",
                                                   "2024-01-05",
                                                   "EQUIPSERIAL42",
                                                   "UDI0001",
                                                   "ACCESSION777",
                                                   "Testnurse",
                                                   "Johnroe",
                                                   "REPORT888",
                                                   "reports.example.test",
                                                   "VGVzdHBhdGllbnQ=",
                                                   "Scan of ID",
                                                   "11111111-1111",
                                                   "22222222-2222",
                                                   "55555555-5555"};
  return kValues;
}

std::shared_ptr<const fhir::Definitions> definitions() {
  auto loaded = fhir::Definitions::builtIn();
  BOOST_REQUIRE_MESSAGE(loaded.isOk(), loaded.status().toString());
  return loaded.value();
}

std::shared_ptr<const ferry::engine::crypto::KeyRing> fixedKeys(
    const ferry::testing::TempDir& dir) {
  const std::filesystem::path path = dir.path() / "keys.json";
  ferry::testing::writeFile(
      path, R"({"payload_keys": [{"id": "k1", "key": ")" + std::string(64, 'a') +
                R"("}], "active_payload_key": "k1", "audit_keys": [{"id": "a1", "key": ")" +
                std::string(64, 'b') + R"("}], "active_audit_key": "a1", "index_key": ")" +
                std::string(64, 'c') + R"("})");
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      std::filesystem::perm_options::replace);
  auto keys = ferry::engine::crypto::KeyRing::loadOrCreate(path.string(), false);
  BOOST_REQUIRE_MESSAGE(keys.isOk(), keys.status().toString());
  return keys.value();
}

struct Output {
  fhir::JsonValue root;
  std::string json;
  std::vector<std::string> actions;
};

Output deidentify(std::string_view input, const deid::DeidOptions& options = {},
                  const deid::Pseudonymizer* pseudonymizer = nullptr) {
  auto parsed = fhir::parseFhirJson(input);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  Output out{std::move(parsed.value().root), {}, {}};
  deid::FhirDeidentifier deidentifier(options, pseudonymizer, definitions());
  strip::ActionList actions;
  auto status = deidentifier.apply(out.root, kYear, actions);
  BOOST_REQUIRE_MESSAGE(status.isOk(), status.toString());
  out.json = fhir::writeJson(out.root);
  out.actions = actions.take();
  return out;
}

void checkAbsent(const Output& out, const std::vector<std::string>& values = identifyingValues()) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    BOOST_CHECK_MESSAGE(out.json.find(values[i]) == std::string::npos,
                        "identifying value #" << i << " is still in the output");
  }
}

void checkValid(const Output& out) {
  fhir::Validator validator(definitions());
  auto issues = validator.validateText(out.json);
  BOOST_CHECK_MESSAGE(!fhir::hasErrors(issues), fhir::formatIssues(issues));
}

const fhir::JsonValue& entryResource(const fhir::JsonValue& bundle, std::size_t index) {
  return *bundle.find("entry")->elements().at(index).find("resource");
}

bool listed(const std::vector<std::string>& actions, std::string_view entry) {
  for (const std::string& action : actions) {
    if (action == entry) {
      return true;
    }
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(deid_fhir)

BOOST_AUTO_TEST_CASE(patient_keeps_no_identifying_value_and_stays_valid) {
  Output out = deidentify(kPatient);

  checkAbsent(out);
  checkValid(out);
  BOOST_CHECK(out.root.find("name") == nullptr);
  BOOST_CHECK(out.root.find("telecom") == nullptr);
  BOOST_CHECK(out.root.find("identifier") == nullptr);
  BOOST_CHECK(out.root.find("photo") == nullptr);
  BOOST_CHECK(out.root.find("text") == nullptr);
  BOOST_CHECK_EQUAL(out.root.find("birthDate")->text(), "1970");
  BOOST_CHECK_EQUAL(out.root.find("gender")->text(), "female");
  BOOST_CHECK(out.root.find("maritalStatus") != nullptr);
}

BOOST_AUTO_TEST_CASE(addresses_keep_state_country_and_three_zip_digits) {
  Output out = deidentify(kPatient);

  const fhir::JsonValue& address = out.root.find("address")->elements().front();
  std::vector<std::string> names;
  for (const auto& member : address.members()) {
    names.push_back(member.first);
  }
  BOOST_CHECK((names == std::vector<std::string>{"use", "state", "postalCode", "country"}));
  BOOST_CHECK_EQUAL(address.find("postalCode")->text(), "021");
  const fhir::JsonValue& contact = out.root.find("contact")->elements().front();
  BOOST_CHECK_EQUAL(contact.find("address")->find("state")->text(), "NH");
  BOOST_CHECK(contact.find("name") == nullptr);
  BOOST_CHECK(listed(out.actions, "generalised Patient.address.postalCode to 3-digit ZIP"));
  BOOST_CHECK(listed(out.actions, "removed Patient.address.line"));
}

BOOST_AUTO_TEST_CASE(removes_extensions_that_carry_identifying_data) {
  Output out = deidentify(kPatient);

  const fhir::JsonValue* extensions = out.root.find("extension");
  BOOST_REQUIRE(extensions != nullptr);
  BOOST_REQUIRE_EQUAL(extensions->elements().size(), 1u);
  const fhir::JsonValue& birth_place = extensions->elements().front();
  BOOST_CHECK_EQUAL(birth_place.find("url")->text(),
                    "http://hl7.org/fhir/StructureDefinition/patient-birthPlace");
  BOOST_CHECK_EQUAL(birth_place.find("valueAddress")->find("state")->text(), "MA");
  BOOST_CHECK(birth_place.find("valueAddress")->find("city") == nullptr);
}

BOOST_AUTO_TEST_CASE(bundle_keeps_no_identifying_value_and_stays_valid) {
  Output out = deidentify(kBundle);

  checkAbsent(out);
  checkValid(out);
  BOOST_CHECK(out.root.find("identifier") == nullptr);
  BOOST_CHECK(out.root.find("timestamp") == nullptr);
}

BOOST_AUTO_TEST_CASE(references_follow_the_new_resource_ids) {
  Output out = deidentify(kBundle);

  std::set<std::string, std::less<>> full_urls;
  for (const fhir::JsonValue& entry : out.root.find("entry")->elements()) {
    const std::string full_url(entry.find("fullUrl")->text());
    BOOST_CHECK_EQUAL(full_url,
                      "urn:uuid:" + std::string(entry.find("resource")->find("id")->text()));
    full_urls.insert(full_url);
  }
  const fhir::JsonValue& encounter = entryResource(out.root, 3);
  const fhir::JsonValue& report = entryResource(out.root, 6);
  BOOST_CHECK(full_urls.count(encounter.find("subject")->find("reference")->text()) == 1);
  BOOST_CHECK(
      full_urls.count(report.find("result")->elements().front().find("reference")->text()) == 1);
  BOOST_CHECK(
      encounter.find("participant")->elements().front().find("individual")->find("display") ==
      nullptr);
  const fhir::JsonValue& observation = entryResource(out.root, 4);
  const std::string device(observation.find("device")->find("reference")->text());
  BOOST_CHECK_EQUAL(
      device,
      "#" + std::string(observation.find("contained")->elements().front().find("id")->text()));
}

BOOST_AUTO_TEST_CASE(cuts_dates_to_the_year_and_removes_instants) {
  Output out = deidentify(kBundle);

  const fhir::JsonValue& encounter = entryResource(out.root, 3);
  const fhir::JsonValue& observation = entryResource(out.root, 4);
  BOOST_CHECK_EQUAL(encounter.find("period")->find("start")->text(), "2024");
  BOOST_CHECK_EQUAL(observation.find("effectiveDateTime")->text(), "2024");
  BOOST_CHECK(observation.find("issued") == nullptr);
  BOOST_CHECK_EQUAL(entryResource(out.root, 2).find("birthDate")->text(), "1965");
  BOOST_CHECK(listed(out.actions, "removed Observation.issued"));
}

BOOST_AUTO_TEST_CASE(folds_ages_and_birth_years_over_89) {
  Output out = deidentify(kBundle);

  const fhir::JsonValue& patient = entryResource(out.root, 0);
  const fhir::JsonValue& age = *entryResource(out.root, 4).find("valueQuantity");
  BOOST_CHECK(patient.find("birthDate") == nullptr);
  BOOST_CHECK(listed(out.actions, "removed Patient.birthDate (age over 89)"));
  BOOST_CHECK_EQUAL(age.find("value")->text(), "90");
  BOOST_CHECK_EQUAL(age.find("comparator")->text(), ">=");
  BOOST_CHECK_EQUAL(age.find("code")->text(), "a");
}

BOOST_AUTO_TEST_CASE(removes_free_text_device_ids_and_attachments) {
  Output out = deidentify(kBundle);

  const fhir::JsonValue& observation = entryResource(out.root, 4);
  const fhir::JsonValue& device = observation.find("contained")->elements().front();
  BOOST_CHECK(device.find("serialNumber") == nullptr);
  BOOST_CHECK(device.find("udiCarrier") == nullptr);
  BOOST_CHECK(observation.find("note") == nullptr);
  BOOST_CHECK(entryResource(out.root, 5).find("valueString") == nullptr);
  BOOST_CHECK(entryResource(out.root, 6).find("conclusion") == nullptr);
  BOOST_CHECK(entryResource(out.root, 6).find("presentedForm") == nullptr);
  // The base specification requires the attachment: only its content type stays.
  const fhir::JsonValue& attachment =
      *entryResource(out.root, 7).find("content")->elements().front().find("attachment");
  BOOST_CHECK_EQUAL(fhir::writeJson(attachment), R"({"contentType":"text/plain","language":"en"})");
}

BOOST_AUTO_TEST_CASE(keeps_free_text_only_in_allowed_elements) {
  deid::DeidOptions options;
  options.fhir_free_text = {"Observation.valueString", "Observation.note"};

  Output out = deidentify(kBundle, options);

  BOOST_CHECK_EQUAL(entryResource(out.root, 5).find("valueString")->text(),
                    "Lives at 1 Test Street with Testkin");
  const fhir::JsonValue& note = entryResource(out.root, 4).find("note")->elements().front();
  BOOST_CHECK_EQUAL(note.find("text")->text(), "Visitor Johnroe came");
  BOOST_CHECK(note.find("authorString") == nullptr);
  BOOST_CHECK(entryResource(out.root, 6).find("conclusion") == nullptr);
}

BOOST_AUTO_TEST_CASE(pseudonym_matches_across_messages_and_formats) {
  ferry::testing::TempDir dir;
  auto keys = fixedKeys(dir);
  deid::Pseudonymizer pseudonymizer(*keys);
  deid::DeidOptions options;
  options.pseudonyms = true;

  Output patient = deidentify(kPatient, options, &pseudonymizer);
  Output bundle = deidentify(kBundle, options, &pseudonymizer);
  deid::Hl7Deidentifier hl7(options, &pseudonymizer);
  strip::ActionList actions;
  auto message = ferry::engine::hl7::Message::parse(
      "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|C1|P|2.5\rPID|1||MRN0001^^^H^MR\r");
  BOOST_REQUIRE(message.isOk());
  auto hl7_out = ferry::engine::hl7::Message::parse(hl7.apply(message.value(), kYear, actions));
  BOOST_REQUIRE(hl7_out.isOk());

  const fhir::JsonValue& identifier = patient.root.find("identifier")->elements().front();
  const std::string pseudonym(identifier.find("value")->text());
  BOOST_CHECK_EQUAL(identifier.find("system")->text(), deid::kPseudonymSystem);
  BOOST_CHECK_EQUAL(pseudonym, pseudonymizer.patientPseudonym("MRN0001"));
  BOOST_CHECK_EQUAL(
      entryResource(bundle.root, 0).find("identifier")->elements().front().find("value")->text(),
      pseudonym);
  BOOST_CHECK_EQUAL(*hl7_out.value().get("PID-3.1").value(), pseudonym);
  BOOST_CHECK_EQUAL(patient.root.find("id")->text(), pseudonymizer.resourceId("pat-mrn-0001"));
  checkValid(patient);
  checkValid(bundle);
}

BOOST_AUTO_TEST_CASE(each_patient_of_a_bundle_gets_its_own_pseudonym) {
  ferry::testing::TempDir dir;
  auto keys = fixedKeys(dir);
  deid::Pseudonymizer pseudonymizer(*keys);
  deid::DeidOptions options;
  options.pseudonyms = true;
  constexpr std::string_view kTwoPatients = R"({
    "resourceType": "Bundle", "type": "collection",
    "entry": [
      {"fullUrl": "urn:uuid:11111111-1111-4111-8111-111111111111",
       "resource": {"resourceType": "Patient", "id": "11111111-1111-4111-8111-111111111111",
                    "identifier": [{"value": "MRN0001"}]}},
      {"fullUrl": "urn:uuid:22222222-2222-4222-8222-222222222222",
       "resource": {"resourceType": "Patient", "id": "22222222-2222-4222-8222-222222222222",
                    "identifier": [{"value": "MRN0002"}]}}
    ]
  })";

  Output out = deidentify(kTwoPatients, options, &pseudonymizer);

  auto pseudonymOf = [&](std::size_t entry) {
    const fhir::JsonValue& identifiers = *entryResource(out.root, entry).find("identifier");
    return identifiers.elements().front().find("value")->text();
  };
  BOOST_CHECK_EQUAL(pseudonymOf(0), pseudonymizer.patientPseudonym("MRN0001"));
  BOOST_CHECK_EQUAL(pseudonymOf(1), pseudonymizer.patientPseudonym("MRN0002"));
  BOOST_CHECK_NE(pseudonymOf(0), pseudonymOf(1));
}

BOOST_AUTO_TEST_CASE(date_shift_moves_dates_by_the_patients_offset) {
  ferry::testing::TempDir dir;
  auto keys = fixedKeys(dir);
  deid::Pseudonymizer pseudonymizer(*keys);
  deid::DeidOptions options;
  options.date_shift_days = 30;

  Output first = deidentify(kBundle, options, &pseudonymizer);
  Output again = deidentify(kBundle, options, &pseudonymizer);

  const int days = pseudonymizer.dateShiftDays("MRN0001", 30);
  const fhir::JsonValue& period = *entryResource(first.root, 3).find("period");
  BOOST_CHECK(deid::shiftFhirDate("2024-01-01T08:00:00Z", days) ==
              std::optional<std::string>(period.find("start")->text()));
  BOOST_CHECK(deid::shiftFhirDate("2024-01-05T12:00:00Z", days) ==
              std::optional<std::string>(period.find("end")->text()));
  BOOST_CHECK_EQUAL(first.json, again.json);
  checkValid(first);
}

BOOST_AUTO_TEST_CASE(actions_list_paths_and_never_values) {
  Output out = deidentify(kBundle);

  BOOST_CHECK(listed(out.actions, "removed Patient.name"));
  BOOST_CHECK(listed(out.actions, "removed Practitioner.telecom"));
  BOOST_CHECK(listed(out.actions, "generalised Encounter.period.start to year"));
  for (const std::string& action : out.actions) {
    for (std::size_t i = 0; i < identifyingValues().size(); ++i) {
      BOOST_CHECK_MESSAGE(action.find(identifyingValues()[i]) == std::string::npos,
                          "an action holds identifying value #" << i);
    }
  }
}

BOOST_AUTO_TEST_CASE(documents_keep_a_new_identifier_their_year_and_required_elements) {
  constexpr std::string_view kDocument = R"({
    "resourceType": "Bundle", "type": "document",
    "identifier": {"system": "urn:ietf:rfc:3986",
                   "value": "urn:uuid:0a0a0a0a-0000-4000-8000-0000000000aa"},
    "timestamp": "2024-01-02T03:04:05Z",
    "entry": [
      {"fullUrl": "urn:uuid:99999999-9999-4999-8999-999999999999",
       "resource": {"resourceType": "Composition", "id": "99999999-9999-4999-8999-999999999999",
                    "status": "final",
                    "type": {"coding": [{"system": "http://loinc.org", "code": "11488-4"}]},
                    "subject": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"},
                    "date": "2024-01-02T03:04:05Z",
                    "author": [{"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"}],
                    "title": "Consult note for Testpatient"}},
      {"fullUrl": "urn:uuid:11111111-1111-4111-8111-111111111111",
       "resource": {"resourceType": "Patient", "id": "11111111-1111-4111-8111-111111111111",
                    "name": [{"family": "Testpatient"}]}}
    ]
  })";

  Output out = deidentify(kDocument);

  checkAbsent(out, {"Testpatient", "0a0a0a0a", "2024-01-02", "11111111-1111", "99999999-9999",
                    "Consult note"});
  checkValid(out);
  const fhir::JsonValue* identifier = out.root.find("identifier");
  BOOST_REQUIRE(identifier != nullptr);
  BOOST_CHECK(identifier->find("value")->text().rfind("urn:uuid:", 0) == 0);
  BOOST_CHECK_EQUAL(out.root.find("timestamp")->text(), "2024-01-01T00:00:00Z");
  BOOST_CHECK_EQUAL(entryResource(out.root, 0).find("title")->text(), "redacted");
  BOOST_CHECK(listed(out.actions, "redacted Composition.title (required element)"));
}

BOOST_AUTO_TEST_CASE(contained_ids_and_canonicals_pointing_at_them_change_together) {
  constexpr std::string_view kQuestionnaire = R"({
    "resourceType": "Questionnaire", "id": "q1", "status": "draft",
    "contained": [{"resourceType": "ValueSet", "id": "options", "status": "draft"}],
    "item": [{"linkId": "a", "type": "choice", "answerValueSet": "#options"}]
  })";

  Output out = deidentify(kQuestionnaire);

  const std::string id(out.root.find("contained")->elements().front().find("id")->text());
  BOOST_CHECK_NE(id, "options");
  BOOST_CHECK_EQUAL(out.root.find("item")->elements().front().find("answerValueSet")->text(),
                    "#" + id);
  checkValid(out);
}

BOOST_AUTO_TEST_CASE(checks_allow_free_text_paths) {
  BOOST_CHECK(deid::checkFhirFreeTextPath(*definitions(), "Observation.note").empty());
  BOOST_CHECK(deid::checkFhirFreeTextPath(*definitions(), "Observation.value[x]").empty());
  BOOST_CHECK(!deid::checkFhirFreeTextPath(*definitions(), "Observation.nonsense").empty());
  BOOST_CHECK(!deid::checkFhirFreeTextPath(*definitions(), "Observation").empty());
  BOOST_CHECK(!deid::checkFhirFreeTextPath(*definitions(), "Patient.contact").empty());
  BOOST_CHECK(!deid::checkFhirFreeTextPath(*definitions(), "Patient.name").empty());
}

BOOST_AUTO_TEST_SUITE_END()
