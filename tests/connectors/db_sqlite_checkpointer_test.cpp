#include "connectors/db/sqlite_store.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <sqlite3.h>

#include "support/test_support.h"

namespace ferry::testing {
namespace {

using namespace std::chrono_literals;
using connectors::db::SqliteStore;
using connectors::db::SqliteStoreOptions;
using engine::store::AuditRow;
using engine::store::MessageRow;
using engine::store::WriteBatch;

// Waits for the checkpointer thread; generous, as the machine may be busy. Never a speed check.
constexpr auto kPatience = 60s;

std::unique_ptr<SqliteStore> openStore(const std::filesystem::path& path,
                                       const SqliteStoreOptions& options) {
  auto store = SqliteStore::open(path.string(), options);
  BOOST_REQUIRE_MESSAGE(store.isOk(), store.status().toString());
  return std::move(store).value();
}

// Options under which no round ever becomes due by itself.
SqliteStoreOptions quietOptions() {
  SqliteStoreOptions options;
  options.checkpoint_after_bytes = std::size_t{1} << 40;
  options.checkpoint_interval = 24h;
  return options;
}

std::uintmax_t fileBytes(const std::filesystem::path& path) {
  std::error_code error;
  auto size = std::filesystem::file_size(path, error);
  return error ? 0 : size;
}

std::filesystem::path walPath(const std::filesystem::path& path) { return path.string() + "-wal"; }

// One message as ingest writes it: metadata, a payload of about the size of an ADT^A01, and two
// audit records.
WriteBatch messageBatch(int number) {
  std::string id = "M" + std::to_string(100000 + number);
  WriteBatch batch;
  MessageRow message;
  message.id = id;
  message.source = "adt-in";
  message.control_id = "CTRL-" + id;
  batch.messages.push_back(message);
  std::string ciphertext(1300, '\0');
  for (std::size_t i = 0; i < ciphertext.size(); ++i) {
    ciphertext[i] = static_cast<char>((i * 131 + static_cast<std::size_t>(number) * 7) & 0xff);
  }
  batch.payloads.push_back({id, "in", "", "k1", ciphertext});
  for (int hop = 0; hop < 2; ++hop) {
    AuditRow audit;
    audit.sequence = 2 * static_cast<std::int64_t>(number) + hop + 1;
    audit.message_id = id;
    audit.hop = hop == 0 ? "received" : "filtered";
    audit.mac = std::string(64, 'a');
    batch.audit.push_back(audit);
  }
  return batch;
}

void applyMessages(SqliteStore& store, int first, int count) {
  for (int number = first; number < first + count; ++number) {
    auto status = store.apply(messageBatch(number));
    BOOST_REQUIRE_MESSAGE(status.isOk(), status.toString());
  }
}

// A connection of its own, the way another process could hold one.
class RawConnection {
 public:
  explicit RawConnection(const std::filesystem::path& path) {
    BOOST_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~RawConnection() { sqlite3_close(db_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void exec(const std::string& sql) {
    BOOST_REQUIRE_EQUAL(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  }

  std::int64_t count(const std::string& table) { return integer("SELECT COUNT(*) FROM " + table); }

  std::int64_t integer(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    BOOST_REQUIRE_EQUAL(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr), SQLITE_OK);
    std::int64_t rows = -1;
    if (sqlite3_step(statement) == SQLITE_ROW) {
      rows = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
    return rows;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(db_sqlite_checkpointer)

BOOST_AUTO_TEST_CASE(commits_leave_the_database_file_alone_until_a_round_is_due) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  auto store = openStore(path, quietOptions());
  auto database_bytes = fileBytes(path);
  auto page_bytes = static_cast<std::uintmax_t>(RawConnection(path).integer("PRAGMA page_size"));

  // Until the log is longer than 1000 pages, where SQLite's own automatic checkpoint would run.
  int written = 0;
  while (fileBytes(walPath(path)) <= 1100 * page_bytes && written < 2000) {
    applyMessages(*store, written, 50);
    written += 50;
  }

  BOOST_CHECK_GT(fileBytes(walPath(path)), 1100 * page_bytes);
  BOOST_CHECK_EQUAL(fileBytes(path), database_bytes);
  BOOST_CHECK_EQUAL(store->checkpointStats().rounds, 0u);
}

BOOST_AUTO_TEST_CASE(closing_the_store_copies_the_log_into_the_database_and_removes_it) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  auto store = openStore(path, quietOptions());
  applyMessages(*store, 0, 50);

  store.reset();

  BOOST_CHECK(!std::filesystem::exists(walPath(path)));
  RawConnection raw(path);
  BOOST_CHECK_EQUAL(raw.count("messages"), 50);
  BOOST_CHECK_EQUAL(raw.count("audit"), 100);
}

BOOST_AUTO_TEST_CASE(copies_the_log_into_the_database_in_the_background) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  SqliteStoreOptions options = quietOptions();
  options.checkpoint_after_bytes = 256 * 1024;
  auto store = openStore(path, options);
  auto database_bytes = fileBytes(path);

  applyMessages(*store, 0, 100);

  bool copied = waitUntil(
      [&] { return store->checkpointStats().rounds >= 1 && fileBytes(path) > database_bytes; },
      kPatience);
  BOOST_CHECK(copied);
  BOOST_CHECK_EQUAL(store->checkpointStats().failures, 0u);
  auto message = store->loadMessage("M100042");
  BOOST_REQUIRE(message.isOk());
  BOOST_CHECK(message.value().has_value());
}

BOOST_AUTO_TEST_CASE(runs_a_round_after_the_interval_when_little_was_written) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  SqliteStoreOptions options = quietOptions();
  options.checkpoint_interval = 20ms;
  auto store = openStore(path, options);
  auto database_bytes = fileBytes(path);

  applyMessages(*store, 0, 3);

  bool copied = waitUntil(
      [&] { return store->checkpointStats().rounds >= 1 && fileBytes(path) > database_bytes; },
      kPatience);
  BOOST_CHECK(copied);
}

BOOST_AUTO_TEST_CASE(truncates_a_log_that_a_long_read_let_grow_once_the_read_ends) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  SqliteStoreOptions options;
  options.checkpoint_after_bytes = 64 * 1024;
  options.checkpoint_interval = 20ms;
  options.wal_size_limit_bytes = 512 * 1024;
  auto store = openStore(path, options);
  applyMessages(*store, 0, 10);

  // A reader in another connection keeps its snapshot: the log can be neither copied past it
  // nor started over, so it grows past the limit.
  auto reader = std::make_unique<RawConnection>(path);
  reader->exec("BEGIN");
  BOOST_REQUIRE_EQUAL(reader->count("messages"), 10);
  applyMessages(*store, 10, 100);
  BOOST_REQUIRE_GT(fileBytes(walPath(path)), options.wal_size_limit_bytes);
  reader->exec("COMMIT");
  reader.reset();

  // Under load until the checkpointer has truncated the log; bounded, should it never do so.
  int written = 110;
  while (store->checkpointStats().truncations == 0 && written < 2000) {
    applyMessages(*store, written, 10);
    written += 10;
  }
  bool truncated = waitUntil(
      [&] {
        return store->checkpointStats().truncations >= 1 &&
               fileBytes(walPath(path)) <= options.wal_size_limit_bytes;
      },
      kPatience);

  BOOST_CHECK(truncated);
  BOOST_CHECK_EQUAL(store->checkpointStats().failures, 0u);
  store.reset();
  RawConnection raw(path);
  BOOST_CHECK_EQUAL(raw.count("messages"), written);
}

BOOST_AUTO_TEST_CASE(stops_cleanly_with_a_round_due_and_the_data_intact) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  SqliteStoreOptions options = quietOptions();
  options.checkpoint_after_bytes = 16 * 1024;
  for (int cycle = 0; cycle < 3; ++cycle) {
    auto store = openStore(path, options);

    // Every batch asks for a round; the store is closed while rounds are due or running.
    applyMessages(*store, cycle * 40, 40);
    store.reset();
  }

  auto store = openStore(path, options);
  BOOST_CHECK_EQUAL(store->lastAudit().value()->sequence, 240);
  RawConnection raw(path);
  BOOST_CHECK_EQUAL(raw.count("messages"), 120);
}

BOOST_AUTO_TEST_CASE(stops_cleanly_while_another_connection_holds_the_log) {
  TempDir dir;
  auto path = dir.path() / "ferry.db";
  SqliteStoreOptions options = quietOptions();
  options.checkpoint_interval = 10ms;
  auto store = openStore(path, options);
  applyMessages(*store, 0, 20);
  RawConnection reader(path);
  reader.exec("BEGIN");
  BOOST_REQUIRE_EQUAL(reader.count("messages"), 20);
  applyMessages(*store, 20, 20);

  store.reset();
  reader.exec("COMMIT");

  auto reopened = openStore(path, options);
  auto message = reopened->loadMessage("M100039");
  BOOST_REQUIRE(message.isOk());
  BOOST_CHECK(message.value().has_value());
}

BOOST_AUTO_TEST_CASE(refuses_checkpoint_options_of_zero) {
  TempDir dir;
  SqliteStoreOptions no_bytes;
  no_bytes.checkpoint_after_bytes = 0;
  SqliteStoreOptions no_interval;
  no_interval.checkpoint_interval = 0ms;
  SqliteStoreOptions no_limit;
  no_limit.wal_size_limit_bytes = 0;

  for (const auto& options : {no_bytes, no_interval, no_limit}) {
    auto store = SqliteStore::open((dir.path() / "ferry.db").string(), options);
    BOOST_CHECK(store.status().code() == engine::ErrorCode::ConfigError);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
