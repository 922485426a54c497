
#include <boost/test/unit_test.hpp>

#include "engine/hl7/message.h"
#include "fhir_to_v2_test_support.h"
#include "mapping_test_support.h"
#include "mappings/fhir_v2/fhir_to_v2.h"

namespace ferry::mappings::fhirv2 {

namespace {

using engine::hl7::Message;

using ferry::testing::contains;

const std::string kPatient = R"({
  "resourceType": "Patient", "id": "p1",
  "identifier": [
    {"system": "urn:oid:1.2.3.4", "value": "MRN0001", "assigner": {"display": "TESTHOSP"},
     "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                          "code": "MR"}]}},
    {"system": "http://example.org/ids/passport", "value": "PP123"},
    {"value": "ACC77", "type": {"coding": [{"system":
      "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "AN"}]}}
  ],
  "name": [
    {"use": "official", "family": "TESTPATIENT", "given": ["ALPHA", "BETA", "GAMMA"],
     "prefix": ["DR"], "suffix": ["JR"]},
    {"use": "maiden", "family": "OLDNAME", "given": ["ALPHA"]}
  ],
  "gender": "female",
  "birthDate": "1980-02-14",
  "address": [
    {"use": "home", "line": ["1 TEST STREET", "FLAT 2"], "city": "TESTCITY", "state": "TS",
     "postalCode": "12345", "country": "USA", "district": "TESTCOUNTY"},
    {"type": "postal", "line": ["PO BOX 9"], "city": "TESTCITY"}
  ],
  "telecom": [
    {"system": "phone", "value": "555-0100", "use": "home"},
    {"system": "phone", "value": "555-0199", "use": "mobile"},
    {"system": "phone", "value": "555-0111", "use": "work"},
    {"system": "email", "value": "alpha@example.org"}
  ],
  "maritalStatus": {"coding": [{"system":
    "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "code": "M"}]},
  "communication": [
    {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "fr"}]}},
    {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]}, "preferred": true}
  ],
  "deceasedDateTime": "2023-12-01T08:15:00+01:00",
  "photo": [{"contentType": "image/png", "data": "AAAA"}]
})";

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_to_v2_adt)

BOOST_AUTO_TEST_CASE(lone_patient_maps_to_adt_a08_with_pv1_not_applicable) {
  V2MapOutput output = mapOrFail(kPatient);

  Message message = parseOrFail(output);
  BOOST_CHECK_EQUAL(output.message_type, "ADT^A08");
  BOOST_CHECK((segmentIds(message) == std::vector<std::string>{"MSH", "EVN", "PID", "PV1"}));
  BOOST_CHECK_EQUAL(at(message, "MSH-9"), "ADT^A08^ADT_A01");
  BOOST_CHECK_EQUAL(at(message, "EVN-1"), "A08");
  BOOST_CHECK_EQUAL(at(message, "PV1-2"), "N");
}

BOOST_AUTO_TEST_CASE(msh_takes_config_keys_and_the_bundle_timestamp) {
  FhirToV2Options options = fixedOptions();
  options.sending_application = "TESTAPP";
  options.sending_facility = "TESTFAC^1.2.840.1^ISO";
  options.receiving_application = "RCVAPP";
  options.receiving_facility = "RCVFAC";
  options.processing_id = "T";
  std::string bundle = R"({"resourceType": "Bundle", "type": "collection",
    "timestamp": "2023-06-01T12:34:56.789+02:00",
    "entry": [{"resource": )" +
                       kPatient + "}]}";

  Message message = parseOrFail(mapOrFail(bundle, options));

  BOOST_CHECK_EQUAL(at(message, "MSH-3"), "TESTAPP");
  BOOST_CHECK_EQUAL(at(message, "MSH-4.1"), "TESTFAC");
  BOOST_CHECK_EQUAL(at(message, "MSH-4.2"), "1.2.840.1");
  BOOST_CHECK_EQUAL(at(message, "MSH-5"), "RCVAPP");
  BOOST_CHECK_EQUAL(at(message, "MSH-6"), "RCVFAC");
  BOOST_CHECK_EQUAL(at(message, "MSH-7"), "20230601123456.789+0200");
  BOOST_CHECK_EQUAL(at(message, "EVN-2"), "20230601123456.789+0200");
  BOOST_CHECK_EQUAL(at(message, "MSH-11"), "T");
  BOOST_CHECK_EQUAL(at(message, "MSH-12"), "2.5.1");
}

BOOST_AUTO_TEST_CASE(msh_defaults_name_ferry_and_time_comes_from_the_clock) {
  Message message = parseOrFail(mapOrFail(kPatient));

  BOOST_CHECK_EQUAL(at(message, "MSH-3"), "FERRY");
  BOOST_CHECK_EQUAL(at(message, "MSH-4"), "FERRY");
  BOOST_CHECK_EQUAL(at(message, "MSH-5"), "FERRY");
  BOOST_CHECK_EQUAL(at(message, "MSH-6"), "FERRY");
  BOOST_CHECK_EQUAL(at(message, "MSH-7"), "20240105103000+0000");
  BOOST_CHECK_EQUAL(at(message, "MSH-11"), "P");
}

BOOST_AUTO_TEST_CASE(same_input_gives_the_same_bytes) {
  V2MapOutput first = mapOrFail(kPatient);
  V2MapOutput second = mapOrFail(kPatient);

  BOOST_CHECK(first.message == second.message);
  Message message = parseOrFail(first);
  std::string control_id = at(message, "MSH-10");
  BOOST_CHECK_EQUAL(control_id.size(), 20u);
  BOOST_CHECK_EQUAL(control_id.front(), 'F');
}

BOOST_AUTO_TEST_CASE(changed_input_gets_another_control_id) {
  std::string changed = kPatient;
  changed.replace(changed.find("1980-02-14"), 10, "1980-02-15");

  Message first = parseOrFail(mapOrFail(kPatient));
  Message second = parseOrFail(mapOrFail(changed));

  BOOST_CHECK(at(first, "MSH-10") != at(second, "MSH-10"));
}

BOOST_AUTO_TEST_CASE(identifiers_become_pid3_with_authority_and_type) {
  Message message = parseOrFail(mapOrFail(kPatient));

  BOOST_CHECK_EQUAL(at(message, "PID-3[1].1"), "MRN0001");
  BOOST_CHECK_EQUAL(at(message, "PID-3[1].4.1"), "TESTHOSP");
  BOOST_CHECK_EQUAL(at(message, "PID-3[1].4.2"), "1.2.3.4");
  BOOST_CHECK_EQUAL(at(message, "PID-3[1].4.3"), "ISO");
  BOOST_CHECK_EQUAL(at(message, "PID-3[1].5"), "MR");
  BOOST_CHECK_EQUAL(at(message, "PID-3[2].1"), "PP123");
  BOOST_CHECK_EQUAL(at(message, "PID-3[2].4.2"), "http://example.org/ids/passport");
  BOOST_CHECK_EQUAL(at(message, "PID-3[2].4.3"), "URI");
  BOOST_CHECK_EQUAL(message.repetitionCount(2, 3), 2u);
}

BOOST_AUTO_TEST_CASE(account_number_goes_to_pid18) {
  Message message = parseOrFail(mapOrFail(kPatient));

  BOOST_CHECK_EQUAL(at(message, "PID-18.1"), "ACC77");
  BOOST_CHECK_EQUAL(at(message, "PID-18.5"), "AN");
}

BOOST_AUTO_TEST_CASE(names_keep_family_given_middle_prefix_suffix_and_use) {
  Message message = parseOrFail(mapOrFail(kPatient));

  BOOST_CHECK_EQUAL(at(message, "PID-5[1].1.1"), "TESTPATIENT");
  BOOST_CHECK_EQUAL(at(message, "PID-5[1].2"), "ALPHA");
  BOOST_CHECK_EQUAL(at(message, "PID-5[1].3"), "BETA GAMMA");
  BOOST_CHECK_EQUAL(at(message, "PID-5[1].4"), "JR");
  BOOST_CHECK_EQUAL(at(message, "PID-5[1].5"), "DR");
  BOOST_CHECK_EQUAL(at(message, "PID-5[1].7"), "L");
  BOOST_CHECK_EQUAL(at(message, "PID-5[2].1.1"), "OLDNAME");
  BOOST_CHECK_EQUAL(at(message, "PID-5[2].7"), "M");
}

BOOST_AUTO_TEST_CASE(birth_date_keeps_its_precision) {
  std::string year_only = kPatient;
  year_only.replace(year_only.find("1980-02-14"), 10, "1980");
  std::string month_only = kPatient;
  month_only.replace(month_only.find("1980-02-14"), 10, "1980-02");

  BOOST_CHECK_EQUAL(at(parseOrFail(mapOrFail(kPatient)), "PID-7"), "19800214");
  BOOST_CHECK_EQUAL(at(parseOrFail(mapOrFail(year_only)), "PID-7"), "1980");
  BOOST_CHECK_EQUAL(at(parseOrFail(mapOrFail(month_only)), "PID-7"), "198002");
}

BOOST_AUTO_TEST_CASE(birth_time_extension_gives_the_time_of_day) {
  std::string patient = R"({"resourceType": "Patient", "birthDate": "1980-02-14",
    "_birthDate": {"extension": [{
      "url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
      "valueDateTime": "1980-02-14T10:30:00-05:00"}]}})";

  V2MapOutput output = mapOrFail(patient);

  BOOST_CHECK_EQUAL(at(parseOrFail(output), "PID-7"), "19800214103000-0500");
  BOOST_CHECK(output.unmapped.empty());
}

BOOST_AUTO_TEST_CASE(gender_goes_through_table_0001) {
  std::string unknown = kPatient;
  unknown.replace(unknown.find("\"female\""), 8, "\"unknown\"");
  std::string other = kPatient;
  other.replace(other.find("\"female\""), 8, "\"other\"");

  BOOST_CHECK_EQUAL(at(parseOrFail(mapOrFail(kPatient)), "PID-8"), "F");
  BOOST_CHECK_EQUAL(at(parseOrFail(mapOrFail(unknown)), "PID-8"), "U");
  BOOST_CHECK_EQUAL(at(parseOrFail(mapOrFail(other)), "PID-8"), "O");
}

BOOST_AUTO_TEST_CASE(a_gender_outside_the_table_is_reported_unconverted) {
  std::string odd = kPatient;
  odd.replace(odd.find("\"female\""), 8, "\"nonbinary\"");

  V2MapOutput output = mapOrFail(odd);

  BOOST_CHECK_EQUAL(at(parseOrFail(output), "PID-8"), "");
  BOOST_CHECK(contains(output.unconverted, "Patient.gender"));
}

BOOST_AUTO_TEST_CASE(address_keeps_lines_city_state_zip_country_and_use) {
  Message message = parseOrFail(mapOrFail(kPatient));

  BOOST_CHECK_EQUAL(at(message, "PID-11[1].1.1"), "1 TEST STREET");
  BOOST_CHECK_EQUAL(at(message, "PID-11[1].2"), "FLAT 2");
  BOOST_CHECK_EQUAL(at(message, "PID-11[1].3"), "TESTCITY");
  BOOST_CHECK_EQUAL(at(message, "PID-11[1].4"), "TS");
  BOOST_CHECK_EQUAL(at(message, "PID-11[1].5"), "12345");
  BOOST_CHECK_EQUAL(at(message, "PID-11[1].6"), "USA");
  BOOST_CHECK_EQUAL(at(message, "PID-11[1].7"), "H");
  BOOST_CHECK_EQUAL(at(message, "PID-11[1].9"), "TESTCOUNTY");
  BOOST_CHECK_EQUAL(at(message, "PID-11[2].1.1"), "PO BOX 9");
  BOOST_CHECK_EQUAL(at(message, "PID-11[2].7"), "M");
}

BOOST_AUTO_TEST_CASE(telecom_splits_home_and_work_numbers) {
  Message message = parseOrFail(mapOrFail(kPatient));

  BOOST_CHECK_EQUAL(at(message, "PID-13[1].1"), "555-0100");
  BOOST_CHECK_EQUAL(at(message, "PID-13[1].2"), "PRN");
  BOOST_CHECK_EQUAL(at(message, "PID-13[1].3"), "PH");
  BOOST_CHECK_EQUAL(at(message, "PID-13[2].1"), "555-0199");
  BOOST_CHECK_EQUAL(at(message, "PID-13[2].3"), "CP");
  BOOST_CHECK_EQUAL(at(message, "PID-13[3].2"), "NET");
  BOOST_CHECK_EQUAL(at(message, "PID-13[3].3"), "Internet");
  BOOST_CHECK_EQUAL(at(message, "PID-13[3].4"), "alpha@example.org");
  BOOST_CHECK_EQUAL(at(message, "PID-14.1"), "555-0111");
  BOOST_CHECK_EQUAL(at(message, "PID-14.2"), "WPN");
}

BOOST_AUTO_TEST_CASE(marital_status_language_and_death_are_kept) {
  Message message = parseOrFail(mapOrFail(kPatient));

  BOOST_CHECK_EQUAL(at(message, "PID-16.1"), "M");
  BOOST_CHECK_EQUAL(at(message, "PID-16.3"), "HL70002");
  BOOST_CHECK_EQUAL(at(message, "PID-15.1"), "en");
  BOOST_CHECK_EQUAL(at(message, "PID-15.3"), "ISO639");
  BOOST_CHECK_EQUAL(at(message, "PID-29"), "20231201081500+0100");
  BOOST_CHECK_EQUAL(at(message, "PID-30"), "Y");
}

BOOST_AUTO_TEST_CASE(deceased_boolean_sets_the_indicator_only) {
  std::string patient = R"({"resourceType": "Patient", "deceasedBoolean": false,
    "multipleBirthInteger": 2})";

  Message message = parseOrFail(mapOrFail(patient));

  BOOST_CHECK_EQUAL(at(message, "PID-29"), "");
  BOOST_CHECK_EQUAL(at(message, "PID-30"), "N");
  BOOST_CHECK_EQUAL(at(message, "PID-24"), "Y");
  BOOST_CHECK_EQUAL(at(message, "PID-25"), "2");
}

BOOST_AUTO_TEST_CASE(delimiters_in_patient_text_are_escaped) {
  std::string patient = R"({"resourceType": "Patient",
    "name": [{"family": "O|BRIEN^&SONS~\\", "given": ["AL\nPHA"]}]})";

  V2MapOutput output = mapOrFail(patient);

  Message message = parseOrFail(output);
  BOOST_CHECK_EQUAL(at(message, "PID-5.1.1"), "O|BRIEN^&SONS~\\");
  BOOST_CHECK(output.message.find("O\\F\\BRIEN\\S\\\\T\\SONS\\R\\\\E\\") != std::string::npos);
  BOOST_CHECK(output.message.find("AL\\.br\\PHA") != std::string::npos);
  BOOST_CHECK_EQUAL(message.segmentCount(), 4u);
}

BOOST_AUTO_TEST_CASE(non_ascii_text_declares_utf8) {
  std::string patient = R"({"resourceType": "Patient", "name": [{"family": "TESTPATIENTÉ"}]})";

  Message message = parseOrFail(mapOrFail(patient));

  BOOST_CHECK_EQUAL(at(message, "MSH-18"), "UNICODE UTF-8");
  BOOST_CHECK_EQUAL(at(message, "PID-5.1.1"), "TESTPATIENTÉ");
}

BOOST_AUTO_TEST_CASE(ascii_text_names_no_character_set) {
  Message message = parseOrFail(mapOrFail(kPatient));

  BOOST_CHECK_EQUAL(at(message, "MSH-18"), "");
}

const std::string kVisitBundle = R"({"resourceType": "Bundle", "type": "transaction",
  "timestamp": "2024-02-01T09:00:00Z",
  "entry": [
    {"fullUrl": "urn:uuid:11111111-1111-5111-8111-111111111111",
     "resource": {"resourceType": "Patient", "id": "pat",
                  "identifier": [{"value": "MRN9", "assigner": {"display": "TESTHOSP"}}],
                  "name": [{"family": "TESTPATIENT", "given": ["DELTA"]}],
                  "contact": [{"relationship": [{"coding": [{
                      "system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "C"}]}],
                    "name": {"family": "TESTCONTACT", "given": ["ZETA"]},
                    "telecom": [{"system": "phone", "value": "555-0122", "use": "work"}]}]},
     "request": {"method": "PUT", "url": "Patient/pat"}},
    {"fullUrl": "urn:uuid:22222222-2222-5222-8222-222222222222",
     "resource": {"resourceType": "Encounter", "id": "enc", "status": "in-progress",
       "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
       "subject": {"reference": "urn:uuid:11111111-1111-5111-8111-111111111111"},
       "identifier": [{"value": "VN100", "assigner": {"display": "TESTHOSP"},
         "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                              "code": "VN"}]}},
         {"value": "ALT200"}],
       "location": [
         {"location": {"reference": "Location/ward"}, "status": "active"},
         {"location": {"reference": "Location/old"}, "status": "completed"}],
       "participant": [
         {"type": [{"coding": [{"system":
            "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "ATND"}]}],
          "individual": {"reference": "Practitioner/doc1"}},
         {"type": [{"coding": [{"system":
            "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "ADM"}]}],
          "individual": {"reference": "#doc2"}},
         {"type": [{"coding": [{"system":
            "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "REF"}]}],
          "individual": {"display": "TESTREFERRER"}}],
       "contained": [{"resourceType": "Practitioner", "id": "doc2",
                      "identifier": [{"value": "D2"}], "name": [{"family": "TESTADMITTER"}]}],
       "period": {"start": "2024-01-30T08:00:00+01:00", "end": "2024-02-01T08:30:00+01:00"},
       "hospitalization": {
         "admitSource": {"coding": [{"system":
            "http://terminology.hl7.org/CodeSystem/v2-0023", "code": "7"}]},
         "dischargeDisposition": {"coding": [{"system":
            "http://terminology.hl7.org/CodeSystem/v2-0112", "code": "01"}]}}}},
    {"fullUrl": "http://example.org/fhir/Location/ward",
     "resource": {"resourceType": "Location", "id": "ward", "name": "WARD1",
                  "alias": ["101", "B"], "mode": "instance",
                  "managingOrganization": {"reference": "Organization/hosp"}}},
    {"resource": {"resourceType": "Location", "id": "old", "name": "ER"}},
    {"resource": {"resourceType": "Organization", "id": "hosp", "name": "TESTHOSP"}},
    {"resource": {"resourceType": "Practitioner", "id": "doc1",
                  "identifier": [{"value": "D1", "system": "urn:oid:2.16.840.1.113883.4.6"}],
                  "name": [{"family": "TESTDOCTOR", "given": ["EPSILON", "M"],
                            "prefix": ["DR"]}]}},
    {"resource": {"resourceType": "RelatedPerson", "id": "kin",
                  "patient": {"reference": "Patient/pat"},
                  "relationship": [{"coding": [{"system":
                    "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "SPS"}]}],
                  "name": [{"family": "TESTKIN", "given": ["ETA"]}],
                  "telecom": [{"system": "phone", "value": "555-0133"}]}},
    {"resource": {"resourceType": "Provenance", "id": "prov",
                  "recorded": "2024-02-01T08:59:00Z",
                  "target": [{"reference": "Patient/pat"}],
                  "agent": [{"who": {"reference": "Practitioner/doc1"}}]}}
  ]})";

BOOST_AUTO_TEST_CASE(encounter_fills_pv1) {
  Message message = parseOrFail(mapOrFail(kVisitBundle));

  BOOST_CHECK_EQUAL(at(message, "PV1-2"), "I");
  BOOST_CHECK_EQUAL(at(message, "PV1-3.1"), "WARD1");
  BOOST_CHECK_EQUAL(at(message, "PV1-3.2"), "101");
  BOOST_CHECK_EQUAL(at(message, "PV1-3.3"), "B");
  BOOST_CHECK_EQUAL(at(message, "PV1-3.4.1"), "TESTHOSP");
  BOOST_CHECK_EQUAL(at(message, "PV1-6.1"), "ER");
  BOOST_CHECK_EQUAL(at(message, "PV1-14"), "7");
  BOOST_CHECK_EQUAL(at(message, "PV1-36"), "01");
  BOOST_CHECK_EQUAL(at(message, "PV1-19.1"), "VN100");
  BOOST_CHECK_EQUAL(at(message, "PV1-19.4.1"), "TESTHOSP");
  BOOST_CHECK_EQUAL(at(message, "PV1-19.5"), "VN");
  BOOST_CHECK_EQUAL(at(message, "PV1-50.1"), "ALT200");
  BOOST_CHECK_EQUAL(at(message, "PV1-44"), "20240130080000+0100");
  BOOST_CHECK_EQUAL(at(message, "PV1-45"), "20240201083000+0100");
}

BOOST_AUTO_TEST_CASE(participants_go_to_attending_admitting_and_referring) {
  Message message = parseOrFail(mapOrFail(kVisitBundle));

  BOOST_CHECK_EQUAL(at(message, "PV1-7.1"), "D1");
  BOOST_CHECK_EQUAL(at(message, "PV1-7.2.1"), "TESTDOCTOR");
  BOOST_CHECK_EQUAL(at(message, "PV1-7.3"), "EPSILON");
  BOOST_CHECK_EQUAL(at(message, "PV1-7.4"), "M");
  BOOST_CHECK_EQUAL(at(message, "PV1-7.6"), "DR");
  BOOST_CHECK_EQUAL(at(message, "PV1-7.9.2"), "2.16.840.1.113883.4.6");
  BOOST_CHECK_EQUAL(at(message, "PV1-17.1"), "D2");
  BOOST_CHECK_EQUAL(at(message, "PV1-17.2.1"), "TESTADMITTER");
  BOOST_CHECK_EQUAL(at(message, "PV1-8.2.1"), "TESTREFERRER");
}

BOOST_AUTO_TEST_CASE(related_person_and_contact_become_nk1) {
  Message message = parseOrFail(mapOrFail(kVisitBundle));

  BOOST_CHECK(
      (segmentIds(message) == std::vector<std::string>{"MSH", "EVN", "PID", "NK1", "NK1", "PV1"}));
  BOOST_CHECK_EQUAL(at(message, "NK1[1]-1"), "1");
  BOOST_CHECK_EQUAL(at(message, "NK1[1]-2.1.1"), "TESTKIN");
  BOOST_CHECK_EQUAL(at(message, "NK1[1]-3.1"), "SPO");
  BOOST_CHECK_EQUAL(at(message, "NK1[1]-3.3"), "HL70063");
  BOOST_CHECK_EQUAL(at(message, "NK1[1]-5.1"), "555-0133");
  BOOST_CHECK_EQUAL(at(message, "NK1[2]-1"), "2");
  BOOST_CHECK_EQUAL(at(message, "NK1[2]-2.1.1"), "TESTCONTACT");
  BOOST_CHECK_EQUAL(at(message, "NK1[2]-7.1"), "C");
  BOOST_CHECK_EQUAL(at(message, "NK1[2]-6.1"), "555-0122");
}

BOOST_AUTO_TEST_CASE(provenance_fills_evn) {
  Message message = parseOrFail(mapOrFail(kVisitBundle));

  BOOST_CHECK_EQUAL(at(message, "EVN-1"), "A08");
  BOOST_CHECK_EQUAL(at(message, "EVN-2"), "20240201085900+0000");
  BOOST_CHECK_EQUAL(at(message, "EVN-5.1"), "D1");
  BOOST_CHECK_EQUAL(at(message, "MSH-7"), "20240201090000+0000");
}

BOOST_AUTO_TEST_CASE(planned_encounter_gives_a04_in_auto_mode) {
  std::string planned = kVisitBundle;
  planned.replace(planned.find("in-progress"), 11, "planned");

  V2MapOutput output = mapOrFail(planned);

  BOOST_CHECK_EQUAL(output.message_type, "ADT^A04");
  Message message = parseOrFail(output);
  BOOST_CHECK_EQUAL(at(message, "MSH-9"), "ADT^A04^ADT_A01");
  BOOST_CHECK_EQUAL(at(message, "EVN-1"), "A04");
}

BOOST_AUTO_TEST_CASE(configured_message_type_wins_over_encounter_status) {
  V2MapOutput a04 = mapOrFail(kVisitBundle, fixedOptions(MessageChoice::AdtA04));
  std::string planned = kVisitBundle;
  planned.replace(planned.find("in-progress"), 11, "planned");
  V2MapOutput a08 = mapOrFail(planned, fixedOptions(MessageChoice::AdtA08));

  BOOST_CHECK_EQUAL(at(parseOrFail(a04), "MSH-9.2"), "A04");
  BOOST_CHECK_EQUAL(at(parseOrFail(a08), "MSH-9.2"), "A08");
  BOOST_CHECK(contains(a08.unmapped, "Encounter.status"));
}

BOOST_AUTO_TEST_CASE(adt_without_a_patient_is_refused) {
  std::string encounter = R"({"resourceType": "Encounter", "status": "planned",
    "class": {"code": "AMB"}})";

  auto output = mapText(encounter, fixedOptions(MessageChoice::AdtA08));

  BOOST_REQUIRE(!output.isOk());
  BOOST_CHECK(output.status().code() == engine::ErrorCode::InvalidMessage);
}

BOOST_AUTO_TEST_CASE(a_resource_with_no_return_path_is_unsupported) {
  auto output = mapText(R"({"resourceType": "Encounter", "status": "planned"})", fixedOptions());

  BOOST_REQUIRE(!output.isOk());
  BOOST_CHECK(output.status().code() == engine::ErrorCode::Unsupported);
}

BOOST_AUTO_TEST_CASE(a_second_patient_is_noted_and_left_out) {
  std::string bundle = R"({"resourceType": "Bundle", "type": "collection", "entry": [
    {"resource": {"resourceType": "Patient", "name": [{"family": "TESTFIRST"}]}},
    {"resource": {"resourceType": "Patient", "name": [{"family": "TESTSECOND"}]}}]})";

  V2MapOutput output = mapOrFail(bundle);

  BOOST_CHECK_EQUAL(at(parseOrFail(output), "PID-5.1.1"), "TESTFIRST");
  BOOST_CHECK_EQUAL(output.notes.size(), 1u);
  BOOST_CHECK(contains(output.unmapped, "Patient"));
}

BOOST_AUTO_TEST_CASE(coverage_lists_unused_elements_by_path) {
  V2MapOutput output = mapOrFail(kPatient);

  BOOST_CHECK(contains(output.unmapped, "Patient.photo"));
  BOOST_CHECK(contains(output.unmapped, "Patient.communication"));
  BOOST_CHECK(!contains(output.unmapped, "Patient.name"));
  BOOST_CHECK(!contains(output.unmapped, "Patient.id"));
  for (const std::string& path : output.unmapped) {
    BOOST_CHECK_MESSAGE(path.find("AAAA") == std::string::npos, "a value in the report");
  }
}

BOOST_AUTO_TEST_CASE(coverage_names_resources_nothing_used) {
  std::string bundle = R"({"resourceType": "Bundle", "type": "collection", "entry": [
    {"resource": )" + kPatient +
                       R"(},
    {"resource": {"resourceType": "AllergyIntolerance", "id": "a1"}}],
    "signature": {"data": "AAAA"}})";

  V2MapOutput output = mapOrFail(bundle);

  BOOST_CHECK(contains(output.unmapped, "AllergyIntolerance"));
  BOOST_CHECK(contains(output.unmapped, "Bundle.signature"));
  BOOST_CHECK(!contains(output.unmapped, "Bundle.type"));
}

BOOST_AUTO_TEST_CASE(visit_bundle_leaves_nothing_unmapped_but_what_v2_cannot_hold) {
  V2MapOutput output = mapOrFail(kVisitBundle);

  BOOST_CHECK_MESSAGE(output.unmapped.empty(),
                      "unmapped: " + std::to_string(output.unmapped.size()));
  for (const std::string& path : output.unmapped) {
    BOOST_TEST_MESSAGE("unmapped " + path);
  }
  BOOST_CHECK(output.unconverted.empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::fhirv2
