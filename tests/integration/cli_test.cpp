// The ferry command line as an engineer meets it: check, send and run refusing bad input.

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include "integration/engine_process.h"
#include "integration/integration_support.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(check_accepts_the_example_configuration) {
  CommandResult result =
      runFerry({"check", "--config", std::string(FERRY_SOURCE_DIR) + "/config/example.json"});

  BOOST_CHECK_EQUAL(result.exit_code, 0);
  BOOST_CHECK_MESSAGE(contains(result.output, "configuration OK"), result.output);
}

BOOST_AUTO_TEST_CASE(check_accepts_the_fhir_example_configuration) {
  CommandResult result =
      runFerry({"check", "--config", std::string(FERRY_SOURCE_DIR) + "/config/example-fhir.json"});

  BOOST_CHECK_EQUAL(result.exit_code, 0);
  BOOST_CHECK_MESSAGE(contains(result.output, "configuration OK"), result.output);
}

BOOST_AUTO_TEST_CASE(check_refuses_an_hl7v2_feed_into_a_fhir_destination_without_a_mapping) {
  TempDir dir;
  auto write = [&](const std::string& transforms) {
    auto path = dir.path() / "formats.json";
    writeFile(path, R"({
  "keys": {"file": "keys"},
  "listeners": [{"name": "in", "type": "mllp", "port": 2575, "insecure": true}],
  "routes": [{"name": "to-fhir", "source": "in", "destinations": [
    {"name": "fhir-server", "type": "fhir_http", "base_url": "http://127.0.0.1:9/fhir",
     "insecure": true, "business_associate": {"covered": true, "agreement": "test"})" +
                        transforms + R"(}]}]
})");
    return path;
  };

  CommandResult without = runFerry({"check", "--config", write("").string()});
  CommandResult with = runFerry(
      {"check", "--config",
       write(R"(, "transforms": [{"type": "mapping", "mapping": "v2-to-fhir"}])").string()});

  BOOST_CHECK_EQUAL(without.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(without.output, "route 'to-fhir' feeds only HL7v2"), without.output);
  BOOST_CHECK_MESSAGE(contains(without.output, "'fhir-server'"), without.output);
  BOOST_CHECK_MESSAGE(with.exit_code == 0, with.output);
}

BOOST_AUTO_TEST_CASE(check_prints_every_error_with_file_line_and_json_path) {
  TempDir dir;
  auto config = dir.path() / "broken.json";
  writeFile(config, R"({
  "keys": {"file": "keys"},
  "listners": [],
  "listeners": [{"name": "in", "type": "mllp", "port": 70000}],
  "routes": [{"name": "r", "source": "nowhere",
              "destinations": [{"name": "d", "type": "carrier-pigeon"}]}]
})");

  CommandResult result = runFerry({"check", "--config", config.string()});

  BOOST_CHECK_EQUAL(result.exit_code, 1);
  std::string file = config.string();
  BOOST_CHECK_MESSAGE(contains(result.output, file + ":3: /listners: unknown key"), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, file + ":5: /routes/0/source: no listener named"),
                      result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "/routes/0/destinations/0/type"), result.output);
}

BOOST_AUTO_TEST_CASE(check_reports_a_plain_listener_not_marked_insecure) {
  TempDir dir;
  auto config = dir.path() / "plain.json";
  writeFile(config, R"({
  "keys": {"file": "keys"},
  "listeners": [{"name": "in", "type": "mllp", "port": 2575}],
  "routes": [{"name": "r", "source": "in",
              "destinations": [{"name": "d", "type": "file", "directory": "out",
                                "business_associate": {"covered": true, "agreement": "own"}}]}]
})");

  CommandResult result = runFerry({"check", "--config", config.string()});

  BOOST_CHECK_EQUAL(result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(result.output, ":3: /listeners/0"), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "insecure"), result.output);
}

BOOST_AUTO_TEST_CASE(run_refuses_a_key_file_that_others_can_read) {
  TempDir dir;
  auto config = writeEngineConfig(
      dir.path(),
      {R"({"name": "d", "type": "file", "directory": ")" + (dir.path() / "out").string() +
       R"(", "business_associate": {"covered": true, "agreement": "own"}})"});
  {
    EngineProcess first(config, dir.path());
    BOOST_REQUIRE(first.waitReady());
    BOOST_REQUIRE_EQUAL(first.stop(), 0);
  }
  ::chmod((dir.path() / "keys" / "ferry.keys").c_str(), 0644);

  EngineProcess second(config, dir.path());

  BOOST_CHECK(!second.waitReady(std::chrono::seconds(10)));
  std::string output = readFile(second.outputFile());
  BOOST_CHECK_MESSAGE(contains(output, "key_error"), output);
}

BOOST_AUTO_TEST_CASE(send_reports_a_missing_file_and_bad_arguments) {
  CommandResult no_target = runFerry({"send", "/nonexistent.hl7"});
  CommandResult missing = runFerry({"send", "--to", "127.0.0.1:1", "/nonexistent/file.hl7"});
  CommandResult bad_port = runFerry({"send", "--to", "127.0.0.1:http", "x.hl7"});

  BOOST_CHECK_EQUAL(no_target.exit_code, 2);
  BOOST_CHECK_EQUAL(missing.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(missing.output, "/nonexistent/file.hl7: cannot read"),
                      missing.output);
  BOOST_CHECK_EQUAL(bad_port.exit_code, 2);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
