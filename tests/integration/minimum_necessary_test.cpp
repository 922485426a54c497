// Minimum necessary through the real binary: the Business Associate gate of `ferry check`, and
// one route feeding an allow-list destination and a full destination from the same input.

#include <boost/test/unit_test.hpp>

#include "engine/hl7/message.h"
#include "integration/engine_process.h"
#include "integration/integration_support.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using namespace std::chrono_literals;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A config with one MLLP listener and one route to a file destination whose extra keys
// (transforms, business_associate) are given; strip profiles at the top level.
std::filesystem::path writeGateConfig(const std::filesystem::path& dir,
                                      const std::string& destination_extra) {
  std::string config = R"({
  "keys": {"file": ")" +
                       (dir / "keys" / "ferry.keys").string() +
                       R"("},
  "engine": {"data_directory": ")" +
                       (dir / "data").string() +
                       R"("},
  "listeners": [{"name": "in", "type": "mllp", "port": 0, "insecure": true}],
  "routes": [{"name": "research-feed", "source": "in",
              "destinations": [{"name": "research-lab", "type": "file", "directory": ")" +
                       (dir / "out").string() + R"(")" + destination_extra + R"(}]}]
})";
  auto path = dir / "gate.json";
  writeFile(path, config);
  return path;
}

std::vector<std::string> filesIn(const std::filesystem::path& dir) {
  std::vector<std::string> contents;
  if (!std::filesystem::exists(dir)) {
    return contents;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') {
      contents.push_back(readFile(entry.path()));
    }
  }
  return contents;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(minimum_necessary)

BOOST_AUTO_TEST_CASE(check_refuses_phi_to_a_destination_without_an_agreement) {
  TempDir dir;
  CommandResult result = runFerry({"check", "--config", writeGateConfig(dir.path(), "").string()});

  BOOST_CHECK_EQUAL(result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(result.output, "route 'research-feed'"), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "destination 'research-lab'"), result.output);
  BOOST_CHECK_MESSAGE(contains(result.output, "/routes/0/destinations/0"), result.output);
}

BOOST_AUTO_TEST_CASE(check_accepts_the_same_destination_once_it_receives_de_identified_output) {
  TempDir dir;
  CommandResult result = runFerry(
      {"check", "--config",
       writeGateConfig(dir.path(), R"(, "transforms": [{"type": "deidentify"}])").string()});

  BOOST_CHECK_MESSAGE(result.exit_code == 0, result.output);
}

BOOST_AUTO_TEST_CASE(check_accepts_it_when_an_agreement_covers_the_receiver) {
  TempDir dir;
  CommandResult result =
      runFerry({"check", "--config",
                writeGateConfig(dir.path(), R"(, "business_associate": {"covered": true,)"
                                            R"( "agreement": "BAA Test Lab 2026-01-15"})")
                    .string()});

  BOOST_CHECK_MESSAGE(result.exit_code == 0, result.output);
}

BOOST_AUTO_TEST_CASE(an_allow_list_destination_gets_only_its_paths_and_a_full_one_everything) {
  TempDir dir;
  std::string covered = R"("business_associate": {"covered": true, "agreement": "own"})";
  std::string config = R"({
  "engine": {"data_directory": ")" +
                       (dir.path() / "data").string() + R"(", "log_file": ")" +
                       (dir.path() / "engine.log").string() + R"("},
  "keys": {"file": ")" +
                       (dir.path() / "keys" / "ferry.keys").string() +
                       R"("},
  "strip_profiles": {
    "bed-board": {"mode": "allow", "hl7v2": ["MSH", "EVN", "PID-3", "PV1-3"]}
  },
  "listeners": [{"name": "in", "type": "mllp", "port": 0, "insecure": true}],
  "routes": [{"name": "adt", "source": "in", "destinations": [
    {"name": "bed-board", "type": "file", "directory": ")" +
                       (dir.path() / "bed").string() +
                       R"(", "transforms": [{"type": "strip", "profile": "bed-board"}], )" +
                       covered + R"(},
    {"name": "archive", "type": "file", "directory": ")" +
                       (dir.path() / "archive").string() + R"(", )" + covered + R"(}
  ]}]
})";
  auto path = dir.path() / "ferry.json";
  writeFile(path, config);
  CommandResult check = runFerry({"check", "--config", path.string()});
  BOOST_REQUIRE_MESSAGE(check.exit_code == 0, check.output);

  std::string message = syntheticAdt("MN-1", "TESTPATIENT", "MRN-7001");
  writeFile(dir.path() / "adt.hl7", message);
  EngineProcess engine(path, dir.path());
  BOOST_REQUIRE(engine.waitReady());
  CommandResult sent = runFerry({"send", "--to", "127.0.0.1:" + std::to_string(engine.port("in")),
                                 (dir.path() / "adt.hl7").string()});
  BOOST_REQUIRE_MESSAGE(sent.exit_code == 0, sent.output);
  BOOST_REQUIRE(waitUntil(
      [&] {
        return filesIn(dir.path() / "bed").size() == 1 &&
               filesIn(dir.path() / "archive").size() == 1;
      },
      20s));
  BOOST_CHECK_EQUAL(engine.stop(), 0);

  // The archive has the message as sent; the bed board only MSH, EVN, PID-3 and PV1-3.
  BOOST_CHECK_EQUAL(filesIn(dir.path() / "archive")[0], message);
  auto stripped = engine::hl7::Message::parse(filesIn(dir.path() / "bed")[0]);
  BOOST_REQUIRE(stripped.isOk());
  const auto& bed = stripped.value();
  BOOST_CHECK_EQUAL(bed.controlId(), "MN-1");
  BOOST_CHECK(bed.get("PID-3.1").value() == std::optional<std::string>("MRN-7001"));
  BOOST_CHECK(bed.get("PV1-3.1").value() == std::optional<std::string>("WARD"));
  BOOST_CHECK(!bed.get("PID-5").value().has_value());
  BOOST_CHECK(!bed.get("PID-7").value().has_value());
  BOOST_CHECK(!bed.get("PID-11").value().has_value());
  BOOST_CHECK(!bed.get("PV1-2").value().has_value());
  BOOST_CHECK(!contains(filesIn(dir.path() / "bed")[0], "TESTPATIENT"));

  // The strip hop is audited with the paths removed, never the values.
  CommandResult verify = runFerry({"audit", "verify", "--config", path.string()});
  BOOST_CHECK_MESSAGE(verify.exit_code == 0, verify.output);
  std::string details = querySql(dir.path() / "data" / "ferry.db",
                                 "SELECT detail FROM audit WHERE hop = 'transformed'");
  BOOST_CHECK_MESSAGE(contains(details, "PID-5"), details);
  BOOST_CHECK(!contains(details, "TESTPATIENT"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
