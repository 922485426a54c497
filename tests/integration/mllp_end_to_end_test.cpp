// End to end through the real binary: `ferry run` with a test config on loopback, `ferry send`
// with every corpus message, a downstream MLLP system and a file destination run by the test.

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "engine/hl7/message.h"
#include "engine/hl7/message_splitter.h"
#include "integration/engine_process.h"
#include "integration/integration_support.h"
#include "integration/mllp_peer.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> filesUnder(const std::filesystem::path& dir) {
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

std::string fileDestination(const std::filesystem::path& dir) {
  return R"({"name": "archive", "type": "file", "directory": ")" + dir.string() +
         R"(", "business_associate": {"covered": true, "agreement": "own"}})";
}

std::string mllpDestination(const std::string& name, int port, int max_attempts = 50) {
  return R"({"name": ")" + name + R"(", "type": "mllp", "host": "127.0.0.1", "port": )" +
         std::to_string(port) + R"(, "insecure": true, "ack_timeout_ms": 5000, "retry": )" +
         R"({"max_attempts": )" + std::to_string(max_attempts) +
         R"(, "initial_backoff_ms": 50, "max_backoff_ms": 200},)" +
         R"( "business_associate": {"covered": true, "agreement": "test peer"}})";
}

// Whether finding `value` in the store would mean a leak rather than chance. The store holds
// engine ids (upper-case base32) and hashes (lower-case hex) by the thousand, so a short value
// made only of those characters turns up by chance; longer or other values do not.
bool searchable(const std::string& value) {
  bool only_id_or_hex_characters = std::all_of(value.begin(), value.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'A' && c <= 'Z') ||
           (c >= 'a' && c <= 'f');
  });
  return value.size() >= 8 || (value.size() >= 5 && !only_id_or_hex_characters);
}

// Values from the corpus that identify a patient: family names (PID-5.1) and identifiers
// (PID-3.1) that a chance match cannot explain (see searchable()), minus anything that also
// appears in a header field (stored as metadata).
std::set<std::string> patientValues(const std::vector<WireMessage>& messages) {
  std::set<std::string> values;
  std::set<std::string> header_values;
  for (const auto& wire : messages) {
    auto parsed = engine::hl7::Message::parse(wire.bytes);
    if (!parsed.isOk()) {
      continue;
    }
    for (const char* path : {"PID-5[*].1", "PID-3[*].1"}) {
      auto found = parsed.value().getAll(path);
      if (found.isOk()) {
        for (const auto& value : found.value()) {
          if (searchable(value)) {
            values.insert(value);
          }
        }
      }
    }
    for (int field = 3; field <= 12; ++field) {
      auto value = parsed.value().get("MSH-" + std::to_string(field));
      if (value.isOk() && value.value()) {
        header_values.insert(*value.value());
      }
    }
  }
  // A value that also occurs inside a header field (an id like 123456789 inside a control id)
  // would be found in the plain metadata without any leak.
  std::erase_if(values, [&](const std::string& value) {
    return std::any_of(header_values.begin(), header_values.end(), [&](const std::string& header) {
      return header.find(value) != std::string::npos;
    });
  });
  return values;
}

void execSql(const std::filesystem::path& database, const std::string& sql) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE_EQUAL(sqlite3_open(database.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, "sql failed: " + message);
}

// Flips one bit of byte `offset` of a message's stored inbound ciphertext.
void flipCiphertextByte(const std::filesystem::path& database, const std::string& message_id,
                        std::size_t offset) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE_EQUAL(sqlite3_open(database.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* select = nullptr;
  sqlite3_prepare_v2(db, "SELECT ciphertext FROM payloads WHERE message_id = ? AND stage = 'in'",
                     -1, &select, nullptr);
  sqlite3_bind_text(select, 1, message_id.c_str(), -1, SQLITE_TRANSIENT);
  std::string blob;
  if (sqlite3_step(select) == SQLITE_ROW) {
    const char* data = static_cast<const char*>(sqlite3_column_blob(select, 0));
    blob.assign(data, static_cast<std::size_t>(sqlite3_column_bytes(select, 0)));
  }
  sqlite3_finalize(select);
  BOOST_REQUIRE_GT(blob.size(), offset);
  blob[offset] = static_cast<char>(blob[offset] ^ 0x01);

  sqlite3_stmt* update = nullptr;
  sqlite3_prepare_v2(db, "UPDATE payloads SET ciphertext = ? WHERE message_id = ? AND stage = 'in'",
                     -1, &update, nullptr);
  sqlite3_bind_blob(update, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(update, 2, message_id.c_str(), -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(update);
  sqlite3_finalize(update);
  sqlite3_close(db);
  BOOST_REQUIRE_EQUAL(rc, SQLITE_DONE);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mllp_end_to_end)

BOOST_AUTO_TEST_CASE(corpus_messages_are_acknowledged_stored_encrypted_delivered_and_audited) {
  auto files = corpusHl7Files();
  if (files.empty()) {
    BOOST_TEST_MESSAGE("corpus not found beside the repository; skipping corpus end-to-end test");
    return;
  }
  TempDir dir;
  MllpPeer downstream;
  auto config = writeEngineConfig(dir.path(), {fileDestination(dir.path() / "out"),
                                               mllpDestination("downstream", downstream.port())});
  std::vector<WireMessage> sent = corpusWireMessages();

  EngineProcess engine(config, dir.path());
  BOOST_REQUIRE(engine.waitReady());
  std::vector<std::string> send_args = {"send", "--to",
                                        "127.0.0.1:" + std::to_string(engine.port("in"))};
  for (const auto& file : files) {
    send_args.push_back(file.string());
  }
  CommandResult send = runFerry(send_args);

  // Every message answered AA, with the right MSA-2 (ferry send checks MSA-2 itself). Some
  // corpus files are deliberately broken batches (segments outside any message): ferry send
  // reports those and then exits 1.
  bool any_broken_file = std::any_of(files.begin(), files.end(), [](const auto& file) {
    return engine::hl7::splitMessages(readFile(file)).hasErrors();
  });
  BOOST_CHECK_EQUAL(send.exit_code, any_broken_file ? 1 : 0);
  std::istringstream lines(send.output);
  std::string line;
  std::size_t acknowledged = 0;
  while (std::getline(lines, line)) {
    if (line.size() > 4 && line.substr(line.size() - 4) == ": AA") {
      ++acknowledged;
    }
  }
  BOOST_CHECK_EQUAL(acknowledged, sent.size());

  // Delivered byte-exact to the file destination and to the downstream MLLP system.
  BOOST_REQUIRE(waitUntil(
      [&] {
        return downstream.count() >= sent.size() &&
               filesUnder(dir.path() / "out").size() >= sent.size();
      },
      60s));
  std::multiset<std::string> expected;
  for (const auto& wire : sent) {
    expected.insert(wire.bytes);
  }
  auto delivered_files = filesUnder(dir.path() / "out");
  auto downstream_messages = downstream.received();
  BOOST_CHECK(std::multiset<std::string>(delivered_files.begin(), delivered_files.end()) ==
              expected);
  BOOST_CHECK(std::multiset<std::string>(downstream_messages.begin(), downstream_messages.end()) ==
              expected);
  BOOST_CHECK_EQUAL(engine.stop(), 0);

  // No patient name or identifier in any byte under the data directory or in the logs.
  std::string stored = allBytesUnder(dir.path() / "data");
  std::string logs = readFile(dir.path() / "engine.log") + readFile(engine.outputFile());
  auto values = patientValues(sent);
  BOOST_REQUIRE(!values.empty());
  BOOST_TEST_MESSAGE("searching " << stored.size() << " stored bytes and " << logs.size()
                                  << " log bytes for " << values.size() << " patient values");
  for (const auto& value : values) {
    BOOST_CHECK_MESSAGE(stored.find(value) == std::string::npos,
                        "a patient value from the corpus was found in the data directory");
    BOOST_CHECK_MESSAGE(logs.find(value) == std::string::npos,
                        "a patient value from the corpus was found in the logs");
  }

  // The audit chain verifies; after one edited row it fails and names that record.
  CommandResult verified = runFerry({"audit", "verify", "--config", config.string()});
  BOOST_CHECK_EQUAL(verified.exit_code, 0);
  BOOST_CHECK(verified.output.find("audit chain OK") != std::string::npos);

  execSql(dir.path() / "data" / "ferry.db",
          "UPDATE audit SET outcome = 'edited' WHERE sequence = 42");
  CommandResult tampered = runFerry({"audit", "verify", "--config", config.string()});
  BOOST_CHECK_EQUAL(tampered.exit_code, 1);
  BOOST_CHECK_MESSAGE(tampered.output.find("record 42") != std::string::npos, tampered.output);
}

BOOST_AUTO_TEST_CASE(tampered_ciphertext_is_refused_with_an_integrity_error_and_not_delivered) {
  TempDir dir;
  int downstream_port = 0;
  {
    MllpPeer probe;  // find a free port for a downstream that is not up yet
    downstream_port = probe.port();
  }
  auto config = writeEngineConfig(dir.path(), {mllpDestination("downstream", downstream_port)});

  std::vector<std::string> files;
  for (int index = 1; index <= 3; ++index) {
    auto path = dir.path() / ("message" + std::to_string(index) + ".hl7");
    writeFile(path, syntheticAdt("TAMPER" + std::to_string(index), "TESTFAMILY", "TESTID0001"));
    files.push_back(path.string());
  }
  {
    EngineProcess engine(config, dir.path());
    BOOST_REQUIRE(engine.waitReady());
    std::vector<std::string> args = {"send", "--to",
                                     "127.0.0.1:" + std::to_string(engine.port("in"))};
    args.insert(args.end(), files.begin(), files.end());
    BOOST_REQUIRE_EQUAL(runFerry(args).exit_code, 0);
    BOOST_CHECK_EQUAL(engine.stop(), 0);
  }

  // Flip one byte inside the ciphertext of the second message's stored payload.
  auto database = dir.path() / "data" / "ferry.db";
  std::string victim = querySql(database, "SELECT id FROM messages WHERE control_id = 'TAMPER2'");
  BOOST_REQUIRE(!victim.empty());
  victim.pop_back();
  flipCiphertextByte(database, victim, 20);

  MllpPeer downstream(downstream_port);
  EngineProcess engine(config, dir.path());
  BOOST_REQUIRE(engine.waitReady());
  BOOST_REQUIRE(waitUntil([&] { return downstream.count() >= 2; }, 30s));
  BOOST_REQUIRE(waitUntil(
      [&] {
        return querySql(database, "SELECT state FROM outbox WHERE message_id = '" + victim + "'") ==
               "dead\n";
      },
      30s));
  BOOST_CHECK_EQUAL(engine.stop(), 0);

  auto received = downstream.received();
  BOOST_CHECK_EQUAL(received.size(), 2u);
  for (const auto& message : received) {
    BOOST_CHECK(message.find("TAMPER2") == std::string::npos);
  }
  std::string log = readFile(dir.path() / "engine.log");
  BOOST_CHECK(log.find("integrity_error") != std::string::npos);
  BOOST_CHECK(log.find(victim) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
