#include "engine/io/directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>

namespace ferry::engine::io {

Result<std::unique_ptr<DirectoryLock>> DirectoryLock::acquire(const std::string& directory) {
  std::string path = directory + "/ferry.lock";
  FileDescriptor file(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (file.get() < 0) {
    return Status(ErrorCode::IoError,
                  "cannot open lock file '" + path + "': " + std::strerror(errno));
  }
  if (::flock(file.get(), LOCK_EX | LOCK_NB) != 0) {
    return Status(ErrorCode::IoError, "data directory '" + directory +
                                          "' is in use by another ferry process (" + path +
                                          " is locked)");
  }
  return std::make_unique<DirectoryLock>(std::move(file));
}

}  // namespace ferry::engine::io
