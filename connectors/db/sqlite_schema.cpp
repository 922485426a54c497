#include "connectors/db/sqlite_schema.h"

#include <soci/soci.h>

namespace ferry::connectors::db {
namespace {

// How long a connection waits for a lock held by another connection before giving up.
constexpr int kBusyTimeoutMs = 5000;
// Bounds the -wal file left behind after a checkpoint (bytes).
constexpr long long kJournalSizeLimit = 64LL * 1024 * 1024;

// Every column NOT NULL: absent text is stored as '', so reads need no indicators. States are
// stored by name (records.h) for readability with the sqlite3 shell.
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
    " error_detail TEXT NOT NULL)",

    // Search by patient: only rows that have a hash take space in the index.
    "CREATE INDEX IF NOT EXISTS messages_by_patient ON messages (patient_key_hash)"
    " WHERE patient_key_hash <> ''",

    // A rowid table (not WITHOUT ROWID): its rows are large blobs.
    "CREATE TABLE IF NOT EXISTS payloads ("
    " message_id TEXT NOT NULL REFERENCES messages (id),"
    " stage TEXT NOT NULL,"
    " destination TEXT NOT NULL,"
    " key_id TEXT NOT NULL,"
    " ciphertext BLOB NOT NULL,"
    " PRIMARY KEY (message_id, stage, destination))",

    // AUTOINCREMENT: a sequence is never reused, even after the newest rows are pruned, so the
    // order of arrival stays total across the life of the database.
    "CREATE TABLE IF NOT EXISTS outbox ("
    " sequence INTEGER PRIMARY KEY AUTOINCREMENT,"
    " message_id TEXT NOT NULL REFERENCES messages (id),"
    " destination TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),"
    " attempts INTEGER NOT NULL,"
    " next_attempt_ms INTEGER NOT NULL,"
    " last_error TEXT NOT NULL,"
    " UNIQUE (message_id, destination))",

    "CREATE INDEX IF NOT EXISTS outbox_by_destination ON outbox (destination, state, sequence)",

    // The engine assigns sequences (the audit chain covers them); no AUTOINCREMENT.
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
  int busy_timeout = 0;
  sql << "PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs), soci::into(busy_timeout);
  // FULL: in WAL mode the log is synced at every commit, which is what an AA promises.
  sql << "PRAGMA synchronous = FULL";
  // Sorts and temporary indices stay in memory, so no temporary file is ever written.
  sql << "PRAGMA temp_store = MEMORY";

  if (role == ConnectionRole::Reader) {
    sql << "PRAGMA query_only = ON";
    return {};
  }

  sql << "PRAGMA foreign_keys = ON";
  long long size_limit = 0;
  sql << "PRAGMA journal_size_limit = " + std::to_string(kJournalSizeLimit), soci::into(size_limit);
  std::string mode;
  sql << "PRAGMA journal_mode = WAL", soci::into(mode);
  if (mode != "wal") {
    return "the database could not switch to WAL journal mode (is it on a network filesystem?)";
  }
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

}  // namespace ferry::connectors::db
