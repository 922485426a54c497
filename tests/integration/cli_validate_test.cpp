// `ferry validate` run as an engineer would: the real binary over synthetic HL7 v2 and FHIR
// files from tests/data/fhir.

#include <boost/test/unit_test.hpp>

#include <string>

#include "integration/engine_process.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string sample(const std::string& name) { return (testDataDir() / "fhir" / name).string(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_validate)

BOOST_AUTO_TEST_CASE(reports_valid_fhir_and_hl7_files_and_exits_zero) {
  CommandResult result = runFerry({"validate", sample("patient-valid.json"),
                                   sample("bundle-transaction.json"), sample("adt-valid.hl7")});

  BOOST_CHECK_EQUAL(result.exit_code, 0);
  BOOST_CHECK_MESSAGE(contains(result.output, sample("patient-valid.json") + ": valid"),
                      result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, sample("bundle-transaction.json") + ": valid"),
                      result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, sample("adt-valid.hl7") + ": valid"), result.output);
}

BOOST_AUTO_TEST_CASE(names_locations_and_rules_of_an_invalid_resource_but_never_its_values) {
  CommandResult result = runFerry({"validate", sample("patient-invalid.json")});

  BOOST_CHECK_EQUAL(result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(result.output, sample("patient-invalid.json") + ": invalid"),
                      result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "Patient.birthDate"), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "Patient.gender"), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "Patient.favouriteColour"), result.output);
  BOOST_CHECK_MESSAGE(!contains(result.output, "TESTSECRET"), result.output);
}

BOOST_AUTO_TEST_CASE(checks_each_line_of_an_ndjson_file) {
  CommandResult result = runFerry({"validate", sample("resources.ndjson")});

  BOOST_CHECK_EQUAL(result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(result.output, sample("resources.ndjson") + " line 1: valid"),
                      result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, sample("resources.ndjson") + " line 3: invalid"),
                      result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, sample("resources.ndjson") + " line 4: valid"),
                      result.output);
  BOOST_CHECK_MESSAGE(!contains(result.output, " line 2:"), result.output);
}

BOOST_AUTO_TEST_CASE(checks_hl7_messages_the_way_ingest_does) {
  CommandResult result = runFerry({"validate", sample("adt-no-type.hl7")});

  BOOST_CHECK_EQUAL(result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(result.output, sample("adt-no-type.hl7") + ": invalid"),
                      result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "MSH-9"), result.output);
  BOOST_CHECK_MESSAGE(!contains(result.output, "EPSILON"), result.output);
}

BOOST_AUTO_TEST_CASE(checks_every_message_of_a_multi_message_file) {
  TempDir dir;
  auto file = dir.path() / "two.hl7";
  writeFile(file, readFile(sample("adt-valid.hl7")) + readFile(sample("adt-no-type.hl7")));

  CommandResult result = runFerry({"validate", file.string()});

  BOOST_CHECK_EQUAL(result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(result.output, file.string() + " #1: valid"), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, file.string() + " #2: invalid"), result.output);
}

BOOST_AUTO_TEST_CASE(prints_operation_outcomes_with_json) {
  CommandResult result = runFerry(
      {"validate", "--json", sample("patient-valid.json"), sample("patient-invalid.json")});

  BOOST_CHECK_EQUAL(result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(result.output, "\"valid\":true"), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "\"valid\":false"), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "\"resourceType\":\"OperationOutcome\""),
                      result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "Patient.birthDate"), result.output);
  BOOST_CHECK_MESSAGE(!contains(result.output, "TESTSECRET"), result.output);
}

BOOST_AUTO_TEST_CASE(refuses_files_that_are_neither_hl7_nor_fhir) {
  TempDir dir;
  auto file = dir.path() / "notes.txt";
  writeFile(file, "TESTPATIENT notes, not a message\n");

  CommandResult result = runFerry({"validate", file.string()});

  BOOST_CHECK_EQUAL(result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(result.output, file.string() + ": invalid"), result.output);
  BOOST_CHECK_MESSAGE(!contains(result.output, "TESTPATIENT notes"), result.output);
}

BOOST_AUTO_TEST_CASE(exits_two_for_usage_errors_and_unreadable_files) {
  CommandResult no_files = runFerry({"validate"});
  CommandResult bad_option = runFerry({"validate", "--pretty", sample("patient-valid.json")});
  CommandResult missing =
      runFerry({"validate", sample("patient-valid.json"), sample("no-such-file.json")});

  BOOST_CHECK_EQUAL(no_files.exit_code, 2);
  BOOST_CHECK_EQUAL(bad_option.exit_code, 2);
  BOOST_CHECK_EQUAL(missing.exit_code, 2);
  BOOST_CHECK_MESSAGE(contains(missing.output, "cannot read"), missing.output);
  BOOST_CHECK_MESSAGE(contains(missing.output, sample("patient-valid.json") + ": valid"),
                      missing.output);
}

BOOST_AUTO_TEST_CASE(an_empty_file_is_invalid_not_unreadable) {
  TempDir dir;
  writeFile(dir.path() / "empty.json", "");

  CommandResult result = runFerry({"validate", (dir.path() / "empty.json").string()});

  BOOST_CHECK_EQUAL(result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(result.output, "the file is empty"), result.output);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
