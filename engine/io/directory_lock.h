#pragma once

// The lock that lets one process at a time own a data directory: an exclusive flock on
// <directory>/ferry.lock, held as long as the object lives. The kernel drops it when the
// process ends, even on kill -9, so a crashed engine never leaves a stale lock behind.

#include <memory>
#include <string>

#include "engine/io/file_descriptor.h"
#include "engine/status.h"

namespace ferry::engine::io {

class DirectoryLock {
 public:
  // Takes the lock without waiting. IoError naming the directory when another process holds
  // it, or when the lock file cannot be opened.
  static Result<std::unique_ptr<DirectoryLock>> acquire(const std::string& directory);

  explicit DirectoryLock(FileDescriptor file) : file_(std::move(file)) {}

 private:
  FileDescriptor file_;
};

}  // namespace ferry::engine::io
