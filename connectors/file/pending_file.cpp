#include "connectors/file/pending_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace ferry::connectors::file {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::io::FileDescriptor;

namespace {

constexpr mode_t kFileMode = 0640;

Status ioError(const std::string& what, const std::string& path) {
  return Status(ErrorCode::IoError, what + " '" + path + "': " + std::strerror(errno));
}

// An unnamed file is linked through its /proc/self/fd entry, which needs no privilege.
std::string procPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

bool unnamedFilesLinkable() {
  static const bool linkable = ::access("/proc/self/fd", X_OK) == 0;
  return linkable;
}

}  // namespace

PendingFile::PendingFile(FileDescriptor file, std::string final_path, std::string temp_path)
    : file_(std::move(file)),
      final_path_(std::move(final_path)),
      temp_path_(std::move(temp_path)) {}

PendingFile::PendingFile(PendingFile&& other) noexcept
    : file_(std::move(other.file_)),
      final_path_(std::move(other.final_path_)),
      temp_path_(std::move(other.temp_path_)),
      published_(std::exchange(other.published_, true)) {}

PendingFile::~PendingFile() {
  if (!published_ && !temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
  }
}

Result<PendingFile> PendingFile::create(const std::string& directory, const std::string& name,
                                        bool& try_unnamed) {
  std::string final_path = directory + "/" + name;
  if (try_unnamed && unnamedFilesLinkable()) {
    FileDescriptor unnamed(::open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, kFileMode));
    if (unnamed.get() >= 0) {
      return PendingFile(std::move(unnamed), std::move(final_path), "");
    }
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      return ioError("cannot create a file in", directory);
    }
  }
  try_unnamed = false;  // this file system has no unnamed files
  std::string temp_path = directory + "/." + name + ".tmp";
  FileDescriptor named(
      ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kFileMode));
  if (named.get() < 0) {
    return ioError("cannot create", temp_path);
  }
  return PendingFile(std::move(named), std::move(final_path), std::move(temp_path));
}

Status PendingFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t written = ::write(file_.get(), bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return ioError("cannot write", temp_path_.empty() ? final_path_ : temp_path_);
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return Status::ok();
}

Status PendingFile::sync() {
  if (::fsync(file_.get()) != 0) {
    return ioError("cannot sync", temp_path_.empty() ? final_path_ : temp_path_);
  }
  return Status::ok();
}

Status PendingFile::publish() {
  if (temp_path_.empty()) {
    if (::linkat(AT_FDCWD, procPath(file_.get()).c_str(), AT_FDCWD, final_path_.c_str(),
                 AT_SYMLINK_FOLLOW) == 0) {
      published_ = true;
      return Status::ok();
    }
    if (errno != EEXIST) {
      return ioError("cannot link into", final_path_);
    }
    // Delivered before: give it a temporary name, then rename it over the old file, which
    // replaces it in one step.
    std::string temp_path = final_path_;
    temp_path.insert(temp_path.rfind('/') + 1, ".");
    temp_path += ".tmp";
    ::unlink(temp_path.c_str());
    if (::linkat(AT_FDCWD, procPath(file_.get()).c_str(), AT_FDCWD, temp_path.c_str(),
                 AT_SYMLINK_FOLLOW) != 0) {
      return ioError("cannot link into", temp_path);
    }
    temp_path_ = std::move(temp_path);
  }
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    return ioError("cannot rename into", final_path_);
  }
  published_ = true;
  return Status::ok();
}

}  // namespace ferry::connectors::file
