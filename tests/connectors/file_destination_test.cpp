#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "connectors/file/file_destination.h"
#include "engine/config/config_node.h"
#include "engine/pipeline/connector.h"
#include "engine/pipeline/registry.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;

using ferry::connectors::file::FileDestination;
using ferry::connectors::file::FileDestinationConfig;
using ferry::engine::ErrorCode;
using ferry::engine::config::ConfigErrors;
using ferry::engine::config::ConfigNode;
using ferry::engine::pipeline::DeliveryContext;
using ferry::engine::pipeline::DestinationConnector;
using ferry::testing::readFile;
using ferry::testing::TempDir;

const std::string kPayload =
    "MSH|^~\\&|TESTAPP|TESTFAC|RECV|RECVFAC|20240101120000||ADT^A01|CTRL0001|P|2.5\r"
    "PID|1||TEST0001^^^HOSP^MR||TESTPATIENT^ALPHA||19700101|F\r";

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

DeliveryContext contextFor(std::string message_id, int attempt = 1) {
  return DeliveryContext{std::move(message_id), "CTRL0001", attempt};
}

FileDestination destinationIn(const fs::path& directory, std::string extension = ".hl7") {
  return FileDestination(FileDestinationConfig{"archive", directory.string(), extension});
}

// Names of every entry in `directory`, hidden ones included, sorted.
std::vector<std::string> entriesOf(const fs::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Parses `{"destinations": [<object>]}` so that the destination's path is
// "/destinations/0", as it would be inside a route.
ConfigNode destinationNode(std::string_view object) {
  auto parsed =
      ConfigNode::parse("{\"destinations\": [\n" + std::string(object) + "\n]}", "route.json");
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  auto elements = parsed.value().member("destinations")->elements();
  BOOST_REQUIRE_EQUAL(elements.size(), 1u);
  return elements[0];
}

std::unique_ptr<DestinationConnector> makeFromConfig(std::string_view object,
                                                     ConfigErrors& errors) {
  const auto* factory = ferry::engine::pipeline::findDestinationType("file");
  BOOST_REQUIRE_MESSAGE(factory != nullptr, "destination type 'file' is not registered");
  return (*factory)(destinationNode(object), errors);
}

std::string escapeForJson(const std::string& path) {
  std::string escaped;
  for (char c : path) {
    if (c == '"' || c == '\\') {
      escaped += '\\';
    }
    escaped += c;
  }
  return escaped;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(file_destination)

BOOST_AUTO_TEST_CASE(writes_exactly_the_payload_bytes_under_the_message_id) {
  TempDir dir;
  FileDestination destination = destinationIn(dir.path());

  auto result = destination.deliver(kPayload, contextFor("0001-abc"));

  BOOST_REQUIRE_MESSAGE(result.status.isOk(), result.status.toString());
  BOOST_CHECK_EQUAL(readFile(dir.path() / "0001-abc.hl7"), kPayload);
  BOOST_CHECK_EQUAL(result.response, "");
}

BOOST_AUTO_TEST_CASE(writes_binary_payload_bytes_unchanged) {
  TempDir dir;
  FileDestination destination = destinationIn(dir.path(), ".bin");
  std::string payload("\x0b\x00\r\n\xff\x1c\x0d", 7);

  auto result = destination.deliver(payload, contextFor("bin-1"));

  BOOST_REQUIRE_MESSAGE(result.status.isOk(), result.status.toString());
  BOOST_CHECK_EQUAL(readFile(dir.path() / "bin-1.bin"), payload);
}

BOOST_AUTO_TEST_CASE(writes_an_empty_payload_as_an_empty_file) {
  TempDir dir;
  FileDestination destination = destinationIn(dir.path());

  auto result = destination.deliver("", contextFor("empty"));

  BOOST_REQUIRE_MESSAGE(result.status.isOk(), result.status.toString());
  BOOST_CHECK(fs::is_regular_file(dir.path() / "empty.hl7"));
  BOOST_CHECK_EQUAL(fs::file_size(dir.path() / "empty.hl7"), 0u);
}

BOOST_AUTO_TEST_CASE(names_the_file_with_the_configured_extension_or_none) {
  TempDir dir;
  FileDestination with_extension = destinationIn(dir.path() / "a", ".txt");
  FileDestination without_extension = destinationIn(dir.path() / "b", "");

  BOOST_REQUIRE(with_extension.deliver(kPayload, contextFor("m1")).status.isOk());
  BOOST_REQUIRE(without_extension.deliver(kPayload, contextFor("m1")).status.isOk());

  BOOST_CHECK(entriesOf(dir.path() / "a") == std::vector<std::string>{"m1.txt"});
  BOOST_CHECK(entriesOf(dir.path() / "b") == std::vector<std::string>{"m1"});
}

BOOST_AUTO_TEST_CASE(leaves_no_temporary_file_behind) {
  TempDir dir;
  FileDestination destination = destinationIn(dir.path());

  BOOST_REQUIRE(destination.deliver(kPayload, contextFor("m1")).status.isOk());
  BOOST_REQUIRE(destination.deliver(kPayload, contextFor("m2")).status.isOk());

  std::vector<std::string> expected = {"m1.hl7", "m2.hl7"};
  auto entries = entriesOf(dir.path());
  BOOST_CHECK_EQUAL_COLLECTIONS(entries.begin(), entries.end(), expected.begin(), expected.end());
}

BOOST_AUTO_TEST_CASE(overwrites_the_file_when_the_same_id_is_delivered_again) {
  TempDir dir;
  FileDestination destination = destinationIn(dir.path());
  const std::string shorter = "MSH|^~\\&|TESTAPP|TESTFAC\r";

  BOOST_REQUIRE(destination.deliver(kPayload, contextFor("same-id", 1)).status.isOk());
  auto again = destination.deliver(shorter, contextFor("same-id", 2));

  BOOST_REQUIRE_MESSAGE(again.status.isOk(), again.status.toString());
  BOOST_CHECK_EQUAL(readFile(dir.path() / "same-id.hl7"), shorter);
  BOOST_CHECK(entriesOf(dir.path()) == std::vector<std::string>{"same-id.hl7"});
}

BOOST_AUTO_TEST_CASE(creates_missing_parent_directories) {
  TempDir dir;
  fs::path nested = dir.path() / "outbox" / "2024" / "files";
  FileDestination destination = destinationIn(nested);

  auto result = destination.deliver(kPayload, contextFor("m1"));

  BOOST_REQUIRE_MESSAGE(result.status.isOk(), result.status.toString());
  BOOST_CHECK_EQUAL(readFile(nested / "m1.hl7"), kPayload);
}

BOOST_AUTO_TEST_CASE(reports_io_error_when_the_directory_is_under_a_regular_file) {
  TempDir dir;
  ferry::testing::writeFile(dir.path() / "plain-file", "not a directory");
  fs::path impossible = dir.path() / "plain-file" / "outbox";
  FileDestination destination = destinationIn(impossible);

  auto result = destination.deliver(kPayload, contextFor("m1"));

  BOOST_CHECK(result.status.code() == ErrorCode::IoError);
  BOOST_CHECK_MESSAGE(contains(result.status.context(), impossible.string()),
                      result.status.context());
  BOOST_CHECK_MESSAGE(!contains(result.status.context(), "TESTPATIENT"), result.status.context());
  BOOST_CHECK_EQUAL(readFile(dir.path() / "plain-file"), "not a directory");
}

BOOST_AUTO_TEST_CASE(reports_io_error_when_the_directory_path_is_a_regular_file) {
  TempDir dir;
  ferry::testing::writeFile(dir.path() / "plain-file", "not a directory");
  FileDestination destination = destinationIn(dir.path() / "plain-file");

  auto result = destination.deliver(kPayload, contextFor("m1"));

  BOOST_CHECK(result.status.code() == ErrorCode::IoError);
  BOOST_CHECK_EQUAL(readFile(dir.path() / "plain-file"), "not a directory");
}

BOOST_AUTO_TEST_CASE(reports_io_error_when_the_target_name_is_a_directory) {
  TempDir dir;
  fs::create_directory(dir.path() / "m1.hl7");
  FileDestination destination = destinationIn(dir.path());

  auto result = destination.deliver(kPayload, contextFor("m1"));

  BOOST_CHECK(result.status.code() == ErrorCode::IoError);
  BOOST_CHECK_MESSAGE(!contains(result.status.context(), "TESTPATIENT"), result.status.context());
  BOOST_CHECK(entriesOf(dir.path()) == std::vector<std::string>{"m1.hl7"});
}

BOOST_AUTO_TEST_CASE(registers_as_destination_type_file) {
  BOOST_CHECK(ferry::engine::pipeline::findDestinationType("file") != nullptr);
  auto names = ferry::engine::pipeline::destinationTypeNames();
  BOOST_CHECK(std::find(names.begin(), names.end(), "file") != names.end());
}

BOOST_AUTO_TEST_CASE(factory_builds_a_destination_that_writes_with_its_extension) {
  TempDir dir;
  ConfigErrors errors;

  auto destination = makeFromConfig(R"({"name": "archive", "type": "file", "directory": ")" +
                                        escapeForJson(dir.path().string()) +
                                        R"(", "extension": ".msg", "ordered": true,
                                        "retry": {"max_attempts": 3}})",
                                    errors);

  BOOST_REQUIRE_MESSAGE(errors.empty(), errors.format());
  BOOST_REQUIRE(destination != nullptr);
  BOOST_REQUIRE(destination->deliver(kPayload, contextFor("f1")).status.isOk());
  BOOST_CHECK_EQUAL(readFile(dir.path() / "f1.msg"), kPayload);
}

BOOST_AUTO_TEST_CASE(factory_defaults_the_extension_to_hl7) {
  TempDir dir;
  ConfigErrors errors;

  auto destination = makeFromConfig(R"({"name": "archive", "type": "file", "directory": ")" +
                                        escapeForJson(dir.path().string()) + R"("})",
                                    errors);

  BOOST_REQUIRE_MESSAGE(errors.empty(), errors.format());
  BOOST_REQUIRE(destination != nullptr);
  BOOST_REQUIRE(destination->deliver(kPayload, contextFor("f1")).status.isOk());
  BOOST_CHECK(entriesOf(dir.path()) == std::vector<std::string>{"f1.hl7"});
}

BOOST_AUTO_TEST_CASE(factory_reports_every_unknown_key_at_its_path) {
  ConfigErrors errors;

  auto destination = makeFromConfig(
      R"({"name": "archive", "type": "file", "directory": "out",
          "directroy": "typo", "mode": "0600"})",
      errors);

  BOOST_CHECK(destination == nullptr);
  BOOST_REQUIRE_EQUAL(errors.all().size(), 2u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/destinations/0/directroy");
  BOOST_CHECK_EQUAL(errors.all()[0].line, 3);
  BOOST_CHECK_EQUAL(errors.all()[0].file, "route.json");
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "directroy"), errors.all()[0].message);
  BOOST_CHECK_EQUAL(errors.all()[1].json_path, "/destinations/0/mode");
}

BOOST_AUTO_TEST_CASE(factory_reports_a_missing_directory_against_the_destination) {
  ConfigErrors errors;

  auto destination = makeFromConfig(R"({"name": "archive", "type": "file"})", errors);

  BOOST_CHECK(destination == nullptr);
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/destinations/0");
  BOOST_CHECK_EQUAL(errors.all()[0].line, 2);
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "'directory'"), errors.all()[0].message);
}

BOOST_AUTO_TEST_CASE(factory_reports_an_empty_directory) {
  ConfigErrors errors;

  auto destination =
      makeFromConfig(R"({"name": "archive", "type": "file", "directory": ""})", errors);

  BOOST_CHECK(destination == nullptr);
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/destinations/0/directory");
}

BOOST_AUTO_TEST_CASE(factory_reports_a_directory_that_is_not_a_string) {
  ConfigErrors errors;

  auto destination =
      makeFromConfig(R"({"name": "archive", "type": "file", "directory": ["out"]})", errors);

  BOOST_CHECK(destination == nullptr);
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/destinations/0/directory");
}

BOOST_AUTO_TEST_CASE(factory_reports_an_extension_containing_a_slash) {
  ConfigErrors errors;

  auto destination = makeFromConfig(
      R"({"name": "archive", "type": "file", "directory": "out", "extension": "/../x"})", errors);

  BOOST_CHECK(destination == nullptr);
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/destinations/0/extension");
}

BOOST_AUTO_TEST_CASE(factory_reports_a_missing_name) {
  ConfigErrors errors;

  auto destination = makeFromConfig(R"({"type": "file", "directory": "out"})", errors);

  BOOST_CHECK(destination == nullptr);
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/destinations/0");
  BOOST_CHECK(contains(errors.all()[0].message, "'name'"));
}

BOOST_AUTO_TEST_CASE(factory_opens_nothing_while_reading_config) {
  TempDir dir;
  fs::path outbox = dir.path() / "not-yet";
  ConfigErrors errors;

  auto destination = makeFromConfig(R"({"name": "archive", "type": "file", "directory": ")" +
                                        escapeForJson(outbox.string()) + R"("})",
                                    errors);

  BOOST_REQUIRE(destination != nullptr);
  BOOST_CHECK(!fs::exists(outbox));
}

BOOST_AUTO_TEST_CASE(a_batch_writes_every_file_with_its_exact_bytes_and_no_temp_files) {
  TempDir dir;
  FileDestination destination = destinationIn(dir.path() / "out");
  std::vector<std::string> bodies = {kPayload, kPayload + "NTE|1\r", std::string("\0binary", 7)};
  std::vector<std::string_view> views(bodies.begin(), bodies.end());
  std::vector<DeliveryContext> contexts = {contextFor("B1"), contextFor("B2"), contextFor("B3")};

  auto results = destination.deliverBatch(views, contexts);

  BOOST_REQUIRE_EQUAL(results.size(), 3u);
  for (const auto& result : results) {
    BOOST_CHECK_MESSAGE(result.status.isOk(), result.status.toString());
  }
  BOOST_CHECK(
      (entriesOf(dir.path() / "out") == std::vector<std::string>{"B1.hl7", "B2.hl7", "B3.hl7"}));
  BOOST_CHECK_EQUAL(readFile(dir.path() / "out" / "B2.hl7"), bodies[1]);
  BOOST_CHECK_EQUAL(readFile(dir.path() / "out" / "B3.hl7"), bodies[2]);
}

BOOST_AUTO_TEST_CASE(a_batch_into_an_impossible_directory_fails_every_message) {
  TempDir dir;
  ferry::testing::writeFile(dir.path() / "plain-file", "x");
  FileDestination destination = destinationIn(dir.path() / "plain-file" / "out");
  std::vector<std::string_view> views = {kPayload, kPayload};
  std::vector<DeliveryContext> contexts = {contextFor("F1"), contextFor("F2")};

  auto results = destination.deliverBatch(views, contexts);

  BOOST_REQUIRE_EQUAL(results.size(), 2u);
  for (const auto& result : results) {
    BOOST_CHECK(result.status.code() == ferry::engine::ErrorCode::IoError);
    BOOST_CHECK(!contains(result.status.context(), "TESTPATIENT"));
  }
}

BOOST_AUTO_TEST_SUITE_END()
