#pragma once

// Internal to connectors/db: connection set-up and schema of the SQLite store. Both throw what
// SOCI throws; SqliteStore turns that into a Status.

#include <string>

#include <soci/sqlite3/soci-sqlite3.h>

namespace soci {
class session;
}

namespace ferry::connectors::db {

// Writer: the one connection that writes (apply). Reader: the shared read connection.
// Checkpointer: the background thread's connection, which copies the log into the database.
enum class ConnectionRole { Writer, Reader, Checkpointer };

// Applies the per-connection settings: page size and WAL (writer only; both persist in the
// file), synchronous, temp_store, foreign_keys, busy timeout; the writer never checkpoints on
// its own, the reader is made query-only and the checkpointer never waits for a lock. Returns
// an empty string, or the rule a setting broke (e.g. WAL refused by the filesystem).
std::string configureConnection(soci::session& sql, ConnectionRole role);

// Creates whatever tables and indices are missing and records the schema version, in one
// transaction. Returns an empty string, or why the database cannot be used (a newer version).
std::string ensureSchema(soci::session& sql, int version);

// The SQLite handle under a session of SOCI's sqlite3 backend, for what SOCI does not offer
// (checkpoints, the commit hook). Owned by the session.
sqlite_api::sqlite3* nativeHandle(soci::session& sql);

}  // namespace ferry::connectors::db
