#pragma once

// The embedded store: engine::store::StoreBackend on one SQLite file, through SOCI's sqlite3
// backend. Registered for storage URLs "sqlite:<path>" ("sqlite:/var/lib/ferry/ferry.db", or a
// path relative to the working directory).
//
// Durability: the database runs in WAL mode with synchronous=FULL, so apply() returns only after
// the write-ahead log holding the batch has been synced; a crash after that loses nothing.
// Temporary tables and indices stay in memory (temp_store=MEMORY), so SQLite writes no temporary
// files. The file is created with mode 0600, and SQLite gives its -wal and -shm files the same
// mode. Payloads arrive already encrypted; the store never sees plaintext.
//
// Thread-safety: apply() is meant for the engine's single writer thread (calls are serialised by
// a mutex all the same). The read methods may be called from any thread at the same time as
// apply(): they share a second connection, one at a time, and see the last committed batch.
// scanAudit() reads in pages and calls `visit` outside the lock, so `visit` may call the store.
//
// Checkpoints: commits never copy the log back into the database file. A background thread with
// a connection of its own does (see sqlite_checkpointer.h), so the log grows by what commits
// write until the next round and is then reused from its start; the store stops the thread
// before it closes.
//
// Errors: every failure comes back as a Status (StorageError, or NotFound for an outbox update
// that matches no row), naming the operation and SQLite's reason but never a stored value.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "engine/store/records.h"
#include "engine/store/store_backend.h"

namespace soci {
class session;
}

namespace ferry::connectors::db {

class SqliteCheckpointer;

// When the background checkpointer works. The defaults suit a production engine; tests shrink
// them. A round copies what the log holds into the database without blocking commits, then
// holds commits back briefly (a few frames copied, the log and the database file synced) to copy
// what was committed meanwhile, so that the next commit starts the log over.
struct SqliteStoreOptions {
  // A round starts once commits have written this many bytes to the log since the last one.
  std::size_t checkpoint_after_bytes = 8 * 1024 * 1024;
  // ... or this long after the last round, if anything was written since (or it left work).
  std::chrono::milliseconds checkpoint_interval{1000};
  // A log file larger than this (a long read kept it from being reused) is truncated to zero
  // once it has been copied.
  std::size_t wal_size_limit_bytes = 64 * 1024 * 1024;
};

// What the checkpointer has done since the store opened.
struct SqliteCheckpointStats {
  std::uint64_t rounds = 0;       // rounds run
  std::uint64_t truncations = 0;  // times the log file was truncated to zero
  std::uint64_t failures = 0;     // checkpoints that failed (logged; the next round retries)
};

class SqliteStore final : public engine::store::StoreBackend {
  struct PrivateTag {
    explicit PrivateTag() = default;
  };
  struct Writer;

 public:
  // The schema version this code writes and reads. A database of a newer version is refused.
  static constexpr int kSchemaVersion = 1;

  // Opens the database at `path`, creating the file (mode 0600) and the schema when missing,
  // and starts the checkpointer. The directory must exist. StorageError when the file cannot be
  // opened, is not a database, cannot use WAL, or has a newer schema; ConfigError for options
  // of zero.
  static engine::Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
  static engine::Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                           const SqliteStoreOptions& options);

  // Opens from a storage URL "sqlite:<path>"; ConfigError for any other form.
  static engine::Result<std::unique_ptr<engine::store::StoreBackend>> openUrl(
      const std::string& url);

  // Public for std::make_unique; PrivateTag keeps it for open() alone.
  SqliteStore(PrivateTag, std::unique_ptr<Writer> writer, std::unique_ptr<soci::session> reader);
  // Stops the checkpointer, then closes the connections (the last one to close copies what is
  // left in the log into the database and removes the log).
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // One IMMEDIATE transaction per batch, rows in this order: messages, payloads, new outbox
  // rows, outbox updates, audit. Nothing of a batch is stored when any row fails. A payload row
  // replaces an earlier one with the same message id, stage and destination (a newer response);
  // a message id, outbox (message id, destination) pair or audit sequence that already exists is
  // an error, as is a payload or outbox row whose message is not stored, and an outbox update
  // that matches no row (NotFound).
  engine::Status apply(const engine::store::WriteBatch& batch) override;

  engine::Result<std::vector<engine::store::OutboxRow>> loadPendingOutbox() override;
  engine::Result<std::optional<engine::store::PayloadRow>> loadPayload(
      const std::string& message_id, const std::string& stage,
      const std::string& destination) override;
  engine::Result<std::optional<engine::store::MessageRow>> loadMessage(
      const std::string& message_id) override;
  engine::Result<std::vector<engine::store::OutboxRow>> listOutbox(const std::string& destination,
                                                                   engine::store::OutboxState state,
                                                                   std::size_t limit) override;
  engine::Result<std::optional<engine::store::AuditRow>> lastAudit() override;
  engine::Status scanAudit(
      const std::function<bool(const engine::store::AuditRow&)>& visit) override;

  // Safe from any thread.
  SqliteCheckpointStats checkpointStats() const;

 private:
  std::mutex write_mutex_;
  std::unique_ptr<Writer> writer_;
  std::mutex read_mutex_;
  std::unique_ptr<soci::session> reader_;
  // Last: it uses the writer connection and write_mutex_, and is stopped first.
  std::unique_ptr<SqliteCheckpointer> checkpointer_;
};

}  // namespace ferry::connectors::db
