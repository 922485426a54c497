#pragma once

// File source: source connector type "file". Watches one folder (no subfolders) for files
// whose names match the configured patterns, hands each message in them to the engine's
// MessageSink and then moves the file to the done folder (or deletes it, delete_after) or, when
// the engine rejected a message or the file cannot be read as messages, to the error folder.
// Settings: file_source_config.h.
//
// How a file is read:
// - .hl7: cut into messages with hl7::splitMessages (several messages, FHS/BHS batches);
//   each message goes to submitHl7() as it goes on an MLLP wire (hl7::toWireFormat: segments
//   end with CR), or unchanged when it does not convert, so that the engine stores and rejects
//   it. A file with bytes outside any message, or with none, is not submitted at all.
// - .json: the whole file is one submitFhir() (no expected type, not the base endpoint).
// - .ndjson: each non-blank line is one submitFhir(); a trailing CR on a line is dropped.
// Messages are submitted in file order; files oldest modification time first, then by name.
//
// A half-written file is never read:
// - dotfiles and *.tmp, *.part, *.partial, *.filepart are skipped whatever the patterns say;
// - a file is read only when its device, inode, size and modification time were unchanged for
//   settle_ms across scans, and unchanged again while it is opened and read;
// - it is opened with O_NOFOLLOW, and anything but a regular file (symlink, FIFO, device,
//   folder) is skipped (a warning once per file);
// - when the kernel allows this process a read lease on the file (fcntl F_SETLEASE: it owns
//   the file or holds CAP_LEASE, and the file system supports leases), a file still open for
//   writing anywhere is skipped and its settle time restarts. The lease is dropped at once.
//   Without leases this check is skipped and the settle time alone decides.
//
// Outcome of a file:
// - Every message stored (SubmitResult::stored; accepted or rejected, the engine keeps both)
//   and all accepted: moved to done_directory, or deleted with delete_after.
// - Every message stored, one or more rejected; or the file could not be read as messages
//   (too large, no message, bytes outside messages): moved to error_directory, and
//   NAME.errors.txt written beside it listing each message's index, line, engine id, accepted
//   or rejected and the ACK code (HL7) or HTTP status (FHIR), or the file-level problem. It
//   never holds message content.
// - A message not stored (engine busy, storage error): the file stays where it is and the
//   scan ends there; the next scan resumes at that message. Messages already stored are not
//   submitted again: progress is kept in memory per file, keyed by device, inode, size and
//   modification time, and forgotten when the file changes or disappears.
// - Moves are renames (the folders must share the watched folder's file system, checked at
//   start()). A name already taken in the target gets a number before its extension
//   ("a.hl7" -> "a.1.hl7", "a.2.hl7", ...), so that a file moved back into the watched folder
//   still matches its pattern. Both folders are fsync'ed after a move so that it survives a
//   crash.
//
// Delivery is at least once, as with Mirth's file reader: progress lives in memory only, so a
// crash (or restart) after messages were stored but before the file was moved submits the
// whole file again.
//
// Logging: file names can carry PHI in some feeds (an MRN or a patient name in the name), so
// log lines name a file by its inode number, with counts and engine message ids, never by its
// name. Status texts from start() name the configured folders, which are not PHI.
//
// Thread-safety: start() and stop() are called by one owner thread. One polling thread scans;
// pollOnce() may also be called from another thread and is serialised with it. The sink is
// called from whichever thread scans, one message at a time.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "connectors/file/file_source_config.h"
#include "connectors/file/file_source_files.h"
#include "engine/pipeline/connector.h"

namespace ferry::connectors::file {

class FileSource final : public engine::pipeline::SourceConnector {
 public:
  // Keeps `sink` by reference: it must outlive the source. Touches no disk.
  FileSource(FileSourceConfig config, engine::pipeline::MessageSink& sink);
  // Stops if still running.
  ~FileSource() override;

  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  // Checks the watched folder (ConfigError when it is missing or not a folder, IoError when
  // this process cannot list it and rename files out of it), creates the done and error folders
  // (IoError when that fails; ConfigError when one is on another file system or is the watched
  // folder itself), then starts the polling thread, which scans at once and then every
  // poll_interval. Ok without doing anything when already running.
  engine::Status start() override;

  // Wakes the polling thread and joins it. A message already handed to the sink finishes; the
  // file it belongs to stays in place with its progress remembered. Idempotent.
  void stop() override;

  // One scan on the calling thread, as the polling thread does it (for tests and one-shot
  // runs); it need not be started. The done and error folders must exist (start() makes
  // them), or moves fail and are retried. After stop() it only observes files and reads none.
  void pollOnce();

  const FileSourceConfig& config() const { return config_; }

 private:
  using Signature = FileSignature;

  // A file as last seen by a scan, and since when it has looked like this.
  struct Observation {
    Signature signature;
    std::chrono::steady_clock::time_point since;
  };

  struct MessageOutcome {
    std::size_t line = 0;  // 1-based line the message starts on
    std::string message_id;
    bool accepted = false;
    std::string code;  // "ACK AA", "HTTP 422"
  };

  // What was done with one version of a file across scans.
  struct Progress {
    std::vector<MessageOutcome> outcomes;  // one per message stored so far, in file order
    bool busy_logged = false;              // "not stored, will retry" was logged
    bool failure_logged = false;           // a read or move failure was logged
  };

  enum class FileResult {
    Finished,     // moved or deleted
    Waiting,      // changed, still open for writing, or unreadable: looked at again later
    EngineBusy,   // a message was not stored: end this scan
    Interrupted,  // stop() was called between two messages
  };

  struct Loaded;

  void run() noexcept;
  std::chrono::steady_clock::time_point now() const;
  FileResult processFile(int dir_fd, const std::string& name, const Signature& signature);
  FileResult submitAll(const Loaded& loaded, const Signature& signature, Progress& progress);
  FileResult finish(int dir_fd, const std::string& name, const Signature& signature,
                    const std::vector<std::string>& problems, Progress& progress);

  const FileSourceConfig config_;
  engine::pipeline::MessageSink& sink_;

  // Guarded by scan_mutex_: what scans remember between them.
  std::mutex scan_mutex_;
  std::map<std::string, Observation> observations_;  // by file name
  std::map<Signature, Progress> progress_;
  std::set<std::string> refused_;  // non-regular entries already warned about
  bool directory_failure_logged_ = false;

  // Lifecycle of the polling thread.
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace ferry::connectors::file
