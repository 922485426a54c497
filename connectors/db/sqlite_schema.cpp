#include "connectors/db/sqlite_schema.h"

#include <soci/soci.h>

namespace ferry::connectors::db {
namespace {

// How long the writer and the reader wait for a lock held by another connection.
constexpr int kBusyTimeoutMs = 5000;
// Bounds the -wal file left behind when the writer starts the log over (bytes). The background
// checkpointer normally keeps the log far shorter; see sqlite_checkpointer.h.
constexpr long long kJournalSizeLimit = 64LL * 1024 * 1024;
// Page size of a new database (an existing one keeps its own). Every page a transaction touches
// goes to the log whole, and a transaction of one message touches about six; see the schema
// notes below for what was measured.
constexpr int kPageSize = 4096;

// Every column NOT NULL: absent text is stored as '', so reads need no indicators. States are
// stored by name (records.h) for readability with the sqlite3 shell.
//
// Each accepted message writes a row to messages and payloads and two or more to audit in one
// transaction, and every b-tree (table or index) it touches costs at least one page in the log.
// So the schema keeps only the b-trees a read in StoreBackend needs:
// - messages is keyed by its id WITHOUT ROWID: one b-tree instead of a table and its index.
//   There is no index by patient hash: no read uses one, and its random keys cost a page per
//   message. Search by patient adds it (CREATE INDEX IF NOT EXISTS) together with its read.
// - payloads stays a rowid table: its rows (about 1.3 KB of ciphertext) exceed what a WITHOUT
//   ROWID b-tree keeps on a 4 KB page (about 1 KB), so each would spill to an overflow page of
//   its own; measured, that wrote 29 KB of log per message instead of 23 KB.
// - audit is keyed by the engine's sequence: appends to one b-tree.
// - outbox: see below.
constexpr const char* kSchema[] = {
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",

    "CREATE TABLE IF NOT EXISTS messages ("
    " id TEXT NOT NULL PRIMARY KEY,"
    " received_at_ms INTEGER NOT NULL,"
    " source TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN ('accepted', 'rejected')),"
    " message_type TEXT NOT NULL,"
    " trigger_event TEXT NOT NULL,"
    " control_id TEXT NOT NULL,"
    " sending_application TEXT NOT NULL,"
    " sending_facility TEXT NOT NULL,"
    " patient_key_hash TEXT NOT NULL,"
    " error_detail TEXT NOT NULL) WITHOUT ROWID",

    "CREATE TABLE IF NOT EXISTS payloads ("
    " message_id TEXT NOT NULL REFERENCES messages (id),"
    " stage TEXT NOT NULL,"
    " destination TEXT NOT NULL,"
    " key_id TEXT NOT NULL,"
    " ciphertext BLOB NOT NULL,"
    " PRIMARY KEY (message_id, stage, destination))",

    // The sequence is the rowid, without AUTOINCREMENT (which updates sqlite_sequence, one more
    // page, in every transaction that queues a message). SQLite gives a new row the largest
    // rowid in the table plus one, read from the file, so a new row always sorts after every row
    // that exists, across restarts too: the order of arrival holds. What is given up is only
    // that a number is never handed out twice: once the row holding the largest sequence is
    // deleted, the next row gets that number again (still after every remaining row). Nothing
    // keeps outbox sequences outside this table (audit names message and destination), so that
    // is harmless; a future pruning that wants numbers never reused keeps the newest row.
    "CREATE TABLE IF NOT EXISTS outbox ("
    " sequence INTEGER PRIMARY KEY,"
    " message_id TEXT NOT NULL REFERENCES messages (id),"
    " destination TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),"
    " attempts INTEGER NOT NULL,"
    " next_attempt_ms INTEGER NOT NULL,"
    " last_error TEXT NOT NULL,"
    " UNIQUE (message_id, destination))",

    // Lists by state and destination in sequence order. Only rows still open are indexed:
    // delivered rows, the bulk of the table, leave it when they are delivered, so it stays small
    // and its pages stay in the cache. Listing delivered rows walks the table in sequence order
    // instead. Queries name the state as a literal so that SQLite sees they may use this index.
    "CREATE INDEX IF NOT EXISTS outbox_open ON outbox (state, destination, sequence)"
    " WHERE state = 'pending' OR state = 'dead'",

    // The engine assigns sequences (the audit chain covers them).
    "CREATE TABLE IF NOT EXISTS audit ("
    " sequence INTEGER NOT NULL PRIMARY KEY,"
    " time_ms INTEGER NOT NULL,"
    " message_id TEXT NOT NULL,"
    " route TEXT NOT NULL,"
    " destination TEXT NOT NULL,"
    " hop TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " outcome TEXT NOT NULL,"
    " detail TEXT NOT NULL,"
    " payload_sha256 TEXT NOT NULL,"
    " key_id TEXT NOT NULL,"
    " mac TEXT NOT NULL)",
};

}  // namespace

std::string configureConnection(soci::session& sql, ConnectionRole role) {
  // PRAGMAs that report their new value return a row; SOCI wants somewhere to put it.
  // The checkpointer must never wait: it may hold the store's write lock while it works.
  int busy_timeout = 0;
  int timeout_ms = role == ConnectionRole::Checkpointer ? 0 : kBusyTimeoutMs;
  sql << "PRAGMA busy_timeout = " + std::to_string(timeout_ms), soci::into(busy_timeout);
  // FULL: in WAL mode the log is synced at every commit, which is what an AA promises. On the
  // checkpointer it makes a checkpoint sync the database before the log may be reused.
  sql << "PRAGMA synchronous = FULL";
  // Sorts and temporary indices stay in memory, so no temporary file is ever written.
  sql << "PRAGMA temp_store = MEMORY";

  if (role == ConnectionRole::Reader) {
    sql << "PRAGMA query_only = ON";
    return {};
  }
  if (role == ConnectionRole::Checkpointer) {
    return {};
  }

  // Takes effect only while the file is still empty, so it comes before WAL creates page 1.
  sql << "PRAGMA page_size = " + std::to_string(kPageSize);
  sql << "PRAGMA foreign_keys = ON";
  long long size_limit = 0;
  sql << "PRAGMA journal_size_limit = " + std::to_string(kJournalSizeLimit), soci::into(size_limit);
  std::string mode;
  sql << "PRAGMA journal_mode = WAL", soci::into(mode);
  if (mode != "wal") {
    return "the database could not switch to WAL journal mode (is it on a network filesystem?)";
  }
  // Commits never copy the log into the database: the store's checkpointer thread does that,
  // so a commit costs its own pages and one sync, never a checkpoint's writes and syncs.
  int autocheckpoint = 0;
  sql << "PRAGMA wal_autocheckpoint = 0", soci::into(autocheckpoint);
  return {};
}

std::string ensureSchema(soci::session& sql, int version) {
  // IMMEDIATE: two processes opening a new file at once cannot both create the schema.
  sql << "BEGIN IMMEDIATE";
  try {
    for (const char* statement : kSchema) {
      sql << statement;
    }

    int rows = 0;
    int stored = 0;
    soci::indicator stored_indicator = soci::i_null;
    sql << "SELECT COUNT(*), MAX(version) FROM schema_version", soci::into(rows),
        soci::into(stored, stored_indicator);
    if (rows == 0) {
      sql << "INSERT INTO schema_version (version) VALUES (:version)", soci::use(version);
    } else if (stored_indicator != soci::i_ok || stored > version) {
      sql << "ROLLBACK";
      return "the database has schema version " + std::to_string(stored) +
             ", newer than this engine's " + std::to_string(version);
    }
    sql << "COMMIT";
  } catch (...) {
    try {
      sql << "ROLLBACK";
    } catch (...) {
      // The original error is the one worth reporting.
    }
    throw;
  }
  return {};
}

sqlite_api::sqlite3* nativeHandle(soci::session& sql) {
  return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

}  // namespace ferry::connectors::db
