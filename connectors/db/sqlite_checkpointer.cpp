#include "connectors/db/sqlite_checkpointer.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <Poco/Logger.h>
#include <soci/soci.h>

namespace ferry::connectors::db {
namespace {

// Unlocked passes a round makes at most before its locked step.
constexpr int kMaxPassivePasses = 4;
// An unlocked pass that starts with at most this much newly committed log is the last one: it
// is short, so little is committed during it and left for the locked step.
constexpr std::int64_t kCatchUpBytes = 256 * 1024;

Poco::Logger& logger() { return Poco::Logger::get("connectors.db"); }

}  // namespace

SqliteCheckpointer::SqliteCheckpointer(const std::string& path, sqlite_api::sqlite3* writer,
                                       std::mutex& write_mutex, const SqliteStoreOptions& options)
    : wal_path_(path + "-wal"),
      writer_(writer),
      write_mutex_(write_mutex),
      interval_(options.checkpoint_interval),
      wal_limit_bytes_(options.wal_size_limit_bytes),
      session_(std::make_unique<soci::session>(soci::sqlite3, path)) {
  configureConnection(*session_, ConnectionRole::Checkpointer);
  db_ = nativeHandle(*session_);
  int page_size = 0;
  *session_ << "PRAGMA page_size", soci::into(page_size);
  std::int64_t page = std::max(page_size, 512);
  round_frames_ =
      std::max<std::int64_t>(1, static_cast<std::int64_t>(options.checkpoint_after_bytes) / page);
  catch_up_frames_ = std::max<std::int64_t>(16, kCatchUpBytes / page);
}

SqliteCheckpointer::~SqliteCheckpointer() { stop(); }

void SqliteCheckpointer::start() {
  {
    // Under the write mutex: no commit is running, so none calls a half-installed hook.
    std::lock_guard lock(write_mutex_);
    // Replaces SQLite's own automatic checkpoint, which is this same hook (and is off anyway).
    sqlite_api::sqlite3_wal_hook(writer_, &SqliteCheckpointer::onCommit, this);
    hooked_ = true;
  }
  thread_ = std::thread([this] { run(); });
}

void SqliteCheckpointer::stop() {
  {
    std::lock_guard lock(write_mutex_);
    if (hooked_) {
      sqlite_api::sqlite3_wal_hook(writer_, nullptr, nullptr);
      hooked_ = false;
    }
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

SqliteCheckpointStats SqliteCheckpointer::stats() const {
  return {rounds_.load(), truncations_.load(), failures_.load()};
}

int SqliteCheckpointer::onCommit(void* self, sqlite_api::sqlite3* /*db*/, const char* /*schema*/,
                                 int frames) {
  static_cast<SqliteCheckpointer*>(self)->noteCommit(frames);
  return SQLITE_OK;
}

void SqliteCheckpointer::noteCommit(int frames) {
  // The log's length drops when the commit started it over; all its frames are then new.
  int added = frames >= last_log_frames_ ? frames - last_log_frames_ : frames;
  last_log_frames_ = frames;
  std::int64_t written = frames_since_round_.fetch_add(added) + added;
  if (written >= round_frames_ && !round_requested_.exchange(true)) {
    // Taking the mutex orders this after the thread's check of the flag, or before it: the
    // thread cannot miss the notification between checking and sleeping.
    { std::lock_guard lock(mutex_); }
    wake_.notify_one();
  }
}

void SqliteCheckpointer::run() {
  try {
    bool unfinished = false;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, interval_, [this] { return stopping_ || round_requested_.load(); });
      if (stopping_) {
        break;
      }
      bool requested = round_requested_.exchange(false);
      bool written = frames_since_round_.exchange(0) > 0;
      if (!requested && !written && !unfinished) {
        continue;
      }
      lock.unlock();
      unfinished = runRound();
      ++rounds_;
      lock.lock();
    }
  } catch (...) {
    // Nothing here is expected to throw; should it, commits go on and the log grows until the
    // store is reopened, which someone must know.
    ++failures_;
    logger().error(
        "sqlite store: the checkpointer stopped on an unexpected error; the log now "
        "grows until the store is reopened");
  }
}

bool SqliteCheckpointer::runRound() {
  // A pass copies what was committed before it started, while commits go on. Passes repeat
  // until one started with few new frames: it was short, so few frames are left after it.
  Progress progress = checkpoint(SQLITE_CHECKPOINT_PASSIVE);
  for (int pass = 1;
       pass < kMaxPassivePasses && progress.result == SQLITE_OK && progress.left() == 0; ++pass) {
    Progress next = checkpoint(SQLITE_CHECKPOINT_PASSIVE);
    // A shorter log: the writer started it over, which it does only when all was copied.
    bool few_new = next.log < progress.log || next.log - progress.log <= catch_up_frames_;
    progress = next;
    if (few_new) {
      break;
    }
  }
  if (progress.result != SQLITE_OK) {
    reportFailure(progress);
    return true;
  }

  if (progress.log == 0) {
    return false;  // the log was just started over: nothing to copy
  }
  if (progress.left() > 0) {
    return true;  // a reader still needs part of the log; copying it under the lock would wait
  }

  // Commits went on during the unlocked passes (their frames are not in `progress`). The next
  // commit starts the log over only if it finds every frame copied, so the last few frames are
  // copied while no commit runs.
  bool too_long = walFileBytes() > wal_limit_bytes_;

  int mode = too_long ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE;
  {
    std::lock_guard lock(write_mutex_);
    progress = checkpoint(mode);
  }
  if (progress.result != SQLITE_OK) {
    reportFailure(progress);
    return true;
  }
  if (mode == SQLITE_CHECKPOINT_TRUNCATE) {
    ++truncations_;
  }
  return progress.left() > 0;
}

SqliteCheckpointer::Progress SqliteCheckpointer::checkpoint(int mode) {
  Progress progress;
  progress.result =
      sqlite_api::sqlite3_wal_checkpoint_v2(db_, "main", mode, &progress.log, &progress.copied);
  return progress;
}

std::uint64_t SqliteCheckpointer::walFileBytes() const {
  std::error_code error;
  auto size = std::filesystem::file_size(wal_path_, error);
  return error ? 0 : size;
}

void SqliteCheckpointer::reportFailure(const Progress& progress) {
  // BUSY: a reader or another process's checkpoint is in the way, which the next round outlasts.
  if ((progress.result & 0xff) == SQLITE_BUSY) {
    return;
  }
  std::uint64_t count = ++failures_;
  // One line for the 1st, 2nd, 4th, 8th ... failure: a broken disk does not flood the log.
  if ((count & (count - 1)) == 0) {
    logger().warning("sqlite store: background checkpoint failed (sqlite " +
                     std::to_string(progress.result) + ": " +
                     sqlite_api::sqlite3_errstr(progress.result) + "), " + std::to_string(count) +
                     " time(s) so far; the next round retries");
  }
}

}  // namespace ferry::connectors::db
