#pragma once

// Internal to connectors/db: connection set-up and schema of the SQLite store. Both throw what
// SOCI throws; SqliteStore turns that into a Status.

#include <string>

namespace soci {
class session;
}

namespace ferry::connectors::db {

enum class ConnectionRole { Writer, Reader };

// Applies the per-connection settings: WAL (writer only; it persists in the file), synchronous,
// temp_store, foreign_keys, busy timeout; the reader is also made query-only. Returns an empty
// string, or the rule a setting broke (e.g. WAL refused by the filesystem).
std::string configureConnection(soci::session& sql, ConnectionRole role);

// Creates whatever tables and indices are missing and records the schema version, in one
// transaction. Returns an empty string, or why the database cannot be used (a newer version).
std::string ensureSchema(soci::session& sql, int version);

}  // namespace ferry::connectors::db
