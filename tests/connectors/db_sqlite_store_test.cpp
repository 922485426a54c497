#include "connectors/db/sqlite_store.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include <sqlite3.h>

#include "engine/audit/audit_chain.h"
#include "engine/crypto/digest.h"
#include "engine/crypto/payload_cipher.h"
#include "engine/pipeline/registry.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using connectors::db::SqliteStore;
using engine::ErrorCode;
using engine::store::AuditRow;
using engine::store::MessageRow;
using engine::store::MessageState;
using engine::store::OutboxRow;
using engine::store::OutboxState;
using engine::store::OutboxUpdate;
using engine::store::PayloadRow;
using engine::store::WriteBatch;

std::unique_ptr<SqliteStore> openStore(const std::filesystem::path& path) {
  auto store = SqliteStore::open(path.string());
  BOOST_REQUIRE_MESSAGE(store.isOk(), store.status().toString());
  return std::move(store).value();
}

// Direct access for inspecting and tampering, the way someone with the file could.
void execSql(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  int result = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  BOOST_REQUIRE_EQUAL(result, SQLITE_OK);
}

std::string queryText(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* statement = nullptr;
  BOOST_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string text;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return text;
}

MessageRow messageRow(const std::string& id) {
  MessageRow row;
  row.id = id;
  row.received_at_ms = 1'700'000'000'123;
  row.source = "adt-in";
  row.state = MessageState::Accepted;
  row.message_type = "ADT";
  row.trigger_event = "A01";
  row.control_id = "CTRL-" + id;
  row.sending_application = "TESTAPP";
  row.sending_facility = "TESTFAC";
  row.patient_key_hash = engine::crypto::sha256Hex("patient " + id);
  return row;
}

OutboxRow outboxRow(const std::string& message_id, const std::string& destination) {
  OutboxRow row;
  row.message_id = message_id;
  row.destination = destination;
  row.next_attempt_ms = 42;
  return row;
}

std::string everyByteValue() {
  std::string bytes;
  for (int value = 0; value < 256; ++value) {
    bytes.push_back(static_cast<char>(value));
  }
  return bytes;
}

// A batch as ingest writes it: the message, its raw payload, one outbox row per destination.
WriteBatch ingestBatch(const std::string& id, std::initializer_list<const char*> destinations) {
  WriteBatch batch;
  batch.messages.push_back(messageRow(id));
  batch.payloads.push_back({id, "in", "", "k1", everyByteValue()});
  for (const char* destination : destinations) {
    batch.new_outbox.push_back(outboxRow(id, destination));
  }
  return batch;
}

void applyOk(SqliteStore& store, const WriteBatch& batch) {
  auto status = store.apply(batch);
  BOOST_REQUIRE_MESSAGE(status.isOk(), status.toString());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(db_sqlite_store)

BOOST_AUTO_TEST_CASE(opens_through_the_registered_sqlite_scheme) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";

  auto store = engine::pipeline::openStore("sqlite:" + path.string());

  BOOST_REQUIRE_MESSAGE(store.isOk(), store.status().toString());
  struct stat info {};
  BOOST_REQUIRE_EQUAL(::stat(path.c_str(), &info), 0);
  BOOST_CHECK_EQUAL(info.st_mode & 0777, 0600u);
  BOOST_CHECK(store.value()->apply(ingestBatch("M1", {"lab"})).isOk());
}

BOOST_AUTO_TEST_CASE(refuses_urls_that_name_no_durable_file) {
  for (const char* url : {"sqlite:", "sqlite::memory:", "sqlite://host/x.db", "postgres:x"}) {
    auto store = SqliteStore::openUrl(url);
    BOOST_CHECK_MESSAGE(store.status().code() == ErrorCode::ConfigError, url);
  }
}

BOOST_AUTO_TEST_CASE(refuses_a_directory_that_does_not_exist) {
  TempDir dir;

  auto store = SqliteStore::open((dir.path() / "missing" / "ferry.db").string());

  BOOST_CHECK(store.status().code() == ErrorCode::StorageError);
}

BOOST_AUTO_TEST_CASE(round_trips_every_row_kind) {
  TempDir dir;
  auto store = openStore(dir.path() / "ferry.db");
  WriteBatch batch = ingestBatch("M1", {"lab", "billing"});
  batch.messages[0].error_detail = "PID-7: not a valid date";
  batch.messages[0].state = MessageState::Rejected;
  batch.payloads.push_back({"M1", "out", "lab", "k2", std::string("\0\0x\0", 4)});
  AuditRow audit;
  audit.sequence = 1;
  audit.time_ms = 1'700'000'000'999;
  audit.message_id = "M1";
  audit.route = "adt-to-lab";
  audit.destination = "lab";
  audit.hop = "queued";
  audit.actor = "router";
  audit.outcome = "ok";
  audit.detail = "fields stripped: PID-19";
  audit.payload_sha256 = engine::crypto::sha256Hex("x");
  audit.key_id = "a1";
  audit.mac = std::string(64, 'c');
  batch.audit.push_back(audit);

  applyOk(*store, batch);

  auto message = store->loadMessage("M1");
  BOOST_REQUIRE(message.isOk() && message.value().has_value());
  const MessageRow& got = *message.value();
  const MessageRow& want = batch.messages[0];
  BOOST_CHECK_EQUAL(got.id, want.id);
  BOOST_CHECK_EQUAL(got.received_at_ms, want.received_at_ms);
  BOOST_CHECK_EQUAL(got.source, want.source);
  BOOST_CHECK(got.state == MessageState::Rejected);
  BOOST_CHECK_EQUAL(got.message_type, want.message_type);
  BOOST_CHECK_EQUAL(got.trigger_event, want.trigger_event);
  BOOST_CHECK_EQUAL(got.control_id, want.control_id);
  BOOST_CHECK_EQUAL(got.sending_application, want.sending_application);
  BOOST_CHECK_EQUAL(got.sending_facility, want.sending_facility);
  BOOST_CHECK_EQUAL(got.patient_key_hash, want.patient_key_hash);
  BOOST_CHECK_EQUAL(got.error_detail, want.error_detail);

  for (const PayloadRow& stored : batch.payloads) {
    auto payload = store->loadPayload(stored.message_id, stored.stage, stored.destination);
    BOOST_REQUIRE(payload.isOk() && payload.value().has_value());
    BOOST_CHECK_EQUAL(payload.value()->key_id, stored.key_id);
    BOOST_CHECK_EQUAL(payload.value()->ciphertext.size(), stored.ciphertext.size());
    BOOST_CHECK(payload.value()->ciphertext == stored.ciphertext);
  }

  auto pending = store->loadPendingOutbox();
  BOOST_REQUIRE(pending.isOk());
  BOOST_REQUIRE_EQUAL(pending.value().size(), 2u);
  BOOST_CHECK_EQUAL(pending.value()[0].destination, "lab");
  BOOST_CHECK_EQUAL(pending.value()[1].destination, "billing");
  BOOST_CHECK_LT(pending.value()[0].sequence, pending.value()[1].sequence);
  BOOST_CHECK_EQUAL(pending.value()[0].next_attempt_ms, 42);
  BOOST_CHECK(pending.value()[0].state == OutboxState::Pending);

  auto last = store->lastAudit();
  BOOST_REQUIRE(last.isOk() && last.value().has_value());
  const AuditRow& got_audit = *last.value();
  BOOST_CHECK_EQUAL(got_audit.sequence, 1);
  BOOST_CHECK_EQUAL(got_audit.time_ms, audit.time_ms);
  BOOST_CHECK_EQUAL(got_audit.message_id, audit.message_id);
  BOOST_CHECK_EQUAL(got_audit.route, audit.route);
  BOOST_CHECK_EQUAL(got_audit.destination, audit.destination);
  BOOST_CHECK_EQUAL(got_audit.hop, audit.hop);
  BOOST_CHECK_EQUAL(got_audit.actor, audit.actor);
  BOOST_CHECK_EQUAL(got_audit.outcome, audit.outcome);
  BOOST_CHECK_EQUAL(got_audit.detail, audit.detail);
  BOOST_CHECK_EQUAL(got_audit.payload_sha256, audit.payload_sha256);
  BOOST_CHECK_EQUAL(got_audit.key_id, audit.key_id);
  BOOST_CHECK_EQUAL(got_audit.mac, audit.mac);
}

BOOST_AUTO_TEST_CASE(stores_ciphertext_with_nul_bytes_as_a_blob) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  {
    auto store = openStore(path);
    applyOk(*store, ingestBatch("M1", {}));
  }

  BOOST_CHECK_EQUAL(queryText(path, "SELECT typeof(ciphertext) FROM payloads"), "blob");
  BOOST_CHECK_EQUAL(queryText(path, "SELECT length(ciphertext) FROM payloads"), "256");
}

BOOST_AUTO_TEST_CASE(round_trips_an_empty_ciphertext) {
  TempDir dir;
  auto store = openStore(dir.path() / "ferry.db");
  WriteBatch batch = ingestBatch("M1", {});
  batch.payloads[0].ciphertext.clear();

  applyOk(*store, batch);

  auto payload = store->loadPayload("M1", "in", "");
  BOOST_REQUIRE(payload.isOk() && payload.value().has_value());
  BOOST_CHECK(payload.value()->ciphertext.empty());
}

BOOST_AUTO_TEST_CASE(replaces_a_payload_written_again_for_the_same_row) {
  TempDir dir;
  auto store = openStore(dir.path() / "ferry.db");
  applyOk(*store, ingestBatch("M1", {"lab"}));
  WriteBatch first_response;
  first_response.payloads.push_back({"M1", "resp", "lab", "k1", "first"});
  applyOk(*store, first_response);
  WriteBatch second_response;
  second_response.payloads.push_back({"M1", "resp", "lab", "k2", "second"});

  applyOk(*store, second_response);

  auto payload = store->loadPayload("M1", "resp", "lab");
  BOOST_REQUIRE(payload.isOk() && payload.value().has_value());
  BOOST_CHECK_EQUAL(payload.value()->ciphertext, "second");
  BOOST_CHECK_EQUAL(payload.value()->key_id, "k2");
}

BOOST_AUTO_TEST_CASE(finds_nothing_where_nothing_was_stored) {
  TempDir dir;
  auto store = openStore(dir.path() / "ferry.db");
  applyOk(*store, ingestBatch("M1", {"lab"}));

  auto message = store->loadMessage("M2");
  auto payload = store->loadPayload("M1", "out", "lab");
  auto last = store->lastAudit();
  auto listed = store->listOutbox("billing", OutboxState::Pending, 10);

  BOOST_REQUIRE(message.isOk() && payload.isOk() && last.isOk() && listed.isOk());
  BOOST_CHECK(!message.value().has_value());
  BOOST_CHECK(!payload.value().has_value());
  BOOST_CHECK(!last.value().has_value());
  BOOST_CHECK(listed.value().empty());
}

BOOST_AUTO_TEST_CASE(applies_outbox_updates_and_lists_by_destination_and_state) {
  TempDir dir;
  auto store = openStore(dir.path() / "ferry.db");
  for (const char* id : {"M1", "M2", "M3", "M4"}) {
    applyOk(*store, ingestBatch(id, {"lab", "billing"}));
  }
  WriteBatch updates;
  updates.outbox_updates.push_back({"M1", "lab", OutboxState::Delivered, 1, 0, ""});
  updates.outbox_updates.push_back({"M3", "lab", OutboxState::Dead, 5, 0, "remote_rejected"});
  updates.outbox_updates.push_back({"M2", "billing", OutboxState::Pending, 2, 9000, "timeout"});

  applyOk(*store, updates);

  auto pending_lab = store->listOutbox("lab", OutboxState::Pending, 10);
  BOOST_REQUIRE(pending_lab.isOk());
  BOOST_REQUIRE_EQUAL(pending_lab.value().size(), 2u);
  BOOST_CHECK_EQUAL(pending_lab.value()[0].message_id, "M2");
  BOOST_CHECK_EQUAL(pending_lab.value()[1].message_id, "M4");

  auto dead_lab = store->listOutbox("lab", OutboxState::Dead, 10);
  BOOST_REQUIRE(dead_lab.isOk());
  BOOST_REQUIRE_EQUAL(dead_lab.value().size(), 1u);
  BOOST_CHECK_EQUAL(dead_lab.value()[0].attempts, 5);
  BOOST_CHECK_EQUAL(dead_lab.value()[0].last_error, "remote_rejected");

  auto delivered_lab = store->listOutbox("lab", OutboxState::Delivered, 10);
  BOOST_REQUIRE(delivered_lab.isOk());
  BOOST_REQUIRE_EQUAL(delivered_lab.value().size(), 1u);
  BOOST_CHECK_EQUAL(delivered_lab.value()[0].message_id, "M1");
  BOOST_CHECK(delivered_lab.value()[0].state == OutboxState::Delivered);

  auto first_billing = store->listOutbox("billing", OutboxState::Pending, 2);
  BOOST_REQUIRE(first_billing.isOk());
  BOOST_REQUIRE_EQUAL(first_billing.value().size(), 2u);
  BOOST_CHECK_EQUAL(first_billing.value()[0].message_id, "M1");
  BOOST_CHECK_EQUAL(first_billing.value()[1].message_id, "M2");
  BOOST_CHECK_EQUAL(first_billing.value()[1].attempts, 2);
  BOOST_CHECK_EQUAL(first_billing.value()[1].next_attempt_ms, 9000);

  auto pending = store->loadPendingOutbox();
  BOOST_REQUIRE(pending.isOk());
  BOOST_CHECK_EQUAL(pending.value().size(), 6u);
}

BOOST_AUTO_TEST_CASE(stores_nothing_of_a_batch_in_which_a_row_fails) {
  TempDir dir;
  auto store = openStore(dir.path() / "ferry.db");
  applyOk(*store, ingestBatch("M1", {"lab"}));
  WriteBatch batch = ingestBatch("M2", {"lab"});
  batch.messages.push_back(messageRow("M1"));  // already stored
  batch.messages.back().control_id = "VALUE-MARKER-5521";

  auto status = store->apply(batch);

  BOOST_CHECK(status.code() == ErrorCode::StorageError);
  BOOST_CHECK_EQUAL(status.context().find("VALUE-MARKER-5521"), std::string::npos);
  auto message = store->loadMessage("M2");
  BOOST_REQUIRE(message.isOk());
  BOOST_CHECK(!message.value().has_value());
  BOOST_CHECK(store->apply(ingestBatch("M3", {"lab"})).isOk());
}

BOOST_AUTO_TEST_CASE(refuses_an_outbox_update_that_matches_no_row) {
  TempDir dir;
  auto store = openStore(dir.path() / "ferry.db");
  WriteBatch batch = ingestBatch("M1", {"lab"});
  batch.outbox_updates.push_back({"M1", "billing", OutboxState::Delivered, 1, 0, ""});

  auto status = store->apply(batch);

  BOOST_CHECK(status.code() == ErrorCode::NotFound);
  auto message = store->loadMessage("M1");
  BOOST_REQUIRE(message.isOk());
  BOOST_CHECK(!message.value().has_value());
}

BOOST_AUTO_TEST_CASE(refuses_rows_of_a_message_that_is_not_stored) {
  TempDir dir;
  auto store = openStore(dir.path() / "ferry.db");
  WriteBatch payload_only;
  payload_only.payloads.push_back({"M9", "in", "", "k1", "x"});
  WriteBatch outbox_only;
  outbox_only.new_outbox.push_back(outboxRow("M9", "lab"));

  BOOST_CHECK(store->apply(payload_only).code() == ErrorCode::StorageError);
  BOOST_CHECK(store->apply(outbox_only).code() == ErrorCode::StorageError);
}

BOOST_AUTO_TEST_CASE(keeps_pending_outbox_across_reopening) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  std::vector<OutboxRow> before;
  {
    auto store = openStore(path);
    for (const char* id : {"M1", "M2", "M3"}) {
      applyOk(*store, ingestBatch(id, {"lab"}));
    }
    WriteBatch delivered;
    delivered.outbox_updates.push_back({"M2", "lab", OutboxState::Delivered, 1, 0, ""});
    applyOk(*store, delivered);
    before = store->loadPendingOutbox().value();
  }

  auto reopened = openStore(path);
  auto after = reopened->loadPendingOutbox();

  BOOST_REQUIRE(after.isOk());
  BOOST_REQUIRE_EQUAL(before.size(), 2u);
  BOOST_REQUIRE_EQUAL(after.value().size(), 2u);
  for (std::size_t i = 0; i < before.size(); ++i) {
    BOOST_CHECK_EQUAL(after.value()[i].message_id, before[i].message_id);
    BOOST_CHECK_EQUAL(after.value()[i].sequence, before[i].sequence);
  }
  BOOST_CHECK_EQUAL(after.value()[1].message_id, "M3");
  applyOk(*reopened, ingestBatch("M4", {"lab"}));
  BOOST_CHECK_GT(reopened->loadPendingOutbox().value().back().sequence, before.back().sequence);
}

BOOST_AUTO_TEST_CASE(keeps_arrival_order_after_the_newest_delivered_rows_are_deleted_and_reopened) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  {
    auto store = openStore(path);
    for (const char* id : {"M1", "M2", "M3", "M4"}) {
      applyOk(*store, ingestBatch(id, {"lab"}));
    }
    WriteBatch delivered;
    delivered.outbox_updates.push_back({"M1", "lab", OutboxState::Delivered, 1, 0, ""});
    delivered.outbox_updates.push_back({"M4", "lab", OutboxState::Delivered, 1, 0, ""});
    applyOk(*store, delivered);
  }
  // Pruning as a retention job might: the delivered rows go, the newest of all among them.
  execSql(path, "DELETE FROM outbox WHERE state = 'delivered'");

  auto store = openStore(path);
  applyOk(*store, ingestBatch("M5", {"lab"}));
  applyOk(*store, ingestBatch("M6", {"lab"}));

  auto pending = store->loadPendingOutbox();
  BOOST_REQUIRE(pending.isOk());
  BOOST_REQUIRE_EQUAL(pending.value().size(), 4u);
  const char* expected[] = {"M2", "M3", "M5", "M6"};
  for (std::size_t i = 0; i < pending.value().size(); ++i) {
    BOOST_CHECK_EQUAL(pending.value()[i].message_id, expected[i]);
    if (i > 0) {
      BOOST_CHECK_GT(pending.value()[i].sequence, pending.value()[i - 1].sequence);
    }
  }
  auto listed = store->listOutbox("lab", OutboxState::Pending, 10);
  BOOST_REQUIRE(listed.isOk());
  BOOST_REQUIRE_EQUAL(listed.value().size(), 4u);
  BOOST_CHECK_EQUAL(listed.value()[2].message_id, "M5");
}

BOOST_AUTO_TEST_CASE(refuses_a_second_outbox_row_for_the_same_message_and_destination) {
  TempDir dir;
  auto store = openStore(dir.path() / "ferry.db");
  applyOk(*store, ingestBatch("M1", {"lab"}));
  WriteBatch again;
  again.new_outbox.push_back(outboxRow("M1", "lab"));

  auto status = store->apply(again);

  BOOST_CHECK(status.code() == ErrorCode::StorageError);
  BOOST_CHECK_EQUAL(store->loadPendingOutbox().value().size(), 1u);
}

BOOST_AUTO_TEST_CASE(keeps_plaintext_out_of_the_database_and_its_wal_and_shm_files) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  auto keys = engine::crypto::KeyRing::loadOrCreate((dir.path() / "keys.json").string(), true);
  BOOST_REQUIRE(keys.isOk());
  engine::crypto::PayloadCipher cipher(keys.value());
  const std::string secret = "PID|||TESTPATIENT^MARKER^QX7Z||19700101";
  const std::string visible = "SOURCE-MARKER-Q7Z";
  auto store = openStore(path);

  for (int i = 0; i < 50; ++i) {
    std::string id = "M" + std::to_string(i);
    auto sealed = cipher.seal(secret + std::to_string(i), {id, "in", ""});
    BOOST_REQUIRE(sealed.isOk());
    WriteBatch batch;
    batch.messages.push_back(messageRow(id));
    batch.messages.back().source = visible;
    batch.payloads.push_back({id, "in", "", sealed.value().key_id, sealed.value().blob});
    applyOk(*store, batch);
  }

  // The metadata marker shows that the raw bytes read are those the rows went to.
  std::string all_files;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    auto file = path.string() + suffix;
    BOOST_REQUIRE_MESSAGE(std::filesystem::exists(file), file);
    std::string bytes = readFile(file);
    BOOST_CHECK_MESSAGE(bytes.find("TESTPATIENT") == std::string::npos, file);
    all_files += bytes;
  }
  BOOST_CHECK_NE(all_files.find(visible), std::string::npos);
  auto stored = store->loadPayload("M7", "in", "");
  BOOST_REQUIRE(stored.isOk() && stored.value().has_value());
  auto opened = cipher.open({stored.value()->key_id, stored.value()->ciphertext}, {"M7", "in", ""});
  BOOST_REQUIRE(opened.isOk());
  BOOST_CHECK_EQUAL(opened.value(), secret + "7");

  store.reset();
  BOOST_CHECK_EQUAL(readFile(path).find("TESTPATIENT"), std::string::npos);
  BOOST_CHECK_NE(readFile(path).find(visible), std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_database_with_a_newer_schema) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  openStore(path).reset();
  execSql(path, "UPDATE schema_version SET version = 99");

  auto store = SqliteStore::open(path.string());

  BOOST_CHECK(store.status().code() == ErrorCode::StorageError);
  BOOST_CHECK_NE(store.status().context().find("schema version 99"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(records_the_schema_version_once) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";

  openStore(path).reset();
  openStore(path).reset();

  BOOST_CHECK_EQUAL(queryText(path, "SELECT COUNT(*) || ':' || MAX(version) FROM schema_version"),
                    "1:" + std::to_string(SqliteStore::kSchemaVersion));
  BOOST_CHECK_EQUAL(queryText(path, "PRAGMA journal_mode"), "wal");
}

BOOST_AUTO_TEST_CASE(serves_reads_from_other_threads_while_batches_commit) {
  TempDir dir;
  auto store = openStore(dir.path() / "ferry.db");
  std::atomic<bool> writing{true};
  std::atomic<int> read_failures{0};
  std::atomic<std::size_t> last_seen{0};

  std::thread reader([&] {
    while (writing.load()) {
      auto pending = store->loadPendingOutbox();
      auto message = store->loadMessage("M0");
      if (!pending.isOk() || !message.isOk()) {
        ++read_failures;
        continue;
      }
      // Committed batches only ever add rows: a reader never sees fewer than before.
      if (pending.value().size() < last_seen.load()) {
        ++read_failures;
      }
      last_seen = pending.value().size();
    }
  });
  for (int i = 0; i < 200; ++i) {
    applyOk(*store, ingestBatch("M" + std::to_string(i), {"lab"}));
  }
  writing = false;
  reader.join();

  BOOST_CHECK_EQUAL(read_failures.load(), 0);
  BOOST_CHECK_EQUAL(store->loadPendingOutbox().value().size(), 200u);
}

BOOST_AUTO_TEST_CASE(scans_the_audit_trail_in_order_across_pages_and_stops_when_asked) {
  TempDir dir;
  auto store = openStore(dir.path() / "ferry.db");
  WriteBatch batch;
  for (int sequence = 2500; sequence >= 1; --sequence) {
    AuditRow row;
    row.sequence = sequence;
    row.hop = "received";
    batch.audit.push_back(row);
  }
  applyOk(*store, batch);

  std::int64_t expected = 0;
  bool ordered = true;
  auto scanned = store->scanAudit([&](const AuditRow& row) {
    ordered = ordered && row.sequence == ++expected;
    return true;
  });
  int visited = 0;
  auto stopped = store->scanAudit([&](const AuditRow&) { return ++visited < 1500; });

  BOOST_REQUIRE(scanned.isOk() && stopped.isOk());
  BOOST_CHECK(ordered);
  BOOST_CHECK_EQUAL(expected, 2500);
  BOOST_CHECK_EQUAL(visited, 1500);
  BOOST_CHECK_EQUAL(store->lastAudit().value()->sequence, 2500);
}

BOOST_AUTO_TEST_CASE(keeps_an_audit_chain_that_verifies_and_shows_an_edit_made_in_the_file) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  auto keys = engine::crypto::KeyRing::loadOrCreate((dir.path() / "keys.json").string(), true);
  BOOST_REQUIRE(keys.isOk());
  {
    auto store = openStore(path);
    for (int round = 0; round < 2; ++round) {
      // A new chain object per round, continuing from the store, as after a restart.
      engine::audit::AuditChain chain(keys.value(), store->lastAudit().value());
      WriteBatch batch;
      for (int i = 0; i < 30; ++i) {
        AuditRow row;
        row.time_ms = 1'700'000'000'000 + i;
        row.message_id = "M" + std::to_string(i);
        row.hop = "received";
        row.outcome = "ok";
        chain.seal(row);
        batch.audit.push_back(row);
      }
      applyOk(*store, batch);
    }
    auto clean = engine::audit::verifyAuditChain(*store, *keys.value());
    BOOST_REQUIRE(clean.isOk());
    BOOST_CHECK(clean.value().ok);
    BOOST_CHECK_EQUAL(clean.value().records_checked, 60);
  }

  execSql(path, "UPDATE audit SET outcome = 'error' WHERE sequence = 41");

  auto store = openStore(path);
  auto report = engine::audit::verifyAuditChain(*store, *keys.value());
  BOOST_REQUIRE(report.isOk());
  BOOST_CHECK(!report.value().ok);
  BOOST_CHECK_EQUAL(report.value().first_bad_sequence, 41);
  BOOST_CHECK_EQUAL(report.value().problem, "mac mismatch");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
