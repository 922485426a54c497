#pragma once

// Internal to connectors/db: the SQLite store's background checkpointer. It copies the
// write-ahead log back into the database file on a thread and connection of its own, so that
// no commit ever does (the writer's automatic checkpoint is off) and the log does not grow
// without bound.
//
// A round runs when commits have written SqliteStoreOptions::checkpoint_after_bytes of log
// since the last one (the writer's commit hook counts them and wakes the thread), or after
// checkpoint_interval if anything was written or the last round left work. A round:
// 1. copies the log into the database with PASSIVE checkpoints, which wait for nobody and hold
//    up no commit; each copies what was committed before it began, so passes repeat (a few at
//    most) until one began with few new frames and so left few behind;
// 2. takes the store's write mutex, so that no commit runs, and copies the rest (PASSIVE again,
//    or TRUNCATE when the log file has grown past wal_size_limit_bytes). The log is then fully
//    copied and the next commit starts it over from its beginning. apply() waits for this step
//    only: a few frames and one sync of the database file.
// The checkpointer's connection never waits for a lock (busy timeout 0): when a reader still
// uses part of the log, a step copies what it can or gives up until the next round.
//
// Durability is unchanged: a commit is durable once its log frames are synced; a checkpoint
// syncs the database file (synchronous = FULL) before the log may be reused.
//
// Thread-safety: construct, start and stop from one thread (the store's owner). onCommit runs on
// the writer's thread, under the store's write mutex; stats() is safe from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "connectors/db/sqlite_schema.h"
#include "connectors/db/sqlite_store.h"

namespace soci {
class session;
}

namespace ferry::connectors::db {

class SqliteCheckpointer {
 public:
  // Opens the checkpointer's own connection to `path` (throws what SOCI throws). `writer` is the
  // store's write connection and `write_mutex` the mutex apply() holds for a whole transaction;
  // both must outlive this object.
  SqliteCheckpointer(const std::string& path, sqlite_api::sqlite3* writer, std::mutex& write_mutex,
                     const SqliteStoreOptions& options);
  // Stops (see stop()).
  ~SqliteCheckpointer();
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // Installs the commit hook on the writer and starts the thread.
  void start();
  // Removes the commit hook, wakes the thread and joins it after its current checkpoint call.
  // Idempotent. Must not be called with the write mutex held.
  void stop();

  SqliteCheckpointStats stats() const;

 private:
  struct Progress {
    int result = 0;  // SQLite result code of the checkpoint
    int log = 0;     // frames in the log
    int copied = 0;  // frames of it now in the database
    int left() const { return log > copied ? log - copied : 0; }
  };

  // The writer's commit hook (sqlite3_wal_hook): `frames` is the log's length after the commit.
  static int onCommit(void* self, sqlite_api::sqlite3* db, const char* schema, int frames);
  void noteCommit(int frames);

  void run();
  // Runs one round; true when it left work for later (log not fully copied, or still too long).
  bool runRound();
  Progress checkpoint(int mode);
  std::uint64_t walFileBytes() const;
  void reportFailure(const Progress& progress);

  const std::string wal_path_;
  sqlite_api::sqlite3* const writer_;
  std::mutex& write_mutex_;
  const std::chrono::milliseconds interval_;
  const std::uint64_t wal_limit_bytes_;
  std::unique_ptr<soci::session> session_;
  sqlite_api::sqlite3* db_ = nullptr;  // session_'s handle
  std::int64_t round_frames_ = 0;      // frames that start a round
  std::int64_t catch_up_frames_ = 0;   // new frames that make an unlocked pass the last

  // Written by the writer's thread in the commit hook.
  int last_log_frames_ = 0;
  std::atomic<std::int64_t> frames_since_round_{0};
  std::atomic<bool> round_requested_{false};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool hooked_ = false;
  std::thread thread_;

  std::atomic<std::uint64_t> rounds_{0};
  std::atomic<std::uint64_t> truncations_{0};
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace ferry::connectors::db
