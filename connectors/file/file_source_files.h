#pragma once

// Internal to the file source (file_source.h): what it does to files and folders. Checking the
// folders at start, reading a file only while it stays the version a scan saw, moving it under
// a free name, and writing an error report, each synced so that it survives a crash; and the
// log helpers both halves share. Every function returns what went wrong as a Status naming the
// folder, never a file's name (names may carry PHI; files are named by inode).

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <tuple>

#include <Poco/Message.h>

#include "connectors/file/file_source_config.h"
#include "engine/status.h"

namespace ferry::connectors::file {

// What identifies one version of a file: unchanged signature means unchanged file.
struct FileSignature {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  std::int64_t mtime_ns = 0;
  auto key() const { return std::tie(device, inode, size, mtime_ns); }
  bool operator==(const FileSignature& other) const { return key() == other.key(); }
  bool operator<(const FileSignature& other) const { return key() < other.key(); }
};

FileSignature signatureOf(const struct stat& info);

// Logging that never throws (it is used inside catch-alls), on logger "connectors.file".
void logSafely(Poco::Message::Priority priority, const std::string& text) noexcept;
// "file source 'NAME'", for log lines and errors.
std::string describe(const FileSourceConfig& config);
// "file inode N": how a file is named in logs and errors.
std::string inodeLabel(ino_t inode);

engine::Status ioError(const std::string& what, const std::string& path, int error);

// fsync of a folder after a file moved in or out of it; a failure is logged as a warning (the
// move itself happened).
void syncDirectory(int dir_fd, const std::string& what, const FileSourceConfig& config);

// Checks the watched folder and creates the done and error folders, which must be on the
// watched folder's file system (files move by rename), writable, and distinct.
engine::Status prepareFolders(const FileSourceConfig& config);

enum class ReadStatus { Ok, Changed, Busy, Failed };

struct ReadResult {
  ReadStatus status = ReadStatus::Failed;
  std::string bytes;
  int error = 0;  // errno for Failed (and some Changed)
};

// Reads the file whole when it is still the regular file `expected` describes, before and
// after reading, and nobody holds it open for writing (see file_source.h on leases).
ReadResult readSettled(int dir_fd, const std::string& name, const FileSignature& expected);

// Renames `name` from the folder `from_fd` into `folder` under the first free name: `name`,
// then numbered ones ("a.hl7" -> "a.1.hl7"). Never replaces a file. Returns the name given.
engine::Result<std::string> moveInto(int from_fd, const std::string& name, ino_t inode,
                                     const std::string& folder, const FileSourceConfig& config);

// Writes `text` to `folder`/`name` atomically: temporary file, fsync, rename, fsync folder.
engine::Status writeReport(const std::string& folder, const std::string& name,
                           const std::string& text);

}  // namespace ferry::connectors::file
