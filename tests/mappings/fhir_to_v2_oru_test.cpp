
#include <boost/test/unit_test.hpp>

#include "engine/hl7/message.h"
#include "fhir_to_v2_test_support.h"
#include "mapping_test_support.h"
#include "mappings/fhir_v2/fhir_to_v2.h"

namespace ferry::mappings::fhirv2 {

namespace {

using engine::hl7::Message;

using ferry::testing::contains;

// A report with one Observation whose value[x] is `value` (a JSON member list).
std::string reportWith(const std::string& observation_members) {
  return R"({"resourceType": "Bundle", "type": "collection", "entry": [
    {"fullUrl": "urn:uuid:aaaaaaaa-0000-5000-8000-000000000001",
     "resource": {"resourceType": "Patient", "identifier": [{"value": "MRN5"}],
                  "name": [{"family": "TESTPATIENT", "given": ["THETA"]}]}},
    {"fullUrl": "urn:uuid:aaaaaaaa-0000-5000-8000-000000000002",
     "resource": {"resourceType": "DiagnosticReport", "status": "final",
       "code": {"coding": [{"system": "http://loinc.org", "code": "24317-0",
                            "display": "TEST PANEL"}]},
       "subject": {"reference": "urn:uuid:aaaaaaaa-0000-5000-8000-000000000001"},
       "result": [{"reference": "urn:uuid:aaaaaaaa-0000-5000-8000-000000000003"}]}},
    {"fullUrl": "urn:uuid:aaaaaaaa-0000-5000-8000-000000000003",
     "resource": {"resourceType": "Observation", "status": "final",
       "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7",
                            "display": "GLUCOSE"}]},
       "subject": {"reference": "urn:uuid:aaaaaaaa-0000-5000-8000-000000000001"},
       )" +
         observation_members + R"(}}]})";
}

const std::string kLabBundle = R"({"resourceType": "Bundle", "type": "transaction",
  "timestamp": "2024-03-01T07:00:00Z",
  "entry": [
    {"fullUrl": "urn:uuid:bbbbbbbb-0000-5000-8000-000000000001",
     "resource": {"resourceType": "Patient", "id": "pat",
                  "identifier": [{"value": "MRN7", "assigner": {"display": "TESTLAB"}}],
                  "name": [{"family": "TESTPATIENT", "given": ["IOTA"]}],
                  "gender": "male", "birthDate": "1975-05-05"}},
    {"fullUrl": "urn:uuid:bbbbbbbb-0000-5000-8000-000000000002",
     "resource": {"resourceType": "Encounter", "id": "enc", "status": "finished",
       "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
       "subject": {"reference": "Patient/pat"}}},
    {"fullUrl": "urn:uuid:bbbbbbbb-0000-5000-8000-000000000003",
     "resource": {"resourceType": "ServiceRequest", "id": "order", "status": "active",
       "intent": "order",
       "identifier": [{"value": "PLC1", "assigner": {"display": "TESTEMR"},
         "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                              "code": "PLAC"}]}}],
       "code": {"coding": [{"system": "http://loinc.org", "code": "24317-0"}]},
       "subject": {"reference": "Patient/pat"},
       "authoredOn": "2024-02-29T16:00:00Z",
       "requester": {"reference": "Practitioner/doc"},
       "note": [{"text": "FASTING"}]}},
    {"fullUrl": "urn:uuid:bbbbbbbb-0000-5000-8000-000000000004",
     "resource": {"resourceType": "DiagnosticReport", "id": "rep", "status": "final",
       "identifier": [{"value": "FIL1", "system": "urn:oid:1.2.3.9"}],
       "basedOn": [{"reference": "ServiceRequest/order"}],
       "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                 "code": "HM"}]}],
       "code": {"coding": [{"system": "http://loinc.org", "code": "24317-0",
                            "display": "HEMOGRAM"}]},
       "subject": {"reference": "Patient/pat"},
       "encounter": {"reference": "Encounter/enc"},
       "effectiveDateTime": "2024-03-01T06:10:00Z",
       "issued": "2024-03-01T06:55:00.5Z",
       "conclusion": "WITHIN LIMITS",
       "result": [{"reference": "Observation/hb"}, {"reference": "Observation/note"}]}},
    {"fullUrl": "urn:uuid:bbbbbbbb-0000-5000-8000-000000000005",
     "resource": {"resourceType": "Observation", "id": "hb", "status": "final",
       "code": {"coding": [{"system": "http://loinc.org", "code": "718-7",
                            "display": "HEMOGLOBIN"}, {"system": "urn:oid:9.9.9", "code": "HB"}],
                "text": "HB"},
       "subject": {"reference": "Patient/pat"},
       "encounter": {"reference": "Encounter/enc"},
       "effectiveDateTime": "2024-03-01T06:10:00Z",
       "issued": "2024-03-01T06:50:00Z",
       "valueQuantity": {"value": 13.50, "unit": "g/dL", "system": "http://unitsofmeasure.org",
                         "code": "g/dL"},
       "interpretation": [{"coding": [{"system":
         "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": "L"}]}],
       "referenceRange": [{"low": {"value": 14}, "high": {"value": 18}}],
       "performer": [{"reference": "Practitioner/doc"}, {"reference": "Organization/lab"}],
       "note": [{"text": "REPEATED"}, {"text": "CHECKED"}],
       "component": [{"code": {"text": "PART"}, "valueString": "X"}]}},
    {"fullUrl": "urn:uuid:bbbbbbbb-0000-5000-8000-000000000006",
     "resource": {"resourceType": "Observation", "id": "note", "status": "entered-in-error",
       "code": {"text": "COMMENT"},
       "valueString": "LINE ONE\nLINE|TWO\n\nLINE FOUR"}},
    {"fullUrl": "urn:uuid:bbbbbbbb-0000-5000-8000-000000000007",
     "resource": {"resourceType": "Practitioner", "id": "doc",
                  "identifier": [{"value": "DOC9"}], "name": [{"family": "TESTORDERER"}]}},
    {"fullUrl": "urn:uuid:bbbbbbbb-0000-5000-8000-000000000008",
     "resource": {"resourceType": "Organization", "id": "lab", "name": "TESTLAB",
                  "identifier": [{"value": "LAB1"}]}}
  ]})";

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_to_v2_oru)

BOOST_AUTO_TEST_CASE(report_with_observations_maps_to_oru_r01) {
  V2MapOutput output = mapOrFail(kLabBundle);

  Message message = parseOrFail(output);
  BOOST_CHECK_EQUAL(output.message_type, "ORU^R01");
  BOOST_CHECK(
      (segmentIds(message) == std::vector<std::string>{"MSH", "PID", "PV1", "ORC", "OBR", "NTE",
                                                       "NTE", "OBX", "NTE", "NTE", "OBX"}));
  BOOST_CHECK_EQUAL(at(message, "MSH-9"), "ORU^R01^ORU_R01");
  BOOST_CHECK_EQUAL(at(message, "MSH-7"), "20240301070000+0000");
  BOOST_CHECK_EQUAL(at(message, "PID-3.1"), "MRN7");
  BOOST_CHECK_EQUAL(at(message, "PV1-2"), "O");
}

BOOST_AUTO_TEST_CASE(order_and_report_fill_orc_and_obr) {
  Message message = parseOrFail(mapOrFail(kLabBundle));

  BOOST_CHECK_EQUAL(at(message, "ORC-1"), "RE");
  BOOST_CHECK_EQUAL(at(message, "ORC-2.1"), "PLC1");
  BOOST_CHECK_EQUAL(at(message, "ORC-2.2"), "TESTEMR");
  BOOST_CHECK_EQUAL(at(message, "ORC-3.1"), "FIL1");
  BOOST_CHECK_EQUAL(at(message, "ORC-3.3"), "1.2.3.9");
  BOOST_CHECK_EQUAL(at(message, "ORC-3.4"), "ISO");
  BOOST_CHECK_EQUAL(at(message, "ORC-5"), "IP");
  BOOST_CHECK_EQUAL(at(message, "ORC-9"), "20240229160000+0000");
  BOOST_CHECK_EQUAL(at(message, "ORC-12.1"), "DOC9");
  BOOST_CHECK_EQUAL(at(message, "OBR-1"), "1");
  BOOST_CHECK_EQUAL(at(message, "OBR-2.1"), "PLC1");
  BOOST_CHECK_EQUAL(at(message, "OBR-3.1"), "FIL1");
  BOOST_CHECK_EQUAL(at(message, "OBR-4.1"), "24317-0");
  BOOST_CHECK_EQUAL(at(message, "OBR-4.2"), "HEMOGRAM");
  BOOST_CHECK_EQUAL(at(message, "OBR-4.3"), "LN");
  BOOST_CHECK_EQUAL(at(message, "OBR-7"), "20240301061000+0000");
  BOOST_CHECK_EQUAL(at(message, "OBR-16.2.1"), "TESTORDERER");
  BOOST_CHECK_EQUAL(at(message, "OBR-22"), "20240301065500.5+0000");
  BOOST_CHECK_EQUAL(at(message, "OBR-24"), "HM");
  BOOST_CHECK_EQUAL(at(message, "OBR-25"), "F");
  BOOST_CHECK_EQUAL(at(message, "NTE[1]-3"), "WITHIN LIMITS");
  BOOST_CHECK_EQUAL(at(message, "NTE[2]-3"), "FASTING");
}

BOOST_AUTO_TEST_CASE(quantity_becomes_nm_with_units_and_range) {
  Message message = parseOrFail(mapOrFail(kLabBundle));

  BOOST_CHECK_EQUAL(at(message, "OBX[1]-1"), "1");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-2"), "NM");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-3.1"), "718-7");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-3.3"), "LN");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-3.4"), "HB");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-3.9"), "HB");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-5"), "13.50");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-6.1"), "g/dL");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-6.3"), "UCUM");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-7"), "14-18");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-8"), "L");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-11"), "F");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-14"), "20240301061000+0000");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-16.1"), "DOC9");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-19"), "20240301065000+0000");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-23.1"), "TESTLAB");
  BOOST_CHECK_EQUAL(at(message, "OBX[1]-23.10"), "LAB1");
  BOOST_CHECK_EQUAL(at(message, "NTE[3]-1"), "1");
  BOOST_CHECK_EQUAL(at(message, "NTE[3]-3"), "REPEATED");
  BOOST_CHECK_EQUAL(at(message, "NTE[4]-1"), "2");
}

BOOST_AUTO_TEST_CASE(multi_line_text_becomes_tx_repetitions) {
  V2MapOutput output = mapOrFail(kLabBundle);

  Message message = parseOrFail(output);
  BOOST_CHECK_EQUAL(at(message, "OBX[2]-2"), "TX");
  BOOST_CHECK_EQUAL(at(message, "OBX[2]-5[1]"), "LINE ONE");
  BOOST_CHECK_EQUAL(at(message, "OBX[2]-5[2]"), "LINE|TWO");
  BOOST_CHECK_EQUAL(at(message, "OBX[2]-5[3]"), "");
  BOOST_CHECK_EQUAL(at(message, "OBX[2]-5[4]"), "LINE FOUR");
  BOOST_CHECK_EQUAL(at(message, "OBX[2]-3.9"), "COMMENT");
  BOOST_CHECK_EQUAL(at(message, "OBX[2]-11"), "W");
}

BOOST_AUTO_TEST_CASE(unused_parts_are_listed_by_path) {
  V2MapOutput output = mapOrFail(kLabBundle);

  BOOST_CHECK(contains(output.unmapped, "Observation.component"));
  BOOST_CHECK(!contains(output.unmapped, "Observation.valueQuantity"));
  BOOST_CHECK(!contains(output.unmapped, "DiagnosticReport.result"));
  BOOST_CHECK(!contains(output.unmapped, "Practitioner"));
  BOOST_CHECK(contains(output.unconverted, "Observation.code.coding.system"));
}

BOOST_AUTO_TEST_CASE(comparator_quantity_becomes_sn) {
  Message message = parseOrFail(
      mapOrFail(reportWith(R"("valueQuantity": {"value": 5, "comparator": "<", "unit": "mg"})")));

  BOOST_CHECK_EQUAL(at(message, "OBX-2"), "SN");
  BOOST_CHECK_EQUAL(at(message, "OBX-5.1"), "<");
  BOOST_CHECK_EQUAL(at(message, "OBX-5.2"), "5");
  BOOST_CHECK_EQUAL(at(message, "OBX-6.1"), "mg");
}

BOOST_AUTO_TEST_CASE(range_and_ratio_become_sn) {
  Message range = parseOrFail(
      mapOrFail(reportWith(R"("valueRange": {"low": {"value": 1}, "high": {"value": 3}})")));
  Message ratio = parseOrFail(mapOrFail(
      reportWith(R"("valueRatio": {"numerator": {"value": 1}, "denominator": {"value": 128}})")));

  BOOST_CHECK_EQUAL(at(range, "OBX-2"), "SN");
  BOOST_CHECK_EQUAL(at(range, "OBX-5"), "^1^-^3");
  BOOST_CHECK_EQUAL(at(ratio, "OBX-5"), "^1^:^128");
}

BOOST_AUTO_TEST_CASE(short_string_is_st_and_long_string_is_tx) {
  std::string long_text(250, 'A');

  Message short_value = parseOrFail(mapOrFail(reportWith(R"("valueString": "POSITIVE^1")")));
  Message long_value = parseOrFail(mapOrFail(reportWith(R"("valueString": ")" + long_text + "\"")));

  BOOST_CHECK_EQUAL(at(short_value, "OBX-2"), "ST");
  BOOST_CHECK_EQUAL(at(short_value, "OBX-5.1"), "POSITIVE^1");
  BOOST_CHECK_EQUAL(at(long_value, "OBX-2"), "TX");
  BOOST_CHECK_EQUAL(at(long_value, "OBX-5").size(), 250u);
}

BOOST_AUTO_TEST_CASE(coded_value_becomes_cwe_with_system_name) {
  Message message = parseOrFail(mapOrFail(reportWith(
      R"("valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct",
         "code": "260373001", "display": "DETECTED"}]})")));

  BOOST_CHECK_EQUAL(at(message, "OBX-2"), "CWE");
  BOOST_CHECK_EQUAL(at(message, "OBX-5.1"), "260373001");
  BOOST_CHECK_EQUAL(at(message, "OBX-5.2"), "DETECTED");
  BOOST_CHECK_EQUAL(at(message, "OBX-5.3"), "SCT");
}

BOOST_AUTO_TEST_CASE(date_time_and_boolean_values_have_their_types) {
  Message date = parseOrFail(mapOrFail(reportWith(R"("valueDateTime": "2024-01-02")")));
  Message time = parseOrFail(mapOrFail(reportWith(R"("valueTime": "10:11:12")")));
  Message flag = parseOrFail(mapOrFail(reportWith(R"("valueBoolean": true)")));

  BOOST_CHECK_EQUAL(at(date, "OBX-2"), "DTM");
  BOOST_CHECK_EQUAL(at(date, "OBX-5"), "20240102");
  BOOST_CHECK_EQUAL(at(time, "OBX-2"), "TM");
  BOOST_CHECK_EQUAL(at(time, "OBX-5"), "101112");
  BOOST_CHECK_EQUAL(at(flag, "OBX-2"), "CWE");
  BOOST_CHECK_EQUAL(at(flag, "OBX-5.1"), "Y");
  BOOST_CHECK_EQUAL(at(flag, "OBX-5.3"), "HL70136");
}

BOOST_AUTO_TEST_CASE(reference_range_text_wins) {
  Message message = parseOrFail(mapOrFail(reportWith(
      R"("valueQuantity": {"value": 4}, "referenceRange": [{"text": "3.5-5.1 mmol/L",
         "low": {"value": 3.5}}])")));

  BOOST_CHECK_EQUAL(at(message, "OBX-7"), "3.5-5.1 mmol/L");
}

BOOST_AUTO_TEST_CASE(a_malformed_date_is_reported_not_written) {
  V2MapOutput output = mapOrFail(reportWith(R"("effectiveDateTime": "2024-13-40")"));

  BOOST_CHECK_EQUAL(at(parseOrFail(output), "OBX-14"), "");
  BOOST_CHECK(contains(output.unconverted, "Observation.effective"));
}

BOOST_AUTO_TEST_CASE(oru_without_a_report_is_refused) {
  auto output = mapText(R"({"resourceType": "Patient", "name": [{"family": "TESTPATIENT"}]})",
                        fixedOptions(MessageChoice::OruR01));

  BOOST_REQUIRE(!output.isOk());
  BOOST_CHECK(output.status().code() == engine::ErrorCode::InvalidMessage);
}

BOOST_AUTO_TEST_CASE(report_whose_subject_is_elsewhere_has_no_pid) {
  std::string report = R"({"resourceType": "DiagnosticReport", "status": "final",
    "code": {"text": "TEST PANEL"}, "subject": {"reference": "Patient/elsewhere"},
    "contained": [{"resourceType": "Observation", "id": "o1", "status": "final",
                   "code": {"text": "TEST ITEM"}, "valueString": "OK"}],
    "result": [{"reference": "#o1"}]})";

  V2MapOutput output = mapOrFail(report);

  Message message = parseOrFail(output);
  BOOST_CHECK((segmentIds(message) == std::vector<std::string>{"MSH", "ORC", "OBR", "OBX"}));
  BOOST_CHECK_EQUAL(at(message, "OBX-5"), "OK");
  BOOST_CHECK_EQUAL(output.notes.size(), 1u);
  BOOST_CHECK(contains(output.unmapped, "DiagnosticReport.subject"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::fhirv2
