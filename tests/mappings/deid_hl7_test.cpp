#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/crypto/key_ring.h"
#include "engine/hl7/message.h"
#include "mappings/deid/generalise.h"
#include "mappings/deid/hl7_deidentifier.h"
#include "mappings/deid/pseudonymizer.h"
#include "mappings/deid/safe_harbor_hl7.h"
#include "support/test_support.h"

namespace hl7 = ferry::engine::hl7;
namespace deid = ferry::mappings::deid;
namespace strip = ferry::mappings::strip;

namespace {

constexpr int kYear = 2024;

// One segment from numbered fields, so that field positions are plain to read.
std::string segment(const std::string& id, const std::map<int, std::string>& fields) {
  std::string text = id;
  int at = 0;
  for (const auto& [number, value] : fields) {
    text.append(static_cast<std::size_t>(number - at), '|');
    text += value;
    at = number;
  }
  return text + "\r";
}

// A synthetic ADT with an identifier of each Safe Harbor kind (all made up).
std::string adt(const std::string& mrn = "MRN0001", const std::string& control = "CTRL0001",
                const std::string& birth = "19700215", const std::string& zip = "02139-1234") {
  std::string message =
      "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240102030405+0000|SECRETSEC|ADT^A01^ADT_A01|" +
      control + "|P|2.5.1\r";
  message += segment("EVN", {{1, "A01"}, {2, "20240102030405"}, {5, "OPER9^TESTOPERATOR^OMEGA"}});
  message += segment("PID", {{1, "1"},
                             {2, "EXT123"},
                             {3, mrn + "^^^HOSPA^MR~SSN000000001^^^SSA^SS"},
                             {4, "ALT0004"},
                             {5, "TESTPATIENT^ALPHA^Q"},
                             {6, "MAIDENNAME^MOTHER"},
                             {7, birth},
                             {8, "F"},
                             {9, "ALIASNAME^ZETA"},
                             {10, "2106-3^White^CDCREC"},
                             {11, "1 TEST STREET^APT 9^TESTTOWN^MA^" + zip + "^USA^H^^MIDDLESEX"},
                             {12, "CNTY25"},
                             {13, "^PRN^PH^^^617^5550100~^NET^Internet^alpha@example.test"},
                             {14, "^WPN^FX^^^617^5550199"},
                             {15, "en"},
                             {16, "M"},
                             {18, "ACCT0001"},
                             {19, "123-45-6789"},
                             {20, "DL987654^MA"},
                             {21, "MOTHERID77"},
                             {23, "BIRTHPLACETOWN"},
                             {29, "20300101"},
                             {30, "Y"}});
  message += segment("PD1", {{3, "PRIMARY CLINIC ONE"}, {4, "PCP77^PCPDOCTOR^SIGMA"}});
  message += segment("NK1", {{1, "1"},
                             {2, "TESTKIN^BETA"},
                             {3, "SPO^Spouse^HL70063"},
                             {4, "2 KIN ROAD^^KINTOWN^NH^03801"},
                             {5, "^PRN^PH^^^603^5550111"},
                             {16, "19650505"}});
  message += segment("PV1", {{1, "1"},
                             {2, "I"},
                             {3, "WARD^101^A^HOSPA"},
                             {7, "DOC1234^ATTENDINGDOC^EPSILON"},
                             {19, "VISIT0001"},
                             {44, "20240101080000"},
                             {45, "20240105120000"}});
  message += segment("PV2", {{8, "20240110"}, {12, "Visit description text"}});
  message += segment("IN1", {{1, "1"},
                             {2, "PLAN1^Gold plan^L"},
                             {3, "INS001"},
                             {4, "TEST INSURANCE CO"},
                             {5, "1 INS WAY^^INSCITY^CA^90210"},
                             {7, "^^PH^^^800^5550123"},
                             {8, "GRP555"},
                             {9, "EMPLOYERGROUP NAME"},
                             {16, "TESTINSURED^GAMMA"},
                             {17, "SEL"},
                             {18, birth},
                             {19, "1 TEST STREET^^TESTTOWN^MA^02139"},
                             {36, "POLICY777"},
                             {49, "MEMBER999"}});
  message += segment("IN2", {{2, "987-65-4321"}, {6, "MEDICARE555"}, {8, "MEDICAID666"}});
  message += segment("GT1", {{1, "1"},
                             {2, "G001"},
                             {3, "TESTGUARANTOR^DELTA"},
                             {5, "3 G ST^^GTOWN^VT^05401"},
                             {6, "^PRN^PH^^^802^5550133"},
                             {12, "111-22-3333"},
                             {16, "EMPLOYERINC"}});
  message += segment("ORC", {{1, "RE"},
                             {2, "PLACER1"},
                             {3, "FILLER1"},
                             {9, "20240102030405"},
                             {12, "5678^ORDERINGDOC^KAPPA"}});
  message += segment("OBR", {{1, "1"},
                             {2, "PLACER1"},
                             {3, "FILLER1"},
                             {4, "CBC^Complete blood count^LN"},
                             {7, "20240102030405"},
                             {13, "Clinical note free text"},
                             {16, "5678^ORDERINGDOC^KAPPA"}});
  message += segment("OBX", {{1, "1"}, {2, "NM"}, {3, "30525-0^Age^LN"}, {5, "95"}, {6, "a"}});
  message += segment("OBX", {{1, "2"}, {2, "ST"}, {3, "NOTE^Note^L"}, {5, "Visitor JOHNROE came"}});
  message += segment(
      "OBX", {{1, "3"}, {2, "ED"}, {3, "IMG^Photo^L"}, {5, "^image^jpeg^Base64^QUJDREVGR0g="}});
  message += segment("OBX", {{1, "4"},
                             {2, "NM"},
                             {3, "718-7^Hemoglobin^LN"},
                             {5, "13.5"},
                             {6, "g/dL"},
                             {7, "12-16"},
                             {11, "F"},
                             {14, "20240102040000"},
                             {18, "EQUIPSERIAL42"}});
  message += segment(
      "OBX", {{1, "5"}, {2, "TX"}, {3, "URL^Link^L"}, {5, "http://portal.example.test/alpha"}});
  message += segment("OBX", {{1, "6"}, {2, "ST"}, {3, "IP^Address^L"}, {5, "192.0.2.44"}});
  message += segment("OBX", {{1, "7"}, {2, "NM"}, {3, "30525-0^Age^LN"}, {5, "45"}, {6, "a"}});
  message += segment(
      "OBX", {{1, "8"}, {2, "CWE"}, {3, "FP^Fingerprint^L"}, {5, "^fingerprint template text"}});
  message += segment("OBX", {{1, "9"}, {2, "DT"}, {3, "DOB^Birth date^L"}, {5, birth}});
  message += segment("NTE", {{1, "1"}, {2, "L"}, {3, "Vehicle VIN 1HGCM82633A004352 seen"}});
  message += segment("ZPI", {{1, "1"}, {2, "SECRETZVALUE"}});
  return message;
}

// Every identifying value adt() holds; none may be in a de-identified copy.
const std::vector<std::string>& identifyingValues() {
  static const std::vector<std::string> kValues = {"TESTPATIENT",
                                                   "ALPHA",
                                                   "MAIDENNAME",
                                                   "ALIASNAME",
                                                   "TESTKIN",
                                                   "TESTINSURED",
                                                   "TESTGUARANTOR",
                                                   "EMPLOYERINC",
                                                   "EMPLOYERGROUP",
                                                   "ATTENDINGDOC",
                                                   "ORDERINGDOC",
                                                   "PCPDOCTOR",
                                                   "TESTOPERATOR",
                                                   "PRIMARY CLINIC",
                                                   "TEST STREET",
                                                   "APT 9",
                                                   "TESTTOWN",
                                                   "KINTOWN",
                                                   "GTOWN",
                                                   "INSCITY",
                                                   "MIDDLESEX",
                                                   "CNTY25",
                                                   "BIRTHPLACETOWN",
                                                   "02139",
                                                   "03801",
                                                   "05401",
                                                   "90210",
                                                   "0215",
                                                   "19650505",
                                                   "20240102",
                                                   "20240101",
                                                   "20240105",
                                                   "20300101",
                                                   "5550100",
                                                   "alpha@example.test",
                                                   "5550199",
                                                   "5550111",
                                                   "5550123",
                                                   "5550133",
                                                   "123-45-6789",
                                                   "987-65-4321",
                                                   "111-22-3333",
                                                   "MRN0001",
                                                   "SSN000000001",
                                                   "EXT123",
                                                   "ALT0004",
                                                   "ACCT0001",
                                                   "DL987654",
                                                   "MOTHERID77",
                                                   "POLICY777",
                                                   "MEMBER999",
                                                   "GRP555",
                                                   "INS001",
                                                   "MEDICARE555",
                                                   "MEDICAID666",
                                                   "VISIT0001",
                                                   "PLACER1",
                                                   "FILLER1",
                                                   "G001",
                                                   "DOC1234",
                                                   "PCP77",
                                                   "OPER9",
                                                   "EQUIPSERIAL42",
                                                   "portal.example.test",
                                                   "192.0.2.44",
                                                   "QUJDREVGR0g=",
                                                   "fingerprint",
                                                   "1HGCM82633A004352",
                                                   "SECRETZVALUE",
                                                   "SECRETSEC",
                                                   "JOHNROE",
                                                   "Clinical note",
                                                   "Visit description"};
  return kValues;
}

hl7::Message parse(std::string_view bytes) {
  auto parsed = hl7::Message::parse(bytes);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return std::move(parsed).value();
}

std::optional<std::string> valueAt(const hl7::Message& message, std::string_view path) {
  auto value = message.get(path);
  BOOST_REQUIRE_MESSAGE(value.isOk(), value.status().toString());
  return value.value();
}

std::optional<std::string> text(std::string_view value) { return std::string(value); }

// A key file with fixed synthetic keys, so that pseudonyms are reproducible in the tests.
std::shared_ptr<const ferry::engine::crypto::KeyRing> fixedKeys(
    const ferry::testing::TempDir& dir) {
  const std::filesystem::path path = dir.path() / "keys.json";
  const std::string key(64, 'a');
  ferry::testing::writeFile(
      path, R"({"payload_keys": [{"id": "k1", "key": ")" + key +
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
  std::string bytes;
  std::vector<std::string> actions;
  hl7::Message message;
};

Output deidentify(const std::string& input, const deid::DeidOptions& options = {},
                  const deid::Pseudonymizer* pseudonymizer = nullptr, int year = kYear) {
  deid::Hl7Deidentifier deidentifier(options, pseudonymizer);
  strip::ActionList actions;
  std::string bytes = deidentifier.apply(parse(input), year, actions);
  hl7::Message message = parse(bytes);
  return {std::move(bytes), actions.take(), std::move(message)};
}

void checkAbsent(const Output& out, const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    // The value itself is never printed: only its index in the list.
    BOOST_CHECK_MESSAGE(out.bytes.find(values[i]) == std::string::npos,
                        "identifying value #" << i << " is still in the output");
  }
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

BOOST_AUTO_TEST_SUITE(deid_hl7)

BOOST_AUTO_TEST_CASE(removes_every_identifying_value_of_the_sample) {
  Output out = deidentify(adt());

  checkAbsent(out, identifyingValues());
}

BOOST_AUTO_TEST_CASE(removes_names_of_patient_relatives_employers_and_staff) {
  Output out = deidentify(adt());

  for (std::string_view path : {"PID-5", "PID-6", "PID-9", "NK1-2", "GT1-3", "GT1-16", "IN1-9",
                                "IN1-16", "PV1-7", "ORC-12", "OBR-16", "PD1-4", "EVN-5"}) {
    BOOST_TEST_CONTEXT(path) { BOOST_CHECK(!valueAt(out.message, path)); }
  }
  BOOST_CHECK(listed(out.actions, "removed PID-5"));
  BOOST_CHECK(listed(out.actions, "removed NK1-2"));
}

BOOST_AUTO_TEST_CASE(keeps_state_country_and_three_zip_digits_of_addresses) {
  Output out = deidentify(adt());

  BOOST_CHECK(valueAt(out.message, "PID-11.4") == text("MA"));
  BOOST_CHECK(valueAt(out.message, "PID-11.5") == text("021"));
  BOOST_CHECK(valueAt(out.message, "PID-11.6") == text("USA"));
  BOOST_CHECK(valueAt(out.message, "PID-11.7") == text("H"));
  for (std::string_view path :
       {"PID-11.1", "PID-11.2", "PID-11.3", "PID-11.9", "PID-12", "PID-23", "NK1-4", "IN1-5"}) {
    BOOST_TEST_CONTEXT(path) { BOOST_CHECK(!valueAt(out.message, path)); }
  }
  BOOST_CHECK(valueAt(out.message, "GT1-5") == text("^^^VT^054"));
  BOOST_CHECK(valueAt(out.message, "IN1-19") == text("^^^MA^021"));
  BOOST_CHECK(listed(out.actions, "generalised PID-11.5 to 3-digit ZIP"));
  BOOST_CHECK(listed(out.actions, "removed PID-11.3"));
}

BOOST_AUTO_TEST_CASE(sets_restricted_zip_areas_to_000) {
  Output out = deidentify(adt("MRN0001", "CTRL0001", "19700215", "03601"));

  BOOST_CHECK(valueAt(out.message, "PID-11.5") == text("000"));
}

BOOST_AUTO_TEST_CASE(cuts_every_date_to_its_year) {
  Output out = deidentify(adt());

  BOOST_CHECK(valueAt(out.message, "MSH-7") == text("2024"));
  BOOST_CHECK(valueAt(out.message, "EVN-2") == text("2024"));
  BOOST_CHECK(valueAt(out.message, "PID-7") == text("1970"));
  BOOST_CHECK(valueAt(out.message, "PID-29") == text("2030"));
  BOOST_CHECK(valueAt(out.message, "NK1-16") == text("1965"));
  BOOST_CHECK(valueAt(out.message, "PV1-44") == text("2024"));
  BOOST_CHECK(valueAt(out.message, "PV2-8") == text("2024"));
  BOOST_CHECK(valueAt(out.message, "IN1-18") == text("1970"));
  BOOST_CHECK(valueAt(out.message, "ORC-9") == text("2024"));
  BOOST_CHECK(valueAt(out.message, "OBR-7") == text("2024"));
  BOOST_CHECK(valueAt(out.message, "OBX[4]-14") == text("2024"));
  BOOST_CHECK(valueAt(out.message, "OBX[9]-5") == text("1970"));
  BOOST_CHECK(listed(out.actions, "generalised PID-7 to year"));
}

BOOST_AUTO_TEST_CASE(folds_ages_over_89_into_90_or_older) {
  Output out = deidentify(adt());

  BOOST_CHECK(valueAt(out.message, "OBX[1]-5") == text("90+"));
  BOOST_CHECK(valueAt(out.message, "OBX[1]-2") == text("ST"));
  BOOST_CHECK(valueAt(out.message, "OBX[7]-5") == text("45"));
  BOOST_CHECK(valueAt(out.message, "OBX[7]-2") == text("NM"));
  BOOST_CHECK(listed(out.actions, "generalised OBX-5 to 90+ (age over 89)"));
}

BOOST_AUTO_TEST_CASE(removes_birth_years_that_reveal_an_age_over_89) {
  Output old = deidentify(adt("MRN0001", "CTRL0001", "19300101"), {}, nullptr, 2024);
  Output young = deidentify(adt("MRN0001", "CTRL0001", "19350101"), {}, nullptr, 2024);

  BOOST_CHECK(!valueAt(old.message, "PID-7"));
  BOOST_CHECK(!valueAt(old.message, "IN1-18"));
  BOOST_CHECK(listed(old.actions, "removed PID-7 (age over 89)"));
  BOOST_CHECK(valueAt(young.message, "PID-7") == text("1935"));
}

BOOST_AUTO_TEST_CASE(removes_phone_fax_email_and_other_telecom) {
  Output out = deidentify(adt());

  for (std::string_view path : {"PID-13", "PID-14", "NK1-5", "GT1-6", "IN1-7"}) {
    BOOST_TEST_CONTEXT(path) { BOOST_CHECK(!valueAt(out.message, path)); }
  }
  checkAbsent(out, {"5550100", "alpha@example.test", "5550199", "5550111", "5550123"});
}

BOOST_AUTO_TEST_CASE(removes_ssn_mrn_account_licence_health_plan_and_other_numbers) {
  Output out = deidentify(adt());

  for (std::string_view path :
       {"PID-2", "PID-3",  "PID-4",  "PID-18", "PID-19", "PID-20", "PID-21",
        "IN1-3", "IN1-8",  "IN1-36", "IN1-49", "IN2-2",  "IN2-6",  "IN2-8",
        "GT1-2", "GT1-12", "PV1-19", "ORC-2",  "ORC-3",  "OBR-2",  "OBR-3"}) {
    BOOST_TEST_CONTEXT(path) { BOOST_CHECK(!valueAt(out.message, path)); }
  }
}

BOOST_AUTO_TEST_CASE(removes_device_ids_urls_ips_biometrics_photos_and_vehicle_ids) {
  Output out = deidentify(adt());

  BOOST_CHECK(!valueAt(out.message, "OBX[4]-18"));  // device serial
  BOOST_CHECK(!valueAt(out.message, "OBX[5]-5"));   // URL
  BOOST_CHECK(!valueAt(out.message, "OBX[6]-5"));   // IP address
  BOOST_CHECK(!valueAt(out.message, "OBX[8]-5"));   // biometric, text without a code
  BOOST_CHECK(!valueAt(out.message, "OBX[3]-5"));   // photo (ED)
  BOOST_CHECK(!valueAt(out.message, "NTE-3"));      // free text naming a vehicle
  BOOST_CHECK(!valueAt(out.message, "MSH-8"));
  BOOST_CHECK(out.bytes.find("ZPI") == std::string::npos);
  BOOST_CHECK(listed(out.actions, "removed ZPI"));
}

BOOST_AUTO_TEST_CASE(keeps_clinical_content_and_routing_fields) {
  Output out = deidentify(adt());

  BOOST_CHECK(valueAt(out.message, "OBX[4]-5") == text("13.5"));
  BOOST_CHECK(valueAt(out.message, "OBX[4]-3.1") == text("718-7"));
  BOOST_CHECK(valueAt(out.message, "OBX[4]-6") == text("g/dL"));
  BOOST_CHECK(valueAt(out.message, "OBX[4]-7") == text("12-16"));
  BOOST_CHECK(valueAt(out.message, "OBR-4.1") == text("CBC"));
  BOOST_CHECK(valueAt(out.message, "PID-8") == text("F"));
  BOOST_CHECK(valueAt(out.message, "PID-10.1") == text("2106-3"));
  BOOST_CHECK(valueAt(out.message, "PV1-2") == text("I"));
  BOOST_CHECK(valueAt(out.message, "IN1-2.1") == text("PLAN1"));
  BOOST_CHECK_EQUAL(out.message.messageCode(), "ADT");
  BOOST_CHECK_EQUAL(out.message.controlId().size(), 20u);
  BOOST_CHECK_NE(out.message.controlId(), "CTRL0001");
  BOOST_CHECK_EQUAL(out.message.version(), "2.5.1");
  BOOST_CHECK_EQUAL(out.message.sendingApplication(), "SENDAPP");
}

BOOST_AUTO_TEST_CASE(keeps_free_text_only_in_allowed_fields) {
  deid::DeidOptions options;
  options.hl7_free_text.push_back({"OBX", 5});

  Output out = deidentify(adt(), options);

  BOOST_CHECK(valueAt(out.message, "OBX[2]-5") == text("Visitor JOHNROE came"));
  BOOST_CHECK(!valueAt(out.message, "OBX[3]-5"));
  BOOST_CHECK(!valueAt(out.message, "NTE-3"));
  BOOST_CHECK(deid::isHl7FreeTextField("NTE", 3));
  BOOST_CHECK(!deid::isHl7FreeTextField("PID", 5));
}

BOOST_AUTO_TEST_CASE(actions_list_paths_once_and_never_values) {
  Output out = deidentify(adt());

  std::size_t obx5 = 0;
  for (const std::string& action : out.actions) {
    obx5 += action == "removed OBX-5" ? 1 : 0;
    for (std::size_t i = 0; i < identifyingValues().size(); ++i) {
      BOOST_CHECK_MESSAGE(action.find(identifyingValues()[i]) == std::string::npos,
                          "an action holds identifying value #" << i);
    }
  }
  BOOST_CHECK_EQUAL(obx5, 1u);
}

BOOST_AUTO_TEST_CASE(pseudonyms_are_stable_per_patient_and_differ_between_patients) {
  ferry::testing::TempDir dir;
  auto keys = fixedKeys(dir);
  deid::Pseudonymizer pseudonymizer(*keys);
  deid::DeidOptions options;
  options.pseudonyms = true;

  Output first = deidentify(adt("MRN0001", "CTRL0001"), options, &pseudonymizer);
  Output again = deidentify(adt("MRN0001", "CTRL0002"), options, &pseudonymizer);
  Output other = deidentify(adt("MRN0002", "CTRL0003"), options, &pseudonymizer);

  auto pseudonym = valueAt(first.message, "PID-3.1");
  BOOST_REQUIRE(pseudonym);
  BOOST_CHECK_EQUAL(pseudonym->size(), 16u);
  BOOST_CHECK(valueAt(first.message, "PID-3.5") == text("ANON"));
  BOOST_CHECK(!valueAt(first.message, "PID-3[2]"));
  BOOST_CHECK(valueAt(again.message, "PID-3.1") == pseudonym);
  BOOST_CHECK(valueAt(other.message, "PID-3.1") != pseudonym);
  BOOST_CHECK(listed(first.actions, "pseudonymised PID-3"));
  checkAbsent(first, {"MRN0001", "SSN000000001"});
}

BOOST_AUTO_TEST_CASE(date_shift_is_stable_per_patient_and_keeps_intervals) {
  ferry::testing::TempDir dir;
  auto keys = fixedKeys(dir);
  deid::Pseudonymizer pseudonymizer(*keys);
  deid::DeidOptions options;
  options.date_shift_days = 30;

  Output first = deidentify(adt("MRN0001", "CTRL0001"), options, &pseudonymizer);
  Output again = deidentify(adt("MRN0001", "CTRL0002"), options, &pseudonymizer);

  const int days = pseudonymizer.dateShiftDays("MRN0001", 30);
  BOOST_CHECK(days != 0 && days >= -30 && days <= 30);
  BOOST_CHECK(valueAt(first.message, "PID-7") == deid::shiftHl7Date("19700215", days));
  BOOST_CHECK(valueAt(first.message, "PV1-44") == deid::shiftHl7Date("20240101080000", days));
  BOOST_CHECK(valueAt(first.message, "PV1-45") == deid::shiftHl7Date("20240105120000", days));
  BOOST_CHECK(valueAt(again.message, "PID-7") == valueAt(first.message, "PID-7"));
  BOOST_CHECK(listed(first.actions, "shifted PID-7 by the patient's date offset"));
}

BOOST_AUTO_TEST_CASE(a_name_typed_into_a_coded_field_text_does_not_survive) {
  std::string input = adt();
  input += "OBX|1|CE|ZZCODE^ZZMARKER NAME^L||Y^ZZMARKER OTHER^HL70136||||||F\r";

  Output out = deidentify(input);

  BOOST_CHECK(out.message.serialize().find("ZZMARKER") == std::string::npos);
  BOOST_CHECK(out.message.serialize().find("ZZCODE") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(code_fields_keep_codes_but_not_text_or_dates) {
  std::string input = adt();
  input += segment("PV2", {{3, "CP^Chest pain^L^^^^20240102"}, {4, "Fell at home on the stairs"}});
  input += segment("PV1", {{1, "2"}, {18, "20240102"}, {10, "MED"}});

  Output out = deidentify(input);

  // The code and its system stay; the text beside the code, where anything can be typed, goes.
  BOOST_CHECK(valueAt(out.message, "PV2[2]-3") == text("CP^^L"));
  BOOST_CHECK(!valueAt(out.message, "PV2[2]-4"));
  BOOST_CHECK(!valueAt(out.message, "PV1[2]-18"));
  BOOST_CHECK(valueAt(out.message, "PV1[2]-10") == text("MED"));
  BOOST_CHECK(listed(out.actions, "removed PV2-4 (text without a code)"));
  BOOST_CHECK(listed(out.actions, "removed PV1-18 (holds a date)"));
  BOOST_CHECK(listed(out.actions, "removed PV2-3.7"));
}

BOOST_AUTO_TEST_CASE(replaces_control_ids_which_may_hold_timestamps) {
  ferry::testing::TempDir dir;
  auto keys = fixedKeys(dir);
  deid::Pseudonymizer pseudonymizer(*keys);

  Output unkeyed = deidentify(adt("MRN0001", "20240102030405"));
  Output keyed = deidentify(adt("MRN0001", "20240102030405"), {}, &pseudonymizer);
  Output again = deidentify(adt("MRN0002", "20240102030405"), {}, &pseudonymizer);

  BOOST_CHECK(unkeyed.bytes.find("20240102") == std::string::npos);
  BOOST_CHECK_EQUAL(keyed.message.controlId(), pseudonymizer.controlId("20240102030405"));
  BOOST_CHECK_EQUAL(again.message.controlId(), keyed.message.controlId());
  BOOST_CHECK(listed(keyed.actions, "replaced MSH-10"));
}

BOOST_AUTO_TEST_CASE(every_segment_rule_of_the_table_is_readable) {
  for (std::string_view id :
       {"MSH", "EVN", "PID", "PD1", "NK1", "PV1", "PV2", "IN1", "IN2", "GT1", "ORC", "OBR", "OBX",
        "NTE", "SPM", "TQ1", "PRT", "ROL", "DG1", "AL1", "PR1", "FT1", "RXA", "RXR", "RXO", "RXE",
        "RXC", "MSA", "ERR", "QAK", "SCH", "RGS", "AIS", "AIG", "AIL", "AIP", "MRG", "DB1", "ACC",
        "ODS", "TXA", "RF1", "PDA", "CTI", "BLG", "SAC", "PRB", "CON", "MFI", "MFE", "ARV"}) {
    const deid::SegmentRules* rules = deid::safeHarborRules(id);

    BOOST_TEST_CONTEXT(id) {
      BOOST_REQUIRE(rules != nullptr);
      bool any_kept = false;
      for (std::size_t field = 1; field < rules->fields.size(); ++field) {
        any_kept = any_kept || rules->rule(field) != deid::FieldRule::Remove;
      }
      BOOST_CHECK(any_kept);
    }
  }
  BOOST_CHECK(deid::safeHarborRules("ZPI") == nullptr);
  BOOST_CHECK(deid::safeHarborRules("STF") == nullptr);
  BOOST_CHECK(deid::safeHarborRules("SFT") == nullptr);
  BOOST_CHECK(deid::safeHarborRules("PID")->rule(5) == deid::FieldRule::Remove);
}

BOOST_AUTO_TEST_SUITE_END()
