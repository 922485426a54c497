#include "mappings/fhir_v2/v2_datatypes.h"

#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "engine/fhir/json_parser.h"

namespace ferry::mappings::fhirv2 {

namespace {

JsonValue parse(const std::string& json) {
  auto parsed = engine::fhir::parseFhirJson(json);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return std::move(parsed).value().root;
}

std::shared_ptr<const ReverseVocabularies> vocabularies() {
  auto loaded = ReverseVocabularies::load();
  BOOST_REQUIRE_MESSAGE(loaded.isOk(), loaded.status().toString());
  return loaded.value();
}

// One resource, its index and a context over them.
struct Fixture {
  explicit Fixture(const std::string& json)
      : root(parse(json)),
        index(root),
        vocabulary(vocabularies()),
        context{index, coverage, *vocabulary, {}, {}} {}

  JsonValue root;
  ResourceIndex index;
  Coverage coverage;
  std::shared_ptr<const ReverseVocabularies> vocabulary;
  WriteContext context;
};

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_to_v2_datatypes)

BOOST_AUTO_TEST_CASE(dates_keep_their_precision_and_offset) {
  BOOST_CHECK_EQUAL(toDtm("1980").value_or("?"), "1980");
  BOOST_CHECK_EQUAL(toDtm("1980-02").value_or("?"), "198002");
  BOOST_CHECK_EQUAL(toDtm("1980-02-14").value_or("?"), "19800214");
  BOOST_CHECK_EQUAL(toDtm("2024-01-05T10:30:00Z").value_or("?"), "20240105103000+0000");
  BOOST_CHECK_EQUAL(toDtm("2024-01-05T10:30:00-03:30").value_or("?"), "20240105103000-0330");
  BOOST_CHECK_EQUAL(toDtm("2024-01-05T10:30:00.123456+01:00").value_or("?"),
                    "20240105103000.1234+0100");
}

BOOST_AUTO_TEST_CASE(impossible_dates_are_refused) {
  BOOST_CHECK(!toDtm("2023-02-29"));
  BOOST_CHECK(!toDtm("2024-13-01"));
  BOOST_CHECK(!toDtm("2024-01-05T25:00:00Z"));
  BOOST_CHECK(!toDtm("24-01-05"));
  BOOST_CHECK(!toDtm("2024-01-05T10:30:00 +01:00"));
  BOOST_CHECK(!toDtm(""));
}

BOOST_AUTO_TEST_CASE(times_become_tm) {
  BOOST_CHECK_EQUAL(toTm("10:11:12").value_or("?"), "101112");
  BOOST_CHECK_EQUAL(toTm("10:11:12.5").value_or("?"), "101112.5");
  BOOST_CHECK(!toTm("24:00:00"));
  BOOST_CHECK(!toTm("10:11"));
}

BOOST_AUTO_TEST_CASE(vocabularies_read_backwards_take_the_first_code_listed) {
  auto set = vocabularies();

  BOOST_CHECK_EQUAL(set->codeToTable("AdministrativeSex", "other")->code, "O");
  BOOST_CHECK_EQUAL(set->codeToTable("NameType", "official")->code, "L");
  BOOST_CHECK_EQUAL(
      set->toTable("MaritalStatus", "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "T")
          ->code,
      "G");
}

BOOST_AUTO_TEST_CASE(vocabularies_read_backwards_follow_stated_preferences) {
  auto set = vocabularies();

  BOOST_CHECK_EQUAL(set->codeToTable("NameType", "temp")->code, "TEMP");
  BOOST_CHECK_EQUAL(
      set->codeToTable("ObservationResultStatusCodesInterpretation", "entered-in-error")->code,
      "W");
  BOOST_CHECK(!set->codeToTable("TelecommunicationEquipmentType", "other"));
}

BOOST_AUTO_TEST_CASE(codes_already_in_the_table_come_back_as_they_are) {
  auto set = vocabularies();

  auto code =
      set->toTable("AdministrativeSex", "http://terminology.hl7.org/CodeSystem/v2-0001", "A");

  BOOST_REQUIRE(code);
  BOOST_CHECK_EQUAL(code->code, "A");
  BOOST_CHECK_EQUAL(code->display, "Ambiguous");
}

BOOST_AUTO_TEST_CASE(code_systems_get_their_table_0396_names) {
  auto set = vocabularies();

  BOOST_CHECK_EQUAL(set->systemName("http://loinc.org"), "LN");
  BOOST_CHECK_EQUAL(set->systemName("http://snomed.info/sct"), "SCT");
  BOOST_CHECK_EQUAL(set->systemName("http://terminology.hl7.org/CodeSystem/v2-0078"), "HL70078");
  BOOST_CHECK_EQUAL(set->systemName("http://example.org/local"), "");
}

BOOST_AUTO_TEST_CASE(cwe_prefers_the_table_coding_and_drops_its_translation) {
  Fixture fixture(R"({"resourceType": "Patient", "maritalStatus": {"coding": [
      {"system": "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "code": "M"},
      {"system": "http://terminology.hl7.org/CodeSystem/v2-0002", "code": "M",
       "display": "Married"},
      {"system": "http://loinc.org", "code": "LA48-4"}], "text": "MARRIED"}})");
  const JsonValue* status = fixture.root.find("maritalStatus");

  Composite cwe =
      cweOf(fixture.context, status, {"0002", "MaritalStatus"}, "Patient.maritalStatus");

  BOOST_CHECK_EQUAL(cwe.encode(), "M^Married^HL70002^LA48-4^^LN^^^MARRIED");
  BOOST_CHECK(fixture.coverage.used(&status->find("coding")->elements()[0]));
}

BOOST_AUTO_TEST_CASE(table_code_reports_what_it_cannot_translate) {
  Fixture fixture(R"({"resourceType": "Encounter", "priority": {"coding": [
      {"system": "http://snomed.info/sct", "code": "25876001"}]}})");

  std::string code = tableCodeOf(fixture.context, fixture.root.find("priority"), {"0217", ""},
                                 "Encounter.priority");

  BOOST_CHECK_EQUAL(code, "");
  BOOST_CHECK(contains(fixture.context.unconverted, "Encounter.priority"));
}

BOOST_AUTO_TEST_CASE(identifier_becomes_cx_with_authority_type_and_dates) {
  Fixture fixture(R"({"resourceType": "Patient", "identifier": [{
      "value": "MRN1", "system": "urn:uuid:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
      "assigner": {"display": "TESTHOSP"},
      "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                           "code": "MR"}]},
      "period": {"start": "2020-01-02T03:04:05Z"},
      "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/identifier-checkDigit",
                     "valueString": "7"}]}]})");

  Composite cx =
      cxOf(fixture.context, &fixture.root.find("identifier")->elements()[0], "Patient.identifier");

  BOOST_CHECK_EQUAL(cx.encode(),
                    "MRN1^7^^TESTHOSP&0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9&UUID^MR^^20200102");
  std::vector<std::string> unmapped;
  fixture.coverage.collect(fixture.root.find("identifier")->elements()[0], "Patient.identifier",
                           unmapped);
  BOOST_CHECK(unmapped.empty());
}

BOOST_AUTO_TEST_CASE(references_resolve_by_url_type_and_id_and_contained) {
  Fixture fixture(R"({"resourceType": "Bundle", "type": "collection", "entry": [
    {"fullUrl": "urn:uuid:11111111-2222-5333-8444-555555555555",
     "resource": {"resourceType": "Practitioner", "id": "a"}},
    {"fullUrl": "http://example.org/fhir/Practitioner/b",
     "resource": {"resourceType": "Practitioner", "id": "b"}},
    {"resource": {"resourceType": "Encounter", "id": "e",
                  "contained": [{"resourceType": "Location", "id": "here"}]}}]})");
  const auto& entries = fixture.root.find("entry")->elements();
  const JsonValue* a = entries[0].find("resource");
  const JsonValue* b = entries[1].find("resource");
  const JsonValue* encounter = entries[2].find("resource");
  auto resolves = [&](const std::string& target, const JsonValue* from) {
    JsonValue reference = parse(R"({"reference": ")" + target + "\"}");
    return fixture.index.resolve(&reference, from);
  };

  BOOST_CHECK(resolves("urn:uuid:11111111-2222-5333-8444-555555555555", nullptr) == a);
  BOOST_CHECK(resolves("Practitioner/a", nullptr) == a);
  BOOST_CHECK(resolves("http://example.org/fhir/Practitioner/b", nullptr) == b);
  BOOST_CHECK(resolves("Practitioner/b/_history/3", nullptr) == b);
  BOOST_CHECK(resolves("#here", encounter) == &encounter->find("contained")->elements()[0]);
  BOOST_CHECK(resolves("Practitioner/zzz", nullptr) == nullptr);
}

BOOST_AUTO_TEST_CASE(coverage_rolls_up_to_the_largest_unused_part) {
  Fixture fixture(R"({"resourceType": "Patient",
    "name": [{"family": "TESTPATIENT", "period": {"start": "2020"}},
             {"family": "TESTOTHER"}],
    "extension": [{"url": "http://example.org/ext/a", "valueString": "x"}],
    "photo": [{"data": "AAAA"}]})");
  const JsonValue* names = fixture.root.find("name");
  fixture.coverage.use(names->elements()[0].find("family"));
  fixture.coverage.use(&names->elements()[1]);

  std::vector<std::string> unmapped;
  fixture.coverage.collect(fixture.root, "Patient", unmapped);

  BOOST_CHECK((unmapped == std::vector<std::string>{"Patient.resourceType", "Patient.name.period",
                                                    "Patient.extension(http://example.org/ext/a)",
                                                    "Patient.photo"}));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::fhirv2
