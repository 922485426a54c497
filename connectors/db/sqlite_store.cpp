#include "connectors/db/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string_view>
#include <utility>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "connectors/db/sqlite_checkpointer.h"
#include "connectors/db/sqlite_schema.h"
#include "engine/pipeline/registry.h"

namespace ferry::connectors::db {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
namespace store = engine::store;

namespace {

// Rows per page when scanning the audit trail: the read lock is held for one page at a time.
constexpr int kAuditPageSize = 1000;

// Turns whatever SOCI or SQLite threw into a Status. SOCI's what() appends the statement and the
// values bound to it, so it is never used: only SQLite's own message (which names tables,
// columns and constraints, not values) and its result code.
Status storageError(std::string_view operation, std::exception_ptr thrown) {
  std::string text = "sqlite store: " + std::string(operation) + " failed";
  try {
    std::rethrow_exception(std::move(thrown));
  } catch (const soci::sqlite3_soci_error& error) {
    text += " (sqlite " + std::to_string(error.result()) + ": " + error.get_error_message() + ")";
  } catch (const soci::soci_error&) {
    text += " (database library error)";
  } catch (const std::bad_alloc&) {
    text += " (out of memory)";
  } catch (...) {
    text += " (unexpected error)";
  }
  return Status(ErrorCode::StorageError, std::move(text));
}

// Creates the database file with mode 0600 when missing; SQLite then creates its -wal and -shm
// files with the same mode. An empty file is a valid empty database. The directory is synced so
// that the new name survives a crash along with the first commit in it.
Status createPrivateFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status::ok();
    }
    return Status(ErrorCode::StorageError,
                  "sqlite store '" + path + "': cannot create file: " + std::strerror(errno));
  }
  ::close(fd);

  std::filesystem::path file(path);
  std::string dir = file.has_parent_path() ? file.parent_path().string() : ".";
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool synced = dir_fd >= 0 && ::fsync(dir_fd) == 0;
  int error = errno;
  if (dir_fd >= 0) {
    ::close(dir_fd);
  }
  if (!synced) {
    return Status(
        ErrorCode::StorageError,
        "sqlite store '" + path + "': cannot sync its directory: " + std::strerror(error));
  }
  return Status::ok();
}

std::string blobBytes(soci::blob& blob) {
  std::string bytes(blob.get_len(), '\0');
  if (!bytes.empty()) {
    // For SQLite the offset is from the start (SOCI 4.0.3 lacks read_from_start for it).
    bytes.resize(blob.read(0, bytes.data(), bytes.size()));
  }
  return bytes;
}

Status unknownState(std::string_view table) {
  return Status(ErrorCode::StorageError,
                "sqlite store: a row of " + std::string(table) + " holds an unknown state name");
}

// The columns of an outbox row and the variables SOCI fetches them into.
struct OutboxColumns {
  static constexpr const char* kSelect =
      "SELECT message_id, destination, sequence, state, attempts, next_attempt_ms, last_error"
      " FROM outbox";

  store::OutboxRow row;
  std::string state;

  soci::details::prepare_temp_type& bind(soci::details::prepare_temp_type& prepare) {
    prepare, soci::into(row.message_id), soci::into(row.destination), soci::into(row.sequence),
        soci::into(state), soci::into(row.attempts), soci::into(row.next_attempt_ms),
        soci::into(row.last_error);
    return prepare;
  }
};

// "state = 'pending'": a literal, so that SQLite sees when it prepares the query that the partial
// index of open rows may serve it (a bound value is known only later, and SQLite would prepare
// the statement a second time for it). The names are our own constants (records.cpp).
std::string stateTerm(store::OutboxState state) {
  return "state = '" + std::string(store::outboxStateName(state)) + "'";
}

// Runs a prepared SELECT over outbox and collects its rows.
Result<std::vector<store::OutboxRow>> fetchOutbox(soci::statement& statement,
                                                  OutboxColumns& columns) {
  std::vector<store::OutboxRow> rows;
  statement.execute();
  while (statement.fetch()) {
    auto state = store::outboxStateFromName(columns.state);
    if (!state) {
      return unknownState("outbox");
    }
    columns.row.state = *state;
    rows.push_back(columns.row);
  }
  return rows;
}

struct AuditColumns {
  static constexpr const char* kSelect =
      "SELECT sequence, time_ms, message_id, route, destination, hop, actor, outcome, detail,"
      " payload_sha256, key_id, mac FROM audit";

  store::AuditRow row;

  soci::details::prepare_temp_type& bind(soci::details::prepare_temp_type& prepare) {
    prepare, soci::into(row.sequence), soci::into(row.time_ms), soci::into(row.message_id),
        soci::into(row.route), soci::into(row.destination), soci::into(row.hop),
        soci::into(row.actor), soci::into(row.outcome), soci::into(row.detail),
        soci::into(row.payload_sha256), soci::into(row.key_id), soci::into(row.mac);
    return prepare;
  }
};

}  // namespace

// The write connection with its statements prepared once and reused for every batch. Each
// statement reads its values from the member variables it was bound to, so a row is written by
// copying it into those and executing.
struct SqliteStore::Writer {
  explicit Writer(std::unique_ptr<soci::session> session)
      : sql(std::move(session)),
        ciphertext(*sql),
        insert_message(
            (sql->prepare << "INSERT INTO messages (id, received_at_ms, source, state,"
                             " message_type, trigger_event, control_id, sending_application,"
                             " sending_facility, patient_key_hash, error_detail) VALUES (:id,"
                             " :received, :source, :state, :type, :trigger, :control, :app,"
                             " :facility, :patient, :error)",
             soci::use(message.id), soci::use(message.received_at_ms), soci::use(message.source),
             soci::use(message_state), soci::use(message.message_type),
             soci::use(message.trigger_event), soci::use(message.control_id),
             soci::use(message.sending_application), soci::use(message.sending_facility),
             soci::use(message.patient_key_hash), soci::use(message.error_detail))),
        insert_payload(
            (sql->prepare << "INSERT INTO payloads (message_id, stage, destination, key_id,"
                             " ciphertext) VALUES (:message, :stage, :destination, :key, :blob)"
                             " ON CONFLICT (message_id, stage, destination) DO UPDATE SET"
                             " key_id = excluded.key_id, ciphertext = excluded.ciphertext",
             soci::use(payload.message_id), soci::use(payload.stage),
             soci::use(payload.destination), soci::use(payload.key_id), soci::use(ciphertext))),
        insert_outbox((sql->prepare
                           << "INSERT INTO outbox (message_id, destination, state, attempts,"
                              " next_attempt_ms, last_error) VALUES (:message, :destination,"
                              " :state, :attempts, :next, :error)",
                       soci::use(outbox.message_id), soci::use(outbox.destination),
                       soci::use(outbox_state), soci::use(outbox.attempts),
                       soci::use(outbox.next_attempt_ms), soci::use(outbox.last_error))),
        update_outbox((sql->prepare << "UPDATE outbox SET state = :state, attempts = :attempts,"
                                       " next_attempt_ms = :next, last_error = :error"
                                       " WHERE message_id = :message AND destination = :dest",
                       soci::use(update_state), soci::use(update.attempts),
                       soci::use(update.next_attempt_ms), soci::use(update.last_error),
                       soci::use(update.message_id), soci::use(update.destination))),
        insert_audit(
            (sql->prepare << "INSERT INTO audit (sequence, time_ms, message_id, route,"
                             " destination, hop, actor, outcome, detail, payload_sha256, key_id,"
                             " mac) VALUES (:sequence, :time, :message, :route, :destination,"
                             " :hop, :actor, :outcome, :detail, :sha, :key, :mac)",
             soci::use(audit.sequence), soci::use(audit.time_ms), soci::use(audit.message_id),
             soci::use(audit.route), soci::use(audit.destination), soci::use(audit.hop),
             soci::use(audit.actor), soci::use(audit.outcome), soci::use(audit.detail),
             soci::use(audit.payload_sha256), soci::use(audit.key_id), soci::use(audit.mac))),
        // IMMEDIATE takes the write lock up front, so a batch never fails half-way for want of
        // it. Prepared once like the rest: `sql << "COMMIT"` would parse it anew every time.
        begin((sql->prepare << "BEGIN IMMEDIATE")),
        commit((sql->prepare << "COMMIT")) {}

  // Writes every row of `batch` inside the caller's transaction. NotFound when an outbox update
  // matches no row; throws what SOCI throws.
  Status writeRows(const store::WriteBatch& batch) {
    for (const auto& row : batch.messages) {
      message = row;
      message_state = store::messageStateName(row.state);
      insert_message.execute(true);
    }
    for (const auto& row : batch.payloads) {
      payload.message_id = row.message_id;
      payload.stage = row.stage;
      payload.destination = row.destination;
      payload.key_id = row.key_id;
      // A soci::blob (not a std::string, which SOCI binds as TEXT) keeps the BLOB type.
      ciphertext.trim(0);
      if (!row.ciphertext.empty()) {
        ciphertext.write(0, row.ciphertext.data(), row.ciphertext.size());
      }
      insert_payload.execute(true);
    }
    for (const auto& row : batch.new_outbox) {
      outbox = row;
      outbox_state = store::outboxStateName(row.state);
      insert_outbox.execute(true);
    }
    for (const auto& row : batch.outbox_updates) {
      update = row;
      update_state = store::outboxStateName(row.state);
      update_outbox.execute(true);
      if (update_outbox.get_affected_rows() != 1) {
        return Status(ErrorCode::NotFound, "sqlite store: outbox update for message " +
                                               row.message_id + " and destination '" +
                                               row.destination + "' matches no row");
      }
    }
    for (const auto& row : batch.audit) {
      audit = row;
      insert_audit.execute(true);
    }
    return Status::ok();
  }

  std::unique_ptr<soci::session> sql;

  store::MessageRow message;
  std::string message_state;
  store::PayloadRow payload;  // all but the ciphertext, which goes through `ciphertext`
  soci::blob ciphertext;
  store::OutboxRow outbox;
  std::string outbox_state;
  store::OutboxUpdate update;
  std::string update_state;
  store::AuditRow audit;

  soci::statement insert_message;
  soci::statement insert_payload;
  soci::statement insert_outbox;
  soci::statement update_outbox;
  soci::statement insert_audit;
  soci::statement begin;
  soci::statement commit;
};

SqliteStore::SqliteStore(PrivateTag, std::unique_ptr<Writer> writer,
                         std::unique_ptr<soci::session> reader)
    : writer_(std::move(writer)), reader_(std::move(reader)) {}

SqliteStore::~SqliteStore() {
  // The checkpointer uses the writer and write_mutex_: it goes before them.
  checkpointer_.reset();
}

SqliteCheckpointStats SqliteStore::checkpointStats() const { return checkpointer_->stats(); }

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  return open(path, SqliteStoreOptions());
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const SqliteStoreOptions& options) {
  // SOCI reads a connect string containing '=' as key=value pairs; a bare path is taken whole.
  if (path.empty() || path.find('=') != std::string::npos) {
    return Status(ErrorCode::ConfigError, "sqlite store: the path must be non-empty without '='");
  }
  if (options.checkpoint_after_bytes == 0 || options.checkpoint_interval.count() <= 0 ||
      options.wal_size_limit_bytes == 0) {
    return Status(ErrorCode::ConfigError, "sqlite store: checkpoint options must be positive");
  }
  Status created = createPrivateFile(path);
  if (!created.isOk()) {
    return created;
  }

  std::string step = "open";
  try {
    auto write_session = std::make_unique<soci::session>(soci::sqlite3, path);
    step = "configure";
    std::string problem = configureConnection(*write_session, ConnectionRole::Writer);
    if (problem.empty()) {
      step = "create schema";
      problem = ensureSchema(*write_session, kSchemaVersion);
    }
    if (!problem.empty()) {
      return Status(ErrorCode::StorageError, "sqlite store '" + path + "': " + problem);
    }

    step = "prepare statements";
    auto writer = std::make_unique<Writer>(std::move(write_session));
    step = "open read connection";
    auto read_session = std::make_unique<soci::session>(soci::sqlite3, path);
    configureConnection(*read_session, ConnectionRole::Reader);
    sqlite_api::sqlite3* write_handle = nativeHandle(*writer->sql);
    auto store =
        std::make_unique<SqliteStore>(PrivateTag(), std::move(writer), std::move(read_session));

    step = "start checkpointer";
    store->checkpointer_ =
        std::make_unique<SqliteCheckpointer>(path, write_handle, store->write_mutex_, options);
    store->checkpointer_->start();
    return store;
  } catch (...) {
    return storageError(step + " '" + path + "'", std::current_exception());
  }
}

Result<std::unique_ptr<store::StoreBackend>> SqliteStore::openUrl(const std::string& url) {
  constexpr std::string_view kScheme = "sqlite:";
  std::string_view rest(url);
  if (rest.substr(0, kScheme.size()) != kScheme || rest.size() == kScheme.size() ||
      rest.substr(kScheme.size(), 2) == "//") {
    return Status(ErrorCode::ConfigError,
                  "storage url must look like 'sqlite:/path/to/ferry.db' or 'sqlite:relative.db'");
  }
  if (rest.substr(kScheme.size()) == ":memory:") {
    return Status(ErrorCode::ConfigError, "storage url names an in-memory database: not durable");
  }
  auto opened = open(std::string(rest.substr(kScheme.size())));
  if (!opened.isOk()) {
    return opened.status();
  }
  return std::unique_ptr<store::StoreBackend>(std::move(opened).value());
}

Status SqliteStore::apply(const store::WriteBatch& batch) {
  if (batch.empty()) {
    return Status::ok();
  }
  std::lock_guard lock(write_mutex_);
  soci::session& sql = *writer_->sql;
  bool begun = false;
  try {
    writer_->begin.execute(true);
    begun = true;
    Status written = writer_->writeRows(batch);
    if (!written.isOk()) {
      sql << "ROLLBACK";
      return written;
    }
    writer_->commit.execute(true);
    return Status::ok();
  } catch (...) {
    Status failed = storageError("apply", std::current_exception());
    if (begun) {
      try {
        // Fails harmlessly when SQLite already rolled back (it does on some I/O errors).
        sql << "ROLLBACK";
      } catch (...) {
        // Nothing to add to the original error.
      }
    }
    return failed;
  }
}

Result<std::vector<store::OutboxRow>> SqliteStore::loadPendingOutbox() {
  std::lock_guard lock(read_mutex_);
  try {
    OutboxColumns columns;
    auto prepare = reader_->prepare << std::string(OutboxColumns::kSelect) + " WHERE " +
                                           stateTerm(store::OutboxState::Pending) +
                                           " ORDER BY sequence";
    soci::statement statement = columns.bind(prepare);
    return fetchOutbox(statement, columns);
  } catch (...) {
    return storageError("load pending outbox", std::current_exception());
  }
}

Result<std::vector<store::OutboxRow>> SqliteStore::listOutbox(const std::string& destination,
                                                              store::OutboxState state,
                                                              std::size_t limit) {
  std::lock_guard lock(read_mutex_);
  try {
    OutboxColumns columns;
    auto row_limit = static_cast<long long>(std::min<std::size_t>(limit, INT64_MAX));
    auto prepare = reader_->prepare << std::string(OutboxColumns::kSelect) + " WHERE " +
                                           stateTerm(state) +
                                           " AND destination = :destination"
                                           " ORDER BY sequence LIMIT :limit";
    soci::statement statement =
        (columns.bind(prepare), soci::use(destination), soci::use(row_limit));
    return fetchOutbox(statement, columns);
  } catch (...) {
    return storageError("list outbox", std::current_exception());
  }
}

Result<std::optional<store::PayloadRow>> SqliteStore::loadPayload(const std::string& message_id,
                                                                  const std::string& stage,
                                                                  const std::string& destination) {
  std::lock_guard lock(read_mutex_);
  try {
    store::PayloadRow row;
    soci::blob blob(*reader_);
    soci::indicator blob_indicator = soci::i_ok;
    soci::statement statement =
        (reader_->prepare << "SELECT key_id, ciphertext FROM payloads"
                             " WHERE message_id = :message AND stage = :stage"
                             " AND destination = :destination",
         soci::into(row.key_id), soci::into(blob, blob_indicator), soci::use(message_id),
         soci::use(stage), soci::use(destination));
    if (!statement.execute(true)) {
      return std::optional<store::PayloadRow>();
    }
    row.message_id = message_id;
    row.stage = stage;
    row.destination = destination;
    if (blob_indicator == soci::i_ok) {
      row.ciphertext = blobBytes(blob);
    }
    return std::optional<store::PayloadRow>(std::move(row));
  } catch (...) {
    return storageError("load payload", std::current_exception());
  }
}

Result<std::optional<store::MessageRow>> SqliteStore::loadMessage(const std::string& message_id) {
  std::lock_guard lock(read_mutex_);
  try {
    store::MessageRow row;
    std::string state;
    soci::statement statement =
        (reader_->prepare << "SELECT id, received_at_ms, source, state, message_type,"
                             " trigger_event, control_id, sending_application, sending_facility,"
                             " patient_key_hash, error_detail FROM messages WHERE id = :id",
         soci::into(row.id), soci::into(row.received_at_ms), soci::into(row.source),
         soci::into(state), soci::into(row.message_type), soci::into(row.trigger_event),
         soci::into(row.control_id), soci::into(row.sending_application),
         soci::into(row.sending_facility), soci::into(row.patient_key_hash),
         soci::into(row.error_detail), soci::use(message_id));
    if (!statement.execute(true)) {
      return std::optional<store::MessageRow>();
    }
    auto parsed = store::messageStateFromName(state);
    if (!parsed) {
      return unknownState("messages");
    }
    row.state = *parsed;
    return std::optional<store::MessageRow>(std::move(row));
  } catch (...) {
    return storageError("load message", std::current_exception());
  }
}

Result<std::optional<store::AuditRow>> SqliteStore::lastAudit() {
  std::lock_guard lock(read_mutex_);
  try {
    AuditColumns columns;
    auto prepare = reader_->prepare
                   << std::string(AuditColumns::kSelect) + " ORDER BY sequence DESC LIMIT 1";
    soci::statement statement = columns.bind(prepare);
    if (!statement.execute(true)) {
      return std::optional<store::AuditRow>();
    }
    return std::optional<store::AuditRow>(std::move(columns.row));
  } catch (...) {
    return storageError("load last audit record", std::current_exception());
  }
}

Status SqliteStore::scanAudit(const std::function<bool(const store::AuditRow&)>& visit) {
  std::int64_t after = 0;
  for (;;) {
    std::vector<store::AuditRow> page;
    {
      std::lock_guard lock(read_mutex_);
      try {
        AuditColumns columns;
        int page_size = kAuditPageSize;
        auto prepare = reader_->prepare << std::string(AuditColumns::kSelect) +
                                               " WHERE sequence > :after ORDER BY sequence"
                                               " LIMIT :limit";
        soci::statement statement = (columns.bind(prepare), soci::use(after), soci::use(page_size));
        statement.execute();
        while (statement.fetch()) {
          page.push_back(columns.row);
        }
      } catch (...) {
        return storageError("scan audit", std::current_exception());
      }
    }

    for (const auto& row : page) {
      if (!visit(row)) {
        return Status::ok();
      }
    }
    if (page.size() < static_cast<std::size_t>(kAuditPageSize)) {
      return Status::ok();
    }
    after = page.back().sequence;
  }
}

}  // namespace ferry::connectors::db

FERRY_REGISTER(ferry::engine::pipeline::registerStoreScheme(
    "sqlite", &ferry::connectors::db::SqliteStore::openUrl))
