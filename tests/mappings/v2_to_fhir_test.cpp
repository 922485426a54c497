#include "mappings/v2_fhir/v2_to_fhir.h"

#include <set>

#include <boost/test/unit_test.hpp>

#include "engine/fhir/json_writer.h"
#include "engine/fhir/validator.h"
#include "engine/hl7/message.h"
#include "engine/hl7/message_splitter.h"
#include "mapping_test_support.h"
#include "mappings/v2_fhir/mapping_transform.h"
#include "mappings/v2_fhir/stable_id.h"
#include "support/test_support.h"

namespace ferry::mappings::v2fhir {

using engine::fhir::JsonValue;
using ferry::testing::at;
using ferry::testing::contains;
using ferry::testing::hl7;
using ferry::testing::mapOrFail;
using ferry::testing::resourcesOf;
using ferry::testing::textAt;

namespace {

const char* const kMsh = "MSH|^~\\&|TESTAPP|TESTFAC^1.2.3.4^ISO|RCVAPP|RCVFAC|20240105103000||";

std::string adtA01(std::string_view pid3 = "MRN0001^^^TESTHOSP^MR") {
  return hl7({std::string(kMsh) + "ADT^A01^ADT_A01|CTRL0001|P|2.5.1", "EVN|A01|20240105103000",
              "PID|1||" + std::string(pid3) +
                  "~SSN999^^^^SS||TESTPATIENT^ALPHA^B^^DR||19800214|F||2106-3^White^CDCREC|"
                  "1 TEST STREET^APT 2^TESTVILLE^TS^12345^USA^H~PO BOX 9^^TESTVILLE^TS^12345^USA^M^"
                  "NORTH||^PRN^PH^^1^555^1234567~^NET^Internet^alpha@example.test|||M",
              "PV1|1|I|WARD1^101^A^TESTHOSP||||DOC001^TESTDOCTOR^BETA^^^DR|||MED|||||||||V0001^^^"
              "TESTHOSP^VN|||||||||||||||||||||||||20240105100000",
              "ZPI|1|SECRETVALUE"});
}

std::string oruR01(const std::vector<std::string>& obx) {
  std::vector<std::string> segments = {
      std::string(kMsh) + "ORU^R01^ORU_R01|CTRL0002|P|2.5.1",
      "PID|1||MRN0001^^^TESTHOSP^MR||TESTPATIENT^ALPHA||19800214|F", "ORC|RE|PLC100|FIL100||CM",
      "OBR|1|PLC100|FIL100|24331-1^Lipid panel^LN|||20240105080000|||||||||DOC002^TESTORDERER^"
      "GAMMA||||||20240105090000||CH|F"};
  segments.insert(segments.end(), obx.begin(), obx.end());
  std::string text;
  for (const std::string& segment : segments) {
    text += segment + "\r";
  }
  return text;
}

const JsonValue& only(const std::vector<const JsonValue*>& resources) {
  BOOST_REQUIRE_EQUAL(resources.size(), 1u);
  return *resources.front();
}

std::set<std::string> fullUrls(const JsonValue& bundle) {
  std::set<std::string> urls;
  for (const JsonValue& entry : bundle.find("entry")->elements()) {
    urls.emplace(entry.find("fullUrl")->text());
  }
  return urls;
}

void collectReferences(const JsonValue& value, std::vector<std::string>& out) {
  if (value.isObject()) {
    for (const auto& [name, member] : value.members()) {
      if (name == "reference" && member.isString()) {
        out.emplace_back(member.text());
      }
      collectReferences(member, out);
    }
  } else if (value.isArray()) {
    for (const JsonValue& element : value.elements()) {
      collectReferences(element, out);
    }
  }
}

std::string referenceOf(const JsonValue& resource) {
  return "urn:uuid:" + std::string(resource.find("id")->text());
}

std::shared_ptr<const engine::fhir::Validator> validator() {
  static auto definitions = engine::fhir::Definitions::builtIn();
  if (!definitions.isOk()) {
    return nullptr;
  }
  static auto instance = std::make_shared<const engine::fhir::Validator>(definitions.value());
  return instance;
}

std::vector<std::string> validationErrors(const JsonValue& bundle) {
  std::vector<std::string> errors;
  auto checker = validator();
  BOOST_REQUIRE_MESSAGE(checker != nullptr, "FHIR definitions did not load");
  for (const auto& issue : checker->validate(bundle)) {
    if (issue.severity == engine::fhir::IssueSeverity::Error ||
        issue.severity == engine::fhir::IssueSeverity::Fatal) {
      errors.push_back(issue.expression + ": " + issue.diagnostics);
    }
  }
  return errors;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(v2_to_fhir)

BOOST_AUTO_TEST_CASE(builds_a_transaction_with_put_requests_and_uuid_full_urls) {
  MapOutput output = mapOrFail(adtA01());

  BOOST_CHECK_EQUAL(output.message_map, "ADT_A01");
  BOOST_CHECK_EQUAL(textAt(output.bundle, "type"), "transaction");
  for (const JsonValue& entry : output.bundle.find("entry")->elements()) {
    const JsonValue& resource = *entry.find("resource");
    std::string id = textAt(resource, "id");
    BOOST_CHECK_EQUAL(textAt(entry, "fullUrl"), "urn:uuid:" + id);
    BOOST_CHECK_EQUAL(textAt(entry, "request.method"), "PUT");
    BOOST_CHECK_EQUAL(textAt(entry, "request.url"), textAt(resource, "resourceType") + "/" + id);
  }
}

BOOST_AUTO_TEST_CASE(collection_bundle_has_no_requests) {
  MapOptions options;
  options.bundle_type = BundleType::Collection;

  MapOutput output = mapOrFail(adtA01(), options);

  BOOST_CHECK_EQUAL(textAt(output.bundle, "type"), "collection");
  BOOST_CHECK(at(output.bundle, "entry.0.request") == nullptr);
}

BOOST_AUTO_TEST_CASE(maps_pid_datatypes_into_patient) {
  MapOutput output = mapOrFail(adtA01());
  const JsonValue& patient = only(resourcesOf(output.bundle, "Patient"));

  // CX with its identifier type in table 0203
  BOOST_CHECK_EQUAL(textAt(patient, "identifier.0.value"), "MRN0001");
  BOOST_CHECK_EQUAL(textAt(patient, "identifier.0.assigner.display"), "TESTHOSP");
  BOOST_CHECK_EQUAL(textAt(patient, "identifier.0.type.coding.0.system"),
                    "http://terminology.hl7.org/CodeSystem/v2-0203");
  BOOST_CHECK_EQUAL(textAt(patient, "identifier.0.type.coding.0.code"), "MR");
  // XPN
  BOOST_CHECK_EQUAL(textAt(patient, "name.0.family"), "TESTPATIENT");
  BOOST_CHECK_EQUAL(textAt(patient, "name.0.given.0"), "ALPHA");
  BOOST_CHECK_EQUAL(textAt(patient, "name.0.given.1"), "B");
  BOOST_CHECK_EQUAL(textAt(patient, "name.0.prefix.0"), "DR");
  // DTM date, administrative sex (0001), marital status (0002)
  BOOST_CHECK_EQUAL(textAt(patient, "birthDate"), "1980-02-14");
  BOOST_CHECK_EQUAL(textAt(patient, "gender"), "female");
  BOOST_CHECK_EQUAL(textAt(patient, "maritalStatus.coding.0.system"),
                    "http://terminology.hl7.org/CodeSystem/v2-0002");
  BOOST_CHECK_EQUAL(textAt(patient, "maritalStatus.coding.0.code"), "M");
  // XAD, two repetitions
  BOOST_CHECK_EQUAL(textAt(patient, "address.0.line.1"), "APT 2");
  BOOST_CHECK_EQUAL(textAt(patient, "address.0.city"), "TESTVILLE");
  BOOST_CHECK_EQUAL(textAt(patient, "address.0.use"), "home");
  BOOST_CHECK_EQUAL(textAt(patient, "address.1.line.0"), "PO BOX 9");
  // XTN: number from its parts, and an e-mail address
  BOOST_CHECK_EQUAL(textAt(patient, "telecom.0.value"), "+1 (555) 1234567");
  BOOST_CHECK_EQUAL(textAt(patient, "telecom.0.system"), "phone");
  BOOST_CHECK_EQUAL(textAt(patient, "telecom.0.use"), "home");
  BOOST_CHECK_EQUAL(textAt(patient, "telecom.1.value"), "alpha@example.test");
  BOOST_CHECK_EQUAL(textAt(patient, "telecom.1.system"), "email");
}

BOOST_AUTO_TEST_CASE(maps_pv1_into_encounter_with_references) {
  MapOutput output = mapOrFail(adtA01());
  const JsonValue& patient = only(resourcesOf(output.bundle, "Patient"));
  const JsonValue& encounter = only(resourcesOf(output.bundle, "Encounter"));
  const JsonValue& practitioner = only(resourcesOf(output.bundle, "Practitioner"));
  const JsonValue& location = only(resourcesOf(output.bundle, "Location"));

  BOOST_CHECK_EQUAL(textAt(encounter, "class.system"),
                    "http://terminology.hl7.org/CodeSystem/v3-ActCode");
  BOOST_CHECK_EQUAL(textAt(encounter, "class.code"), "IMP");
  BOOST_CHECK_EQUAL(textAt(encounter, "status"), "in-progress");
  BOOST_CHECK_EQUAL(textAt(encounter, "identifier.0.value"), "V0001");
  BOOST_CHECK_EQUAL(textAt(encounter, "period.start"), "2024-01-05T10:00:00Z");
  BOOST_CHECK_EQUAL(textAt(encounter, "subject.reference"), referenceOf(patient));
  BOOST_CHECK_EQUAL(textAt(encounter, "participant.0.individual.reference"),
                    referenceOf(practitioner));
  BOOST_CHECK_EQUAL(textAt(encounter, "participant.0.type.0.coding.0.code"), "ATND");
  BOOST_CHECK_EQUAL(textAt(encounter, "location.0.location.reference"), referenceOf(location));
  BOOST_CHECK_EQUAL(textAt(practitioner, "name.0.family"), "TESTDOCTOR");
  BOOST_CHECK_EQUAL(textAt(practitioner, "identifier.0.value"), "DOC001");
  BOOST_CHECK_EQUAL(textAt(location, "name"), "WARD1");
}

BOOST_AUTO_TEST_CASE(every_reference_resolves_to_an_entry) {
  for (const std::string& text : {adtA01(), oruR01({"OBX|1|NM|2093-3^Cholesterol^LN||180|mg/dL"
                                                    "^mg/dL^UCUM|||||F"})}) {
    MapOutput output = mapOrFail(text);
    std::vector<std::string> references;
    collectReferences(output.bundle, references);
    std::set<std::string> urls = fullUrls(output.bundle);

    BOOST_CHECK(!references.empty());
    for (const std::string& reference : references) {
      BOOST_CHECK_MESSAGE(urls.count(reference) == 1, reference + " resolves to no entry");
    }
  }
}

BOOST_AUTO_TEST_CASE(same_patient_in_two_messages_gets_the_same_id) {
  MapOutput admit = mapOrFail(adtA01());
  MapOutput result = mapOrFail(oruR01({}));
  MapOutput other = mapOrFail(adtA01("MRN0002^^^TESTHOSP^MR"));

  std::string first = textAt(only(resourcesOf(admit.bundle, "Patient")), "id");
  BOOST_CHECK_EQUAL(first, textAt(only(resourcesOf(result.bundle, "Patient")), "id"));
  BOOST_CHECK_NE(first, textAt(only(resourcesOf(other.bundle, "Patient")), "id"));
  BOOST_CHECK_EQUAL(first, nameBasedUuid("Patient|MRN0001|TESTHOSP"));
}

BOOST_AUTO_TEST_CASE(resending_a_message_gives_identical_output) {
  std::string first = engine::fhir::writeJson(mapOrFail(adtA01()).bundle);
  std::string second = engine::fhir::writeJson(mapOrFail(adtA01()).bundle);

  BOOST_CHECK_EQUAL(first, second);
}

BOOST_AUTO_TEST_CASE(types_obx_5_by_obx_2) {
  MapOutput output = mapOrFail(oruR01({
      "OBX|1|NM|2093-3^Cholesterol^LN||+0180.50|mg/dL^milligram per deciliter^UCUM|<200|H|||F",
      "OBX|2|ST|8251-1^Comment^LN||free text here||||||F",
      "OBX|3|CWE|5778-6^Color^LN||Y^Yellow^HL70136||||||F",
      "OBX|4|SN|11111-1^Range^LN||^10^-^20||||||F",
      "OBX|5|SN|22222-2^Lower than^LN||<^5||||||F",
      "OBX|6|SN|33333-3^Titer^LN||^1^:^128||||||F",
      "OBX|7|DT|44444-4^A date^LN||20240101||||||F",
      "OBX|8|TS|55555-5^A stamp^LN||202401011230+0100||||||F",
      "OBX|9|ED|66666-6^A document^LN||^AP^PDF^Base64^SGVsbG8=||||||F",
      "OBX|10|TX|77777-7^Lines^LN||line one~line two||||||F",
      "OBX|11|TM|88888-8^A time^LN||0930||||||F",
  }));
  auto observations = resourcesOf(output.bundle, "Observation");
  BOOST_REQUIRE_EQUAL(observations.size(), 11u);

  BOOST_CHECK_EQUAL(textAt(*observations[0], "valueQuantity.value"), "180.50");
  BOOST_CHECK_EQUAL(textAt(*observations[0], "valueQuantity.unit"), "milligram per deciliter");
  BOOST_CHECK_EQUAL(textAt(*observations[0], "valueQuantity.system"), "http://unitsofmeasure.org");
  BOOST_CHECK_EQUAL(textAt(*observations[0], "valueQuantity.code"), "mg/dL");
  BOOST_CHECK_EQUAL(textAt(*observations[1], "valueString"), "free text here");
  BOOST_CHECK_EQUAL(textAt(*observations[2], "valueCodeableConcept.coding.0.code"), "Y");
  BOOST_CHECK_EQUAL(textAt(*observations[2], "valueCodeableConcept.coding.0.system"),
                    "http://terminology.hl7.org/CodeSystem/v2-0136");
  BOOST_CHECK_EQUAL(textAt(*observations[3], "valueRange.low.value"), "10");
  BOOST_CHECK_EQUAL(textAt(*observations[3], "valueRange.high.value"), "20");
  BOOST_CHECK_EQUAL(textAt(*observations[4], "valueQuantity.comparator"), "<");
  BOOST_CHECK_EQUAL(textAt(*observations[4], "valueQuantity.value"), "5");
  BOOST_CHECK_EQUAL(textAt(*observations[5], "valueRatio.denominator.value"), "128");
  BOOST_CHECK_EQUAL(textAt(*observations[6], "valueDateTime"), "2024-01-01");
  BOOST_CHECK_EQUAL(textAt(*observations[7], "valueDateTime"), "2024-01-01T12:30:00+01:00");
  BOOST_CHECK_EQUAL(textAt(*observations[8], "extension.0.valueAttachment.contentType"),
                    "application/pdf");
  BOOST_CHECK_EQUAL(textAt(*observations[8], "extension.0.valueAttachment.data"), "SGVsbG8=");
  BOOST_CHECK_EQUAL(textAt(*observations[9], "valueString"), "line one\nline two");
  BOOST_CHECK_EQUAL(textAt(*observations[10], "valueTime"), "09:30:00");
  BOOST_CHECK(output.coverage.unmapped.empty() || !contains(output.coverage.unmapped, "OBX-5"));
}

BOOST_AUTO_TEST_CASE(maps_order_and_result_vocabularies) {
  MapOutput output = mapOrFail(oruR01({"OBX|1|NM|2093-3^Cholesterol^LN||250|mg/dL^^UCUM||H|||C"}));
  const JsonValue& order = only(resourcesOf(output.bundle, "ServiceRequest"));
  const JsonValue& report = only(resourcesOf(output.bundle, "DiagnosticReport"));
  const JsonValue& observation = only(resourcesOf(output.bundle, "Observation"));

  BOOST_CHECK_EQUAL(textAt(order, "status"), "completed");  // ORC-5 CM, table 0038
  BOOST_CHECK_EQUAL(textAt(order, "intent"), "order");
  BOOST_CHECK_EQUAL(textAt(order, "requester.reference"),
                    referenceOf(only(resourcesOf(output.bundle, "Practitioner"))));
  BOOST_CHECK_EQUAL(textAt(report, "status"), "final");  // OBR-25 F, table 0123
  BOOST_CHECK_EQUAL(textAt(report, "issued"), "2024-01-05T09:00:00Z");
  BOOST_CHECK_EQUAL(textAt(report, "basedOn.0.reference"), referenceOf(order));
  BOOST_CHECK_EQUAL(textAt(report, "result.0.reference"), referenceOf(observation));
  BOOST_CHECK_EQUAL(textAt(observation, "status"), "corrected");  // OBX-11 C, table 0085
  BOOST_CHECK_EQUAL(textAt(observation, "interpretation.0.coding.1.system"),
                    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation");
  BOOST_CHECK_EQUAL(textAt(observation, "interpretation.0.coding.1.code"), "H");  // table 0078
}

BOOST_AUTO_TEST_CASE(order_control_gives_status_when_order_status_is_missing) {
  std::string text = hl7({std::string(kMsh) + "ORM^O01^ORM_O01|CTRL0003|P|2.5.1",
                          "PID|1||MRN0001^^^TESTHOSP^MR||TESTPATIENT^ALPHA", "ORC|CA|PLC200",
                          "OBR|1|PLC200||1234-5^Test^LN"});

  MapOutput output = mapOrFail(text);
  const JsonValue& order = only(resourcesOf(output.bundle, "ServiceRequest"));

  BOOST_CHECK_EQUAL(textAt(order, "status"), "active");  // ORC-1 CA (cancel requested), 0119
  BOOST_CHECK_EQUAL(textAt(order, "code.coding.0.code"), "1234-5");
  BOOST_CHECK_EQUAL(order.find("identifier")->elements().size(), 1u);  // ORC-2 = OBR-2 once
}

BOOST_AUTO_TEST_CASE(report_results_follow_their_own_obr) {
  MapOutput output = mapOrFail(oruR01({"OBX|1|NM|1^A^LN||1||||||F", "OBX|2|NM|2^B^LN||2||||||F",
                                       "OBR|2|PLC101|FIL101|3^Panel two^LN|||||||||||||||||||F",
                                       "OBX|1|NM|3^C^LN||3||||||F"}));
  auto reports = resourcesOf(output.bundle, "DiagnosticReport");

  BOOST_REQUIRE_EQUAL(reports.size(), 2u);
  BOOST_CHECK_EQUAL(at(*reports[0], "result")->elements().size(), 2u);
  BOOST_CHECK_EQUAL(at(*reports[1], "result")->elements().size(), 1u);
  BOOST_CHECK_EQUAL(resourcesOf(output.bundle, "ServiceRequest").size(), 2u);
}

BOOST_AUTO_TEST_CASE(notes_after_obx_go_to_that_observation) {
  MapOutput output =
      mapOrFail(oruR01({"OBX|1|NM|1^A^LN||1||||||F", "NTE|1||first note", "NTE|2||second note"}));
  const JsonValue& observation = only(resourcesOf(output.bundle, "Observation"));

  BOOST_CHECK_EQUAL(textAt(observation, "note.0.text"), "first note");
  BOOST_CHECK_EQUAL(textAt(observation, "note.1.text"), "second note");
}

BOOST_AUTO_TEST_CASE(zone_rule_applies_configured_zone_only_to_stamps_without_one) {
  MapOptions options;
  options.zone = TimeZone::parse("+05:00").value();

  MapOutput output = mapOrFail(oruR01({"OBX|1|NM|1^A^LN||1||||||F|||202401051200-0400"}), options);
  const JsonValue& observation = only(resourcesOf(output.bundle, "Observation"));

  BOOST_CHECK_EQUAL(textAt(output.bundle, "timestamp"), "2024-01-05T10:30:00+05:00");
  BOOST_CHECK_EQUAL(textAt(observation, "effectiveDateTime"), "2024-01-05T12:00:00-04:00");
  BOOST_CHECK_EQUAL(textAt(only(resourcesOf(output.bundle, "Patient")), "birthDate"), "1980-02-14");
}

BOOST_AUTO_TEST_CASE(invalid_values_are_reported_not_emitted) {
  std::string text = hl7({std::string(kMsh) + "ADT^A01^ADT_A01|CTRL0004|P|2.5.1",
                          "PID|1||MRN0001^^^TESTHOSP^MR||TESTPATIENT^ALPHA||20241340|Q"});

  MapOutput output = mapOrFail(text);
  const JsonValue& patient = only(resourcesOf(output.bundle, "Patient"));

  BOOST_CHECK(patient.find("birthDate") == nullptr);
  BOOST_CHECK(patient.find("gender") == nullptr);
  BOOST_CHECK(contains(output.coverage.unconverted, "PID-7"));
  BOOST_CHECK(contains(output.coverage.unconverted, "PID-8"));
}

BOOST_AUTO_TEST_CASE(coverage_lists_unmapped_segment_and_fields_by_path_only) {
  MapOutput output = mapOrFail(adtA01());
  std::vector<std::string> actions = coverageActions(output);

  BOOST_CHECK(contains(output.coverage.unmapped, "ZPI-1"));
  BOOST_CHECK(contains(output.coverage.unmapped, "ZPI-2"));
  BOOST_CHECK(contains(output.coverage.unmapped, "PID-10"));       // race: local extension
  BOOST_CHECK(contains(output.coverage.unmapped, "PID-11[2].8"));  // other designation
  BOOST_CHECK(!contains(output.coverage.unmapped, "PID-5"));
  BOOST_CHECK(!contains(output.coverage.unmapped, "PID-1"));  // ignored on purpose
  BOOST_CHECK(contains(actions, "unmapped ZPI-2"));
  for (const std::string& action : actions) {
    BOOST_CHECK(action.find("SECRETVALUE") == std::string::npos);
    BOOST_CHECK(action.find("White") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(coverage_of_wholly_read_segments_is_empty_and_one_unread_part_is_named) {
  // Two OBX read in full (parts read twice count once); a third with a part nobody reads
  // (CWE.6 without CWE.4) and a fourth with two.
  const std::string read = "|NM|2093-3^Cholesterol^LN||196|mg/dL^mg/dL^UCUM|50-150|N|||F";
  MapOutput output = mapOrFail(
      oruR01({"OBX|1" + read, "OBX|2" + read, "OBX|3|NM|2093-3^Cholesterol^LN^^^EXTRA||196||||||F",
              "OBX|4|NM|2093-3^Cholesterol^LN^^^EXTRA^^^^^NOTE||196"}));

  std::vector<std::string> obx;
  for (const std::string& path : output.coverage.unmapped) {
    if (path.rfind("OBX", 0) == 0) {
      obx.push_back(path);
    }
  }

  std::vector<std::string> expected = {"OBX-3.6", "OBX-3.11"};
  BOOST_CHECK_EQUAL_COLLECTIONS(obx.begin(), obx.end(), expected.begin(), expected.end());
}

BOOST_AUTO_TEST_CASE(message_type_without_mapping_is_unsupported) {
  auto mapper = V2ToFhirMapper::shared();
  BOOST_REQUIRE(mapper.isOk());
  auto message = engine::hl7::Message::parse(hl7({std::string(kMsh) + "MFN^M02|CTRL5|P|2.5"}));
  BOOST_REQUIRE(message.isOk());

  auto output = mapper.value()->map(message.value());

  BOOST_REQUIRE(!output.isOk());
  BOOST_CHECK(output.status().code() == engine::ErrorCode::Unsupported);
}

BOOST_AUTO_TEST_CASE(maps_vxu_to_immunization) {
  std::string text =
      hl7({std::string(kMsh) + "VXU^V04^VXU_V04|CTRL0005|P|2.5.1",
           "PID|1||MRN0001^^^TESTHOSP^MR||TESTPATIENT^ALPHA||20200101|M", "ORC|RE||IMM01^TESTIIS",
           "RXA|0|1|20240105||08^HepB^CVX|0.5|mL^milliliter^UCUM||||||||"
           "LOT1|20250101|MSD^Merck^MVX|||CP|A",
           "RXR|C28161^Intramuscular^NCIT|LA^Left arm^HL70163"});

  MapOutput output = mapOrFail(text);
  const JsonValue& immunization = only(resourcesOf(output.bundle, "Immunization"));

  BOOST_CHECK_EQUAL(textAt(immunization, "status"), "completed");
  BOOST_CHECK_EQUAL(textAt(immunization, "vaccineCode.coding.0.system"),
                    "http://hl7.org/fhir/sid/cvx");
  BOOST_CHECK_EQUAL(textAt(immunization, "occurrenceDateTime"), "2024-01-05");
  BOOST_CHECK_EQUAL(textAt(immunization, "doseQuantity.value"), "0.5");
  BOOST_CHECK_EQUAL(textAt(immunization, "identifier.0.value"), "IMM01");
  BOOST_CHECK_EQUAL(textAt(immunization, "route.coding.0.code"), "C28161");
  BOOST_CHECK_EQUAL(textAt(immunization, "site.coding.0.code"), "LA");
  BOOST_CHECK_EQUAL(textAt(immunization, "lotNumber"), "LOT1");
  BOOST_CHECK_EQUAL(textAt(immunization, "patient.reference"),
                    referenceOf(only(resourcesOf(output.bundle, "Patient"))));
}

BOOST_AUTO_TEST_CASE(siu_appointment_references_the_patient_that_follows) {
  std::string text =
      hl7({std::string(kMsh) + "SIU^S12^SIU_S12|CTRL0006|P|2.5.1",
           "SCH|APT1^TESTSCHED||||||CHECKUP^Checkup^HL70276|ROUTINE^Routine^HL70277|20|MIN|"
           "^^20^20240110090000^20240110092000",
           "PID|1||MRN0001^^^TESTHOSP^MR||TESTPATIENT^ALPHA", "AIL|1||ROOM7^^^TESTHOSP"});

  MapOutput output = mapOrFail(text);
  const JsonValue& appointment = only(resourcesOf(output.bundle, "Appointment"));

  BOOST_CHECK_EQUAL(textAt(appointment, "status"), "booked");
  BOOST_CHECK_EQUAL(textAt(appointment, "start"), "2024-01-10T09:00:00Z");
  std::set<std::string> actors = {textAt(appointment, "participant.0.actor.reference"),
                                  textAt(appointment, "participant.1.actor.reference")};
  BOOST_CHECK_EQUAL(actors.count(referenceOf(only(resourcesOf(output.bundle, "Patient")))), 1u);
  BOOST_CHECK_EQUAL(actors.count(referenceOf(only(resourcesOf(output.bundle, "Location")))), 1u);
  BOOST_CHECK(validationErrors(output.bundle).empty());
}

BOOST_AUTO_TEST_CASE(mdm_document_content_comes_from_obx) {
  std::string text =
      hl7({std::string(kMsh) + "MDM^T02^MDM_T02|CTRL0007|P|2.5.1", "EVN|T02|20240105103000",
           "PID|1||MRN0001^^^TESTHOSP^MR||TESTPATIENT^ALPHA",
           "TXA|1|DS^Discharge summary^HL70270|TX|20240105||||||||DOC55|||||AU||AV",
           "OBX|1|TX|DS^Summary^HL70270||Patient went home."});

  MapOutput output = mapOrFail(text);
  const JsonValue& document = only(resourcesOf(output.bundle, "DocumentReference"));

  BOOST_CHECK_EQUAL(textAt(document, "status"), "current");
  BOOST_CHECK_EQUAL(textAt(document, "docStatus"), "final");
  BOOST_CHECK_EQUAL(textAt(document, "content.0.attachment.contentType"), "text/plain");
  BOOST_CHECK_EQUAL(textAt(document, "content.0.attachment.data"), "UGF0aWVudCB3ZW50IGhvbWUu");
  BOOST_CHECK(validationErrors(output.bundle).empty());
}

BOOST_AUTO_TEST_CASE(merge_links_the_old_patient_to_the_survivor) {
  std::string text =
      hl7({std::string(kMsh) + "ADT^A40^ADT_A39|CTRL0008|P|2.5.1", "EVN|A40|20240105103000",
           "PID|1||MRN0001^^^TESTHOSP^MR||TESTPATIENT^ALPHA", "MRG|MRN0999^^^TESTHOSP^MR"});

  MapOutput output = mapOrFail(text);
  auto patients = resourcesOf(output.bundle, "Patient");

  BOOST_REQUIRE_EQUAL(patients.size(), 2u);
  BOOST_CHECK(!at(*patients[1], "active")->boolean());
  BOOST_CHECK_EQUAL(textAt(*patients[1], "link.0.type"), "replaced-by");
  BOOST_CHECK_EQUAL(textAt(*patients[1], "link.0.other.reference"), referenceOf(*patients[0]));
}

BOOST_AUTO_TEST_CASE(synthetic_outputs_validate_without_errors) {
  for (const std::string& text :
       {adtA01(), oruR01({"OBX|1|NM|2093-3^Cholesterol^LN||180|mg/dL^^UCUM|||||F",
                          "OBX|2|SN|1^A^LN||^1^:^2||||||F", "OBX|3|ED|2^B^LN||^TEXT^^A^hello"})}) {
    MapOutput output = mapOrFail(text);
    std::vector<std::string> errors = validationErrors(output.bundle);
    for (const std::string& error : errors) {
      BOOST_ERROR(error);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_supported_corpus_message_maps_and_validates) {
  auto files = ferry::testing::corpusFiles("hl7v2");
  if (files.empty()) {
    BOOST_TEST_MESSAGE("corpus absent: skipped");
    return;
  }
  auto mapper = V2ToFhirMapper::shared();
  BOOST_REQUIRE(mapper.isOk());
  std::size_t mapped = 0;
  std::size_t unsupported = 0;
  for (const auto& path : files) {
    if (path.string().find("/malformed/") != std::string::npos) {
      continue;
    }
    std::string content = ferry::testing::readFile(path);
    engine::hl7::SplitResult split = engine::hl7::splitMessages(content);
    for (std::string_view bytes : split.messages()) {
      auto message = engine::hl7::Message::parse(bytes);
      if (!message.isOk()) {
        continue;  // parsing is the hl7 suite's subject
      }
      auto output = mapper.value()->map(message.value());
      if (!output.isOk() && output.status().code() == engine::ErrorCode::Unsupported) {
        ++unsupported;
        continue;
      }
      BOOST_REQUIRE_MESSAGE(output.isOk(),
                            path.filename().string() + ": " + output.status().toString());
      ++mapped;
      for (const std::string& error : validationErrors(output.value().bundle)) {
        BOOST_ERROR(path.filename().string() + ": " + error);
      }
    }
  }
  BOOST_TEST_MESSAGE("corpus: " << mapped << " messages mapped, " << unsupported
                                << " of types without a message map");
  BOOST_CHECK_GT(mapped, 50u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::v2fhir
