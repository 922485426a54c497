// `ferry map` as an engineer uses it for a dry run: the real binary over synthetic samples,
// in both directions, printing the output and the coverage report and sending nothing.

#include <boost/test/unit_test.hpp>

#include <string>

#include "integration/engine_process.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_map)

BOOST_AUTO_TEST_CASE(maps_an_adt_message_to_a_fhir_bundle_with_its_coverage) {
  TempDir dir;
  // A synthetic ADT^A01 with a Z segment no mapping knows.
  writeFile(dir.path() / "adt.hl7",
            "MSH|^~\\&|APP|FAC|RAPP|RFAC|20260101120000||ADT^A01^ADT_A01|MAP1|P|2.5.1\r"
            "EVN|A01|20260101120000\r"
            "PID|1||MRN-55^^^TESTAUTH^MR||TESTPATIENT^ALPHA||19700101|F\r"
            "PV1|1|I|WARD^101^A\r"
            "ZPI|1|CUSTOM\r");

  CommandResult result =
      runFerry({"map", "--mapping", "v2-to-fhir", (dir.path() / "adt.hl7").string()});

  BOOST_CHECK_MESSAGE(result.exit_code == 0, result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "\"resourceType\": \"Bundle\""), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "\"resourceType\": \"Patient\""), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "\"resourceType\": \"Encounter\""), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "ZPI-"), result.output);  // listed as unmapped
}

BOOST_AUTO_TEST_CASE(maps_a_patient_back_to_an_adt_a08) {
  CommandResult result = runFerry({"map", "--mapping", "fhir-to-v2", "--message", "ADT^A08",
                                   (testDataDir() / "fhir" / "patient-valid.json").string()});

  BOOST_CHECK_MESSAGE(result.exit_code == 0, result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "MSH|^~\\&|"), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "ADT^A08"), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "PID|"), result.output);
}

BOOST_AUTO_TEST_CASE(an_unknown_mapping_is_a_usage_error) {
  CommandResult result = runFerry({"map", "--mapping", "no-such-mapping",
                                   (testDataDir() / "fhir" / "patient-valid.json").string()});

  BOOST_CHECK_EQUAL(result.exit_code, 2);
  BOOST_CHECK_MESSAGE(contains(result.output, "no-such-mapping"), result.output);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
