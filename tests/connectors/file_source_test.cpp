#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "connectors/file/file_source.h"
#include "connectors/file/file_source_config.h"
#include "engine/config/config_node.h"
#include "engine/io/file_descriptor.h"
#include "engine/pipeline/connector.h"
#include "engine/pipeline/registry.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;

using ferry::connectors::file::FileKind;
using ferry::connectors::file::FileSource;
using ferry::connectors::file::FileSourceConfig;
using ferry::engine::ErrorCode;
using ferry::engine::config::ConfigErrors;
using ferry::engine::config::ConfigNode;
using ferry::engine::pipeline::FhirSubmitOptions;
using ferry::engine::pipeline::InboundContext;
using ferry::engine::pipeline::MessageSink;
using ferry::engine::pipeline::SubmitResult;
using ferry::testing::readFile;
using ferry::testing::TempDir;
using ferry::testing::waitUntil;
using ferry::testing::writeFile;

constexpr std::chrono::milliseconds kPatience(10000);

// Two synthetic messages, written with LF line ends as text editors and many feeds do.
const std::string kMessage1 =
    "MSH|^~\\&|TESTAPP|TESTFAC|RECV|RECVFAC|20240101120000||ADT^A01|CTRL0001|P|2.5\n"
    "PID|1||TEST0001^^^HOSP^MR||TESTPATIENT^ALPHA||19700101|F\n";
const std::string kMessage2 =
    "MSH|^~\\&|TESTAPP|TESTFAC|RECV|RECVFAC|20240101120100||ADT^A08|CTRL0002|P|2.5\n"
    "PID|1||TEST0002^^^HOSP^MR||TESTPATIENT^BRAVO||19800202|M\n";

std::string ackWithCode(std::string_view code) {
  return "MSH|^~\\&|FERRY|ENGINE|TESTAPP|TESTFAC|20240101120000||ACK^A01|ACK0001|P|2.5\r"
         "MSA|" +
         std::string(code) + "|CTRL0001\r";
}

// Records every submission; answers accepted, or rejected for bytes holding a marker, or not
// stored for chosen calls, or throws once when told to.
class FakeSink : public MessageSink {
 public:
  struct Call {
    bool fhir = false;
    std::string bytes;
    InboundContext context;
    FhirSubmitOptions options;
  };

  std::string onHl7Message(std::string_view bytes, const InboundContext& context) override {
    return submitHl7(bytes, context).response;
  }

  SubmitResult submitHl7(std::string_view bytes, const InboundContext& context) override {
    return record({false, std::string(bytes), context, {}});
  }

  SubmitResult submitFhir(std::string_view json, const InboundContext& context,
                          const FhirSubmitOptions& options) override {
    return record({true, std::string(json), context, options});
  }

  // The call with this 1-based number answers "not stored".
  void refuseCall(std::size_t number) {
    std::lock_guard lock(mutex_);
    refused_call_ = number;
  }
  void rejectBytesContaining(std::string marker) {
    std::lock_guard lock(mutex_);
    reject_marker_ = std::move(marker);
  }
  void throwOnNextCall() {
    std::lock_guard lock(mutex_);
    throw_next_ = true;
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::size_t callCount() const {
    std::lock_guard lock(mutex_);
    return calls_.size();
  }

 private:
  SubmitResult record(Call call) {
    std::lock_guard lock(mutex_);
    if (std::exchange(throw_next_, false)) {
      throw std::runtime_error("sink failure for the test");
    }
    bool fhir = call.fhir;
    bool reject = !reject_marker_.empty() && call.bytes.find(reject_marker_) != std::string::npos;
    calls_.push_back(std::move(call));

    SubmitResult result;
    if (calls_.size() == refused_call_) {
      result.http_status = 503;
      result.response = fhir ? "" : ackWithCode("AE");
      return result;
    }
    result.stored = true;
    result.accepted = !reject;
    result.message_id = "ID" + std::to_string(++stored_count_);
    result.http_status = fhir ? (reject ? 422 : 201) : 0;
    result.response =
        fhir ? R"({"resourceType":"OperationOutcome"})" : ackWithCode(reject ? "AR" : "AA");
    return result;
  }

  mutable std::mutex mutex_;
  std::vector<Call> calls_;
  std::size_t refused_call_ = 0;
  std::string reject_marker_;
  bool throw_next_ = false;
  int stored_count_ = 0;
};

// A steady clock that moves only when told to.
class ManualClock {
 public:
  std::chrono::steady_clock::time_point operator()() const {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(now_ms_->load()));
  }
  void advance(std::chrono::milliseconds by) { now_ms_->fetch_add(by.count()); }

 private:
  std::shared_ptr<std::atomic<std::int64_t>> now_ms_ =
      std::make_shared<std::atomic<std::int64_t>>(1000000);
};

// Settings for a source on `dir`/in whose folders exist, so that pollOnce() works unstarted.
FileSourceConfig configFor(const TempDir& dir) {
  FileSourceConfig config;
  config.name = "inbox";
  config.directory = (dir.path() / "in").string();
  config.done_directory = (dir.path() / "done").string();
  config.error_directory = (dir.path() / "error").string();
  config.poll_interval = std::chrono::milliseconds(10);
  config.settle = std::chrono::milliseconds(0);
  fs::create_directories(config.directory);
  fs::create_directories(config.done_directory);
  fs::create_directories(config.error_directory);
  return config;
}

std::vector<std::string> entriesOf(const fs::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

void appendFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
  BOOST_REQUIRE(out.good());
}

ConfigNode sourceNode(std::string_view object) {
  auto parsed = ConfigNode::parse("{\"sources\": [\n" + std::string(object) + "\n]}", "ferry.json");
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  auto elements = parsed.value().member("sources")->elements();
  BOOST_REQUIRE_EQUAL(elements.size(), 1u);
  return elements[0];
}

std::optional<FileSourceConfig> parseConfig(std::string_view object, ConfigErrors& errors) {
  return ferry::connectors::file::parseFileSourceConfig(sourceNode(object), errors);
}

bool hasErrorAt(const ConfigErrors& errors, std::string_view path) {
  return std::any_of(errors.all().begin(), errors.all().end(),
                     [&](const auto& error) { return error.json_path == path; });
}

// Whether this process may take a read lease on a file in `dir` (owner or CAP_LEASE, and a
// file system with leases).
bool leasesAvailable(const fs::path& dir) {
  fs::path probe = dir / "lease-probe";
  writeFile(probe, "x");
  ferry::engine::io::FileDescriptor file(::open(probe.c_str(), O_RDONLY | O_CLOEXEC));
  bool available = file.get() >= 0 && ::fcntl(file.get(), F_SETSIG, SIGURG) == 0 &&
                   ::fcntl(file.get(), F_SETLEASE, F_RDLCK) == 0;
  if (available) {
    ::fcntl(file.get(), F_SETLEASE, F_UNLCK);
  }
  file.close();
  fs::remove(probe);
  return available;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(file_source)

BOOST_AUTO_TEST_CASE(ingests_an_hl7_file_with_two_messages_and_moves_it_to_done) {
  TempDir dir;
  FakeSink sink;
  FileSourceConfig config = configFor(dir);
  config.settle = std::chrono::milliseconds(20);
  FileSource source(config, sink);
  BOOST_REQUIRE(source.start().isOk());

  writeFile(dir.path() / "in" / "two.hl7", kMessage1 + kMessage2);

  BOOST_REQUIRE(waitUntil([&] { return fs::exists(dir.path() / "done" / "two.hl7"); }, kPatience));
  source.stop();
  auto calls = sink.calls();
  BOOST_REQUIRE_EQUAL(calls.size(), 2u);
  BOOST_CHECK(!calls[0].fhir && !calls[1].fhir);
  BOOST_CHECK(contains(calls[0].bytes, "CTRL0001") && contains(calls[1].bytes, "CTRL0002"));
  BOOST_CHECK_MESSAGE(!contains(calls[0].bytes, "\n"), "segments end with CR as on the wire");
  BOOST_CHECK_EQUAL(calls[0].context.source, "inbox");
  BOOST_CHECK_EQUAL(readFile(dir.path() / "done" / "two.hl7"), kMessage1 + kMessage2);
  BOOST_CHECK(entriesOf(dir.path() / "in").empty());
  BOOST_CHECK(entriesOf(dir.path() / "error").empty());
}

BOOST_AUTO_TEST_CASE(submits_each_non_blank_ndjson_line_as_one_fhir_resource) {
  TempDir dir;
  FakeSink sink;
  FileSource source(configFor(dir), sink);
  BOOST_REQUIRE(source.start().isOk());
  const std::string line1 = R"({"resourceType":"Patient","id":"p1"})";
  const std::string line2 = R"({"resourceType":"Patient","id":"p2"})";
  const std::string line3 = R"({"resourceType":"Observation","id":"o1"})";

  writeFile(dir.path() / "in" / "bulk.ndjson", line1 + "\n\n" + line2 + "\r\n" + line3);

  BOOST_REQUIRE(
      waitUntil([&] { return fs::exists(dir.path() / "done" / "bulk.ndjson"); }, kPatience));
  source.stop();
  auto calls = sink.calls();
  BOOST_REQUIRE_EQUAL(calls.size(), 3u);
  BOOST_CHECK_EQUAL(calls[0].bytes, line1);
  BOOST_CHECK_EQUAL(calls[1].bytes, line2);
  BOOST_CHECK_EQUAL(calls[2].bytes, line3);
  for (const auto& call : calls) {
    BOOST_CHECK(call.fhir);
    BOOST_CHECK(call.options.expected_type.empty());
    BOOST_CHECK(!call.options.base_endpoint);
  }
}

BOOST_AUTO_TEST_CASE(submits_a_json_file_whole_as_one_fhir_submission) {
  TempDir dir;
  FakeSink sink;
  FileSource source(configFor(dir), sink);
  const std::string bundle =
      "{\n  \"resourceType\": \"Bundle\",\n  \"type\": \"transaction\",\n  \"entry\": []\n}\n";
  writeFile(dir.path() / "in" / "bundle.JSON", bundle);

  source.pollOnce();

  auto calls = sink.calls();
  BOOST_REQUIRE_EQUAL(calls.size(), 1u);
  BOOST_CHECK(calls[0].fhir);
  BOOST_CHECK_EQUAL(calls[0].bytes, bundle);
  BOOST_CHECK(entriesOf(dir.path() / "done") == std::vector<std::string>{"bundle.JSON"});
}

BOOST_AUTO_TEST_CASE(moves_a_file_with_a_rejected_message_to_error_with_a_report_free_of_content) {
  TempDir dir;
  FakeSink sink;
  sink.rejectBytesContaining("BRAVO");
  FileSource source(configFor(dir), sink);
  BOOST_REQUIRE(source.start().isOk());

  writeFile(dir.path() / "in" / "mixed.hl7", kMessage1 + kMessage2);

  fs::path report_path = dir.path() / "error" / "mixed.hl7.errors.txt";
  BOOST_REQUIRE(waitUntil([&] { return fs::exists(report_path); }, kPatience));
  source.stop();
  BOOST_CHECK_EQUAL(sink.callCount(), 2u);
  BOOST_CHECK_EQUAL(readFile(dir.path() / "error" / "mixed.hl7"), kMessage1 + kMessage2);
  BOOST_CHECK(entriesOf(dir.path() / "done").empty());
  std::string report = readFile(report_path);
  BOOST_CHECK_MESSAGE(contains(report, "message 1 (line 1): id ID1, accepted, ACK AA"), report);
  BOOST_CHECK_MESSAGE(contains(report, "message 2 (line 3): id ID2, rejected, ACK AR"), report);
  for (std::string_view content : {"TESTPATIENT", "BRAVO", "TEST0002", "CTRL0002", "MSH", "PID"}) {
    BOOST_CHECK_MESSAGE(!contains(report, content), "report quotes content: " << content);
  }
}

BOOST_AUTO_TEST_CASE(reports_the_http_status_of_a_rejected_fhir_resource) {
  TempDir dir;
  FakeSink sink;
  sink.rejectBytesContaining("BADRESOURCE");
  FileSource source(configFor(dir), sink);
  writeFile(dir.path() / "in" / "bulk.ndjson",
            "{\"resourceType\":\"Patient\"}\n{\"resourceType\":\"BADRESOURCE\"}\n");

  source.pollOnce();

  BOOST_CHECK_EQUAL(sink.callCount(), 2u);
  std::string report = readFile(dir.path() / "error" / "bulk.ndjson.errors.txt");
  BOOST_CHECK_MESSAGE(contains(report, "message 1 (line 1): id ID1, accepted, HTTP 201"), report);
  BOOST_CHECK_MESSAGE(contains(report, "message 2 (line 2): id ID2, rejected, HTTP 422"), report);
  BOOST_CHECK(!contains(report, "BADRESOURCE"));
  BOOST_CHECK(!contains(report, "resourceType"));
}

BOOST_AUTO_TEST_CASE(keeps_a_file_whose_message_was_not_stored_and_resumes_after_the_stored_one) {
  TempDir dir;
  FakeSink sink;
  sink.refuseCall(2);
  FileSource source(configFor(dir), sink);
  writeFile(dir.path() / "in" / "two.hl7", kMessage1 + kMessage2);

  source.pollOnce();

  BOOST_CHECK_EQUAL(sink.callCount(), 2u);
  BOOST_CHECK(entriesOf(dir.path() / "in") == std::vector<std::string>{"two.hl7"});
  BOOST_CHECK(entriesOf(dir.path() / "done").empty());

  source.pollOnce();

  auto calls = sink.calls();
  BOOST_REQUIRE_EQUAL(calls.size(), 3u);
  BOOST_CHECK(contains(calls[0].bytes, "CTRL0001"));
  BOOST_CHECK(contains(calls[1].bytes, "CTRL0002"));
  BOOST_CHECK_MESSAGE(contains(calls[2].bytes, "CTRL0002"), "resumes at the refused message");
  BOOST_CHECK(entriesOf(dir.path() / "done") == std::vector<std::string>{"two.hl7"});
  BOOST_CHECK(entriesOf(dir.path() / "in").empty());
}

BOOST_AUTO_TEST_CASE(lists_messages_stored_on_earlier_polls_in_the_error_report) {
  TempDir dir;
  FakeSink sink;
  sink.rejectBytesContaining("ALPHA");
  sink.refuseCall(2);
  FileSource source(configFor(dir), sink);
  writeFile(dir.path() / "in" / "two.hl7", kMessage1 + kMessage2);

  source.pollOnce();
  source.pollOnce();

  BOOST_CHECK_EQUAL(sink.callCount(), 3u);
  std::string report = readFile(dir.path() / "error" / "two.hl7.errors.txt");
  BOOST_CHECK_MESSAGE(contains(report, "message 1 (line 1): id ID1, rejected, ACK AR"), report);
  BOOST_CHECK_MESSAGE(contains(report, "message 2 (line 3): id ID2, accepted, ACK AA"), report);
}

BOOST_AUTO_TEST_CASE(does_not_read_a_file_until_it_stays_unchanged_for_the_settle_time) {
  TempDir dir;
  FakeSink sink;
  ManualClock clock;
  FileSourceConfig config = configFor(dir);
  config.settle = std::chrono::milliseconds(1000);
  config.clock = clock;
  FileSource source(config, sink);
  fs::path file = dir.path() / "in" / "slow.hl7";
  std::size_t half = kMessage1.size() + 30;

  writeFile(file, (kMessage1 + kMessage2).substr(0, half));
  source.pollOnce();
  clock.advance(std::chrono::milliseconds(600));
  source.pollOnce();
  BOOST_CHECK_EQUAL(sink.callCount(), 0u);

  appendFile(file, (kMessage1 + kMessage2).substr(half));
  source.pollOnce();
  clock.advance(std::chrono::milliseconds(500));
  source.pollOnce();
  BOOST_CHECK_MESSAGE(sink.callCount() == 0u, "read 500 ms after the last change");

  clock.advance(std::chrono::milliseconds(600));
  source.pollOnce();

  auto calls = sink.calls();
  BOOST_REQUIRE_EQUAL(calls.size(), 2u);
  BOOST_CHECK_MESSAGE(contains(calls[1].bytes, "TESTPATIENT^BRAVO||19800202|M"),
                      "the second message arrived whole");
  BOOST_CHECK(fs::exists(dir.path() / "done" / "slow.hl7"));
}

BOOST_AUTO_TEST_CASE(restarts_the_settle_time_when_only_the_modification_time_changes) {
  TempDir dir;
  FakeSink sink;
  ManualClock clock;
  FileSourceConfig config = configFor(dir);
  config.settle = std::chrono::milliseconds(1000);
  config.clock = clock;
  FileSource source(config, sink);
  fs::path file = dir.path() / "in" / "touched.hl7";
  writeFile(file, kMessage1);

  source.pollOnce();
  clock.advance(std::chrono::milliseconds(600));
  fs::last_write_time(file, fs::last_write_time(file) + std::chrono::seconds(5));
  source.pollOnce();
  clock.advance(std::chrono::milliseconds(600));
  source.pollOnce();
  BOOST_CHECK_EQUAL(sink.callCount(), 0u);

  clock.advance(std::chrono::milliseconds(600));
  source.pollOnce();

  BOOST_CHECK_EQUAL(sink.callCount(), 1u);
}

BOOST_AUTO_TEST_CASE(ignores_hidden_and_temporary_names_and_names_outside_the_patterns) {
  TempDir dir;
  FakeSink sink;
  FileSource source(configFor(dir), sink);
  std::vector<std::string> ignored = {".hidden.hl7", "a.hl7.tmp", "b.hl7.part", "c.partial",
                                      "d.filepart",  "e.HL7.TMP", "notes.txt",  "f.hl7.bak"};
  for (const std::string& name : ignored) {
    writeFile(dir.path() / "in" / name, kMessage1);
  }
  writeFile(dir.path() / "in" / "real.Hl7", kMessage2);

  source.pollOnce();

  auto calls = sink.calls();
  BOOST_REQUIRE_EQUAL(calls.size(), 1u);
  BOOST_CHECK(contains(calls[0].bytes, "CTRL0002"));
  std::sort(ignored.begin(), ignored.end());
  BOOST_CHECK(entriesOf(dir.path() / "in") == ignored);
}

BOOST_AUTO_TEST_CASE(moves_an_oversized_file_to_error_without_reading_it) {
  TempDir dir;
  FakeSink sink;
  FileSourceConfig config = configFor(dir);
  config.max_file_bytes = 64;
  FileSource source(config, sink);
  writeFile(dir.path() / "in" / "big.hl7", kMessage1);

  source.pollOnce();

  BOOST_CHECK_EQUAL(sink.callCount(), 0u);
  BOOST_CHECK_EQUAL(readFile(dir.path() / "error" / "big.hl7"), kMessage1);
  std::string report = readFile(dir.path() / "error" / "big.hl7.errors.txt");
  BOOST_CHECK_MESSAGE(contains(report, "max_file_bytes"), report);
  BOOST_CHECK(!contains(report, "TESTPATIENT"));
}

BOOST_AUTO_TEST_CASE(moves_an_hl7_file_with_bytes_outside_messages_to_error_unsubmitted) {
  TempDir dir;
  FakeSink sink;
  FileSource source(configFor(dir), sink);
  writeFile(dir.path() / "in" / "junk.hl7", "PID|1||TEST0009||TESTPATIENT^STRAY\n" + kMessage1);

  source.pollOnce();

  BOOST_CHECK_EQUAL(sink.callCount(), 0u);
  BOOST_CHECK(fs::exists(dir.path() / "error" / "junk.hl7"));
  std::string report = readFile(dir.path() / "error" / "junk.hl7.errors.txt");
  BOOST_CHECK_MESSAGE(contains(report, "line 1"), report);
  BOOST_CHECK(!contains(report, "STRAY"));
}

BOOST_AUTO_TEST_CASE(moves_an_empty_file_to_error_unsubmitted) {
  TempDir dir;
  FakeSink sink;
  FileSource source(configFor(dir), sink);
  writeFile(dir.path() / "in" / "empty.ndjson", "\n  \n");

  source.pollOnce();

  BOOST_CHECK_EQUAL(sink.callCount(), 0u);
  BOOST_CHECK(fs::exists(dir.path() / "error" / "empty.ndjson.errors.txt"));
}

BOOST_AUTO_TEST_CASE(skips_a_symlink_even_when_its_target_is_a_regular_file) {
  TempDir dir;
  TempDir elsewhere;
  FakeSink sink;
  FileSource source(configFor(dir), sink);
  writeFile(elsewhere.path() / "target.hl7", kMessage1);
  fs::create_symlink(elsewhere.path() / "target.hl7", dir.path() / "in" / "link.hl7");

  source.pollOnce();

  BOOST_CHECK_EQUAL(sink.callCount(), 0u);
  BOOST_CHECK(fs::is_symlink(dir.path() / "in" / "link.hl7"));
  BOOST_CHECK(entriesOf(dir.path() / "done").empty());
  BOOST_CHECK(entriesOf(dir.path() / "error").empty());
}

BOOST_AUTO_TEST_CASE(numbers_a_moved_file_whose_name_is_taken_in_done) {
  TempDir dir;
  FakeSink sink;
  FileSource source(configFor(dir), sink);
  writeFile(dir.path() / "done" / "a.hl7", "earlier file");
  writeFile(dir.path() / "done" / "a.1.hl7", "earlier file 1");
  writeFile(dir.path() / "in" / "a.hl7", kMessage1);

  source.pollOnce();

  BOOST_CHECK_EQUAL(readFile(dir.path() / "done" / "a.hl7"), "earlier file");
  BOOST_CHECK_EQUAL(readFile(dir.path() / "done" / "a.1.hl7"), "earlier file 1");
  BOOST_CHECK_EQUAL(readFile(dir.path() / "done" / "a.2.hl7"), kMessage1);
}

BOOST_AUTO_TEST_CASE(deletes_an_ingested_file_when_delete_after_is_set) {
  TempDir dir;
  FakeSink sink;
  FileSourceConfig config = configFor(dir);
  config.delete_after = true;
  FileSource source(config, sink);
  writeFile(dir.path() / "in" / "gone.hl7", kMessage1);

  source.pollOnce();

  BOOST_CHECK_EQUAL(sink.callCount(), 1u);
  BOOST_CHECK(entriesOf(dir.path() / "in").empty());
  BOOST_CHECK(entriesOf(dir.path() / "done").empty());
}

BOOST_AUTO_TEST_CASE(skips_a_file_still_open_for_writing_when_leases_are_available) {
  TempDir dir;
  if (!leasesAvailable(dir.path())) {
    BOOST_TEST_MESSAGE("read leases not available here; open-for-writing check not tested");
    return;
  }
  FakeSink sink;
  FileSource source(configFor(dir), sink);
  fs::path file = dir.path() / "in" / "open.hl7";
  writeFile(file, kMessage1);
  ferry::engine::io::FileDescriptor writer(::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  BOOST_REQUIRE(writer.get() >= 0);

  source.pollOnce();
  BOOST_CHECK_EQUAL(sink.callCount(), 0u);
  BOOST_CHECK(fs::exists(file));

  BOOST_REQUIRE(writer.close());
  source.pollOnce();

  BOOST_CHECK_EQUAL(sink.callCount(), 1u);
  BOOST_CHECK(fs::exists(dir.path() / "done" / "open.hl7"));
}

BOOST_AUTO_TEST_CASE(keeps_polling_after_a_scan_throws) {
  TempDir dir;
  FakeSink sink;
  sink.throwOnNextCall();
  FileSource source(configFor(dir), sink);
  BOOST_REQUIRE(source.start().isOk());

  writeFile(dir.path() / "in" / "one.hl7", kMessage1);

  BOOST_REQUIRE(waitUntil([&] { return fs::exists(dir.path() / "done" / "one.hl7"); }, kPatience));
  source.stop();
  BOOST_CHECK_EQUAL(sink.callCount(), 1u);
}

BOOST_AUTO_TEST_CASE(stop_returns_promptly_during_a_long_poll_interval) {
  TempDir dir;
  FakeSink sink;
  FileSourceConfig config = configFor(dir);
  config.poll_interval = std::chrono::hours(1);
  FileSource source(config, sink);
  BOOST_REQUIRE(source.start().isOk());
  writeFile(dir.path() / "in" / "late.hl7", kMessage1);

  auto stopped = std::async(std::launch::async, [&] { source.stop(); });

  // A bound far below the poll interval: a stop() that waited for the next poll would hang.
  BOOST_REQUIRE(stopped.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  source.stop();
}

BOOST_AUTO_TEST_CASE(start_fails_with_a_clear_status_when_the_directory_is_missing) {
  TempDir dir;
  FakeSink sink;
  FileSourceConfig config;
  config.name = "inbox";
  config.directory = (dir.path() / "absent").string();
  config.done_directory = (dir.path() / "absent" / "done").string();
  config.error_directory = (dir.path() / "absent" / "error").string();
  FileSource source(config, sink);

  auto status = source.start();

  BOOST_CHECK(status.code() == ErrorCode::ConfigError);
  BOOST_CHECK_MESSAGE(contains(status.context(), config.directory), status.context());
  BOOST_CHECK_MESSAGE(contains(status.context(), "does not exist"), status.context());
  BOOST_CHECK(!fs::exists(dir.path() / "absent"));
}

BOOST_AUTO_TEST_CASE(start_fails_when_the_directory_is_a_regular_file) {
  TempDir dir;
  FakeSink sink;
  writeFile(dir.path() / "plain", "not a folder");
  FileSourceConfig config;
  config.name = "inbox";
  config.directory = (dir.path() / "plain").string();
  config.done_directory = (dir.path() / "done").string();
  config.error_directory = (dir.path() / "error").string();
  FileSource source(config, sink);

  auto status = source.start();

  BOOST_CHECK(status.code() == ErrorCode::ConfigError);
  BOOST_CHECK_MESSAGE(contains(status.context(), "not a directory"), status.context());
}

BOOST_AUTO_TEST_CASE(start_fails_when_done_directory_is_a_regular_file) {
  TempDir dir;
  FakeSink sink;
  FileSourceConfig config = configFor(dir);
  fs::remove(config.done_directory);
  writeFile(config.done_directory, "not a folder");
  FileSource source(config, sink);

  auto status = source.start();

  BOOST_CHECK(!status.isOk());
  BOOST_CHECK_MESSAGE(contains(status.context(), "done_directory"), status.context());
}

BOOST_AUTO_TEST_CASE(start_creates_the_done_and_error_folders) {
  TempDir dir;
  FakeSink sink;
  fs::create_directory(dir.path() / "in");
  FileSourceConfig config;
  config.name = "inbox";
  config.directory = (dir.path() / "in").string();
  config.done_directory = (dir.path() / "in" / "done").string();
  config.error_directory = (dir.path() / "archive" / "error").string();
  FileSource source(config, sink);

  auto status = source.start();
  source.stop();

  BOOST_REQUIRE_MESSAGE(status.isOk(), status.toString());
  BOOST_CHECK(fs::is_directory(dir.path() / "in" / "done"));
  BOOST_CHECK(fs::is_directory(dir.path() / "archive" / "error"));
}

BOOST_AUTO_TEST_CASE(registers_as_source_type_file) {
  BOOST_CHECK(ferry::engine::pipeline::findSourceType("file") != nullptr);
}

BOOST_AUTO_TEST_CASE(factory_applies_the_defaults_and_touches_no_disk) {
  TempDir dir;
  FakeSink sink;
  ConfigErrors errors;
  std::string directory = (dir.path() / "in").string();
  const auto* factory = ferry::engine::pipeline::findSourceType("file");
  BOOST_REQUIRE(factory != nullptr);

  auto source = (*factory)(
      sourceNode(R"({"name": "inbox", "type": "file", "directory": ")" + directory + R"("})"),
      errors, sink);

  BOOST_REQUIRE_MESSAGE(errors.empty(), errors.format());
  auto* file_source = dynamic_cast<FileSource*>(source.get());
  BOOST_REQUIRE(file_source != nullptr);
  const FileSourceConfig& config = file_source->config();
  BOOST_CHECK_EQUAL(config.done_directory, directory + "/done");
  BOOST_CHECK_EQUAL(config.error_directory, directory + "/error");
  BOOST_CHECK_EQUAL(config.poll_interval.count(), 1000);
  BOOST_CHECK_EQUAL(config.settle.count(), 2000);
  BOOST_CHECK((config.patterns == std::vector<std::string>{"*.hl7", "*.json", "*.ndjson"}));
  BOOST_CHECK_EQUAL(config.max_file_bytes, 64u << 20);
  BOOST_CHECK(!config.delete_after);
  BOOST_CHECK(!fs::exists(dir.path() / "in"));
}

BOOST_AUTO_TEST_CASE(parses_every_key) {
  ConfigErrors errors;

  auto config = parseConfig(R"({"name": "inbox", "type": "file", "directory": "in",
      "done_directory": "archive/done", "error_directory": "archive/error",
      "poll_interval_ms": 250, "settle_ms": 0, "patterns": ["ADT_*.hl7", "*.ndjson"],
      "max_file_bytes": 1048576, "delete_after": false})",
                            errors);

  BOOST_REQUIRE_MESSAGE(config.has_value(), errors.format());
  BOOST_CHECK_EQUAL(config->done_directory, "archive/done");
  BOOST_CHECK_EQUAL(config->error_directory, "archive/error");
  BOOST_CHECK_EQUAL(config->poll_interval.count(), 250);
  BOOST_CHECK_EQUAL(config->settle.count(), 0);
  BOOST_CHECK((config->patterns == std::vector<std::string>{"ADT_*.hl7", "*.ndjson"}));
  BOOST_CHECK_EQUAL(config->max_file_bytes, 1048576u);
}

BOOST_AUTO_TEST_CASE(reports_every_bad_setting_at_its_path) {
  ConfigErrors errors;

  auto config = parseConfig(R"({"name": "inbox", "type": "file", "directory": "in",
      "poll_interval_ms": 0, "settle_ms": -1, "max_file_bytes": 4294967296,
      "patterns": ["*", "sub/*.hl7"], "delete_after": "yes", "recursive": true})",
                            errors);

  BOOST_CHECK(!config.has_value());
  for (std::string_view path :
       {"/sources/0/poll_interval_ms", "/sources/0/settle_ms", "/sources/0/max_file_bytes",
        "/sources/0/patterns/0", "/sources/0/patterns/1", "/sources/0/delete_after",
        "/sources/0/recursive"}) {
    BOOST_CHECK_MESSAGE(hasErrorAt(errors, path), "no error at " << path << ":\n"
                                                                 << errors.format());
  }
  BOOST_CHECK_EQUAL(errors.all().size(), 7u);
}

BOOST_AUTO_TEST_CASE(reports_a_missing_directory_and_folders_that_coincide) {
  ConfigErrors missing;
  ConfigErrors same_as_watched;
  ConfigErrors same_done_and_error;
  ConfigErrors unused_done;

  auto a = parseConfig(R"({"name": "inbox", "type": "file"})", missing);
  auto b = parseConfig(R"({"name": "inbox", "type": "file", "directory": "in",
      "done_directory": "in/"})",
                       same_as_watched);
  auto c = parseConfig(R"({"name": "inbox", "type": "file", "directory": "in",
      "done_directory": "out", "error_directory": "./out"})",
                       same_done_and_error);
  auto d = parseConfig(R"({"name": "inbox", "type": "file", "directory": "in",
      "done_directory": "out", "delete_after": true})",
                       unused_done);

  BOOST_CHECK(!a && !b && !c && !d);
  BOOST_CHECK_MESSAGE(contains(missing.format(), "'directory'"), missing.format());
  BOOST_CHECK(hasErrorAt(same_as_watched, "/sources/0/done_directory"));
  BOOST_CHECK(hasErrorAt(same_done_and_error, "/sources/0/error_directory"));
  BOOST_CHECK(hasErrorAt(unused_done, "/sources/0/done_directory"));
}

BOOST_AUTO_TEST_CASE(reports_empty_patterns_and_empty_folders) {
  ConfigErrors errors;

  auto config = parseConfig(R"({"name": "inbox", "type": "file", "directory": "in",
      "patterns": [], "error_directory": ""})",
                            errors);

  BOOST_CHECK(!config.has_value());
  BOOST_CHECK(hasErrorAt(errors, "/sources/0/patterns"));
  BOOST_CHECK(hasErrorAt(errors, "/sources/0/error_directory"));
}

BOOST_AUTO_TEST_CASE(names_select_the_file_kind_and_temporary_names_are_recognised) {
  using ferry::connectors::file::fileKindOf;
  using ferry::connectors::file::isTemporaryName;
  using ferry::connectors::file::matchesPatterns;

  BOOST_CHECK(fileKindOf("a.HL7") == FileKind::Hl7);
  BOOST_CHECK(fileKindOf("a.json") == FileKind::Json);
  BOOST_CHECK(fileKindOf("a.ndjson") == FileKind::Ndjson);
  BOOST_CHECK(!fileKindOf("a.txt").has_value());
  BOOST_CHECK(isTemporaryName(".a.hl7"));
  BOOST_CHECK(isTemporaryName("a.hl7.FilePart"));
  BOOST_CHECK(!isTemporaryName("a.hl7"));
  BOOST_CHECK(matchesPatterns({"ADT_*.hl7"}, "adt_0001.HL7"));
  BOOST_CHECK(!matchesPatterns({"ADT_*.hl7"}, "ORU_0001.hl7"));
}

BOOST_AUTO_TEST_SUITE_END()
