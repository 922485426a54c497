#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "engine/hl7/message.h"
#include "engine/hl7/validator.h"
#include "support/test_support.h"

namespace hl7 = ferry::engine::hl7;
using ferry::engine::ErrorCode;

namespace {

hl7::Message parseOk(std::string_view bytes) {
  auto parsed = hl7::Message::parse(bytes);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return std::move(parsed).value();
}

// MSH with fields 7, 9, 10, 11, 12, 15, 16 replaceable.
std::string header(std::string_view msh7, std::string_view msh9, std::string_view msh10,
                   std::string_view msh11, std::string_view msh12, std::string_view msh15 = "",
                   std::string_view msh16 = "") {
  return "MSH|^~\\&|APP|FAC|RAPP|RFAC|" + std::string(msh7) + "||" + std::string(msh9) + "|" +
         std::string(msh10) + "|" + std::string(msh11) + "|" + std::string(msh12) + "|||" +
         std::string(msh15) + "|" + std::string(msh16) + "\rPID|1||ID1\r";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hl7_validator)

BOOST_AUTO_TEST_CASE(accepts_a_complete_header) {
  hl7::Message message =
      parseOk(ferry::testing::readFile(ferry::testing::testDataDir() / "hl7" / "adt_a01.hl7"));
  std::vector<hl7::AckErrorDetail> problems;

  ferry::engine::Status status = hl7::validateForIngest(message, problems);

  BOOST_CHECK(status.isOk());
  BOOST_CHECK(problems.empty());
}

BOOST_AUTO_TEST_CASE(reports_each_missing_required_field_with_its_location) {
  hl7::Message message = parseOk(header("20240101", "", "", "", ""));
  std::vector<hl7::AckErrorDetail> problems;

  ferry::engine::Status status = hl7::validateForIngest(message, problems);

  BOOST_CHECK(status.code() == ErrorCode::InvalidMessage);
  BOOST_REQUIRE_EQUAL(problems.size(), 5u);
  const std::size_t fields[] = {9, 9, 10, 11, 12};
  const std::size_t components[] = {1, 2, 0, 0, 0};
  const char* severities[] = {"E", "W", "W", "W", "W"};
  for (std::size_t i = 0; i < problems.size(); ++i) {
    BOOST_CHECK_EQUAL(problems[i].hl7_error_code, "101");
    BOOST_CHECK_EQUAL(problems[i].severity, severities[i]);
    BOOST_CHECK_EQUAL(problems[i].location.segment_id, "MSH");
    BOOST_CHECK_EQUAL(problems[i].location.segment_index, 1u);
    BOOST_CHECK_EQUAL(problems[i].location.field, fields[i]);
    BOOST_CHECK_EQUAL(problems[i].location.component, components[i]);
  }
  BOOST_CHECK_EQUAL(problems[0].text, "MSH-9.1: required field missing");
  BOOST_CHECK(status.context().find("MSH-9.1: required field missing") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(accepts_a_header_missing_only_fields_real_feeds_leave_out_with_warnings) {
  hl7::Message message = parseOk(header("20240101", "ADT", "", "", ""));
  std::vector<hl7::AckErrorDetail> problems;

  ferry::engine::Status status = hl7::validateForIngest(message, problems);

  BOOST_CHECK(status.isOk());
  BOOST_REQUIRE_EQUAL(problems.size(), 4u);
  for (const hl7::AckErrorDetail& problem : problems) {
    BOOST_CHECK_EQUAL(problem.severity, "W");
  }
}

BOOST_AUTO_TEST_CASE(an_empty_message_timestamp_is_a_warning_naming_msh_7) {
  hl7::Message message = parseOk(header("", "ADT^A01", "C1", "P", "2.5"));
  std::vector<hl7::AckErrorDetail> problems;

  BOOST_CHECK(hl7::validateForIngest(message, problems).isOk());
  BOOST_REQUIRE_EQUAL(problems.size(), 1u);
  BOOST_CHECK_EQUAL(problems[0].severity, "W");
  BOOST_CHECK_EQUAL(problems[0].hl7_error_code, "101");
  BOOST_CHECK_EQUAL(problems[0].location.field, 7u);
  BOOST_CHECK_EQUAL(problems[0].text, "MSH-7: required field missing");
}

BOOST_AUTO_TEST_CASE(ack_messages_need_no_trigger_event) {
  hl7::Message ack = parseOk(header("20240101", "ACK", "C1", "P", "2.5"));
  hl7::Message adt = parseOk(header("20240101", "ADT", "C1", "P", "2.5"));
  std::vector<hl7::AckErrorDetail> ack_problems;
  std::vector<hl7::AckErrorDetail> adt_problems;

  BOOST_CHECK(hl7::validateForIngest(ack, ack_problems).isOk());
  BOOST_CHECK(hl7::validateForIngest(adt, adt_problems).isOk());
  BOOST_CHECK(ack_problems.empty());
  BOOST_REQUIRE_EQUAL(adt_problems.size(), 1u);
  BOOST_CHECK_EQUAL(adt_problems[0].location.component, 2u);
}

BOOST_AUTO_TEST_CASE(warns_about_an_invalid_message_timestamp_without_its_value) {
  hl7::Message message = parseOk(header("20241301", "ADT^A01", "C1", "P", "2.5"));
  std::vector<hl7::AckErrorDetail> problems;

  ferry::engine::Status status = hl7::validateForIngest(message, problems);

  BOOST_CHECK(status.isOk());
  BOOST_REQUIRE_EQUAL(problems.size(), 1u);
  BOOST_CHECK_EQUAL(problems[0].hl7_error_code, "102");
  BOOST_CHECK_EQUAL(problems[0].severity, "W");
  BOOST_CHECK_EQUAL(problems[0].location.field, 7u);
  BOOST_CHECK(problems[0].text.find("20241301") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(timestamp_with_degree_of_precision_is_checked_on_its_first_component) {
  hl7::Message message = parseOk(header("20240101120000^S", "ADT^A01", "C1", "P", "2.3"));
  std::vector<hl7::AckErrorDetail> problems;

  BOOST_CHECK(hl7::validateForIngest(message, problems).isOk());
}

BOOST_AUTO_TEST_CASE(checks_dtm_shape_and_ranges) {
  for (std::string_view good :
       {"2024", "202402", "20240229", "2024022923", "202402292359", "20240229235960",
        "20240229235959.1234", "20240101+0100", "20080818183002.1-0700", "202109141120+0215"}) {
    BOOST_CHECK_MESSAGE(hl7::isValidDtm(good), good);
  }
  for (std::string_view bad :
       {"", "24", "20231", "20230229", "20240230", "20241301", "20240100", "2024010124",
        "202401012360", "20240101235961", "20240101.5", "20240101235959.", "20240101235959.12345",
        "20240101+01", "20240101+2400", "2024-01-01", "2024010a"}) {
    BOOST_CHECK_MESSAGE(!hl7::isValidDtm(bad), bad);
  }
}

BOOST_AUTO_TEST_CASE(rejects_a_version_that_is_not_v2_as_unsupported) {
  hl7::Message message = parseOk(header("20240101", "ADT^A01", "C1", "P", "3.0"));
  std::vector<hl7::AckErrorDetail> problems;

  ferry::engine::Status status = hl7::validateForIngest(message, problems);

  BOOST_CHECK(status.code() == ErrorCode::Unsupported);
  BOOST_REQUIRE_EQUAL(problems.size(), 1u);
  BOOST_CHECK_EQUAL(problems[0].hl7_error_code, "203");
}

BOOST_AUTO_TEST_CASE(unknown_ack_conditions_and_charsets_are_only_warnings) {
  hl7::Message message =
      parseOk("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|C1|P|2.5|||XX|YY||KLINGON\rPID|1\r");
  std::vector<hl7::AckErrorDetail> problems;

  ferry::engine::Status status = hl7::validateForIngest(message, problems);

  BOOST_CHECK(status.isOk());
  BOOST_REQUIRE_EQUAL(problems.size(), 3u);
  for (const hl7::AckErrorDetail& problem : problems) {
    BOOST_CHECK_EQUAL(problem.severity, "W");
    BOOST_CHECK_EQUAL(problem.hl7_error_code, "103");
  }
  BOOST_CHECK_EQUAL(problems[2].location.field, 18u);
}

BOOST_AUTO_TEST_CASE(appends_to_existing_problems) {
  hl7::Message message = parseOk(header("20240101", "", "C1", "P", "2.5"));
  std::vector<hl7::AckErrorDetail> problems(1);

  BOOST_CHECK(!hl7::validateForIngest(message, problems).isOk());
  BOOST_CHECK_EQUAL(problems.size(), 3u);
}

BOOST_AUTO_TEST_CASE(reads_every_patient_identifier_repetition) {
  hl7::Message message = parseOk(
      "MSH|^~\\&|A|B|C|D|1||ADT^A24|X|P|2.5\r"
      "PID|1||MRN1^^^HOSP&1.2.3&ISO^MR~^^^EMPTY~SSN1^^^&2.16.840^SS\r"
      "PID|2||MRN2^^^HOSP^MR\r");

  std::vector<hl7::PatientIdentifier> ids = hl7::readPatientIdentifiers(message);
  std::vector<std::string> keys = hl7::patientIdentifiers(message);

  BOOST_REQUIRE_EQUAL(ids.size(), 3u);
  BOOST_CHECK_EQUAL(ids[0].id, "MRN1");
  BOOST_CHECK_EQUAL(ids[0].assigning_authority, "HOSP");
  BOOST_CHECK_EQUAL(ids[0].identifier_type, "MR");
  BOOST_CHECK_EQUAL(ids[0].repetition, 1u);
  BOOST_CHECK_EQUAL(ids[1].id, "SSN1");
  BOOST_CHECK_EQUAL(ids[1].assigning_authority, "2.16.840");
  BOOST_CHECK_EQUAL(ids[1].repetition, 3u);
  BOOST_CHECK_EQUAL(ids[2].id, "MRN2");
  BOOST_CHECK_EQUAL(ids[2].segment, 2u);
  BOOST_REQUIRE_EQUAL(keys.size(), 3u);
  BOOST_CHECK_EQUAL(keys[0], std::string("MRN1\x1eHOSP"));
}

BOOST_AUTO_TEST_CASE(message_without_pid_has_no_patient_identifiers) {
  hl7::Message message = parseOk("MSH|^~\\&|A|B|C|D|1||MFN^M02|X|P|2.5\rMFI|1\r");

  BOOST_CHECK(hl7::patientIdentifiers(message).empty());
}

BOOST_AUTO_TEST_SUITE_END()
