#include "connectors/file/file_source_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

#include <Poco/Logger.h>

#include "engine/io/file_descriptor.h"

namespace ferry::connectors::file {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::io::FileDescriptor;

namespace {

// Numbered names tried when a target name is taken ("a.1.hl7" ... ) before giving up.
constexpr int kMaxNameAttempts = 10000;

// Checks (and for done/error creates) the folders before the polling thread starts.
Status checkFolder(const std::string& key, const std::string& folder, const struct stat& watched,
                   struct stat& found) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    return Status(ErrorCode::IoError,
                  "cannot create " + key + " '" + folder + "': " + error.message());
  }
  if (::stat(folder.c_str(), &found) != 0) {
    return ioError("cannot examine " + key, folder, errno);
  }
  if (!S_ISDIR(found.st_mode)) {
    return Status(ErrorCode::ConfigError, key + " '" + folder + "' is not a directory");
  }
  if (found.st_dev != watched.st_dev) {
    return Status(ErrorCode::ConfigError,
                  key + " '" + folder +
                      "' is on another file system than the watched directory; files are "
                      "moved by rename, which cannot cross file systems");
  }
  if (found.st_ino == watched.st_ino) {
    return Status(ErrorCode::ConfigError, key + " '" + folder + "' is the watched directory");
  }
  if (::faccessat(AT_FDCWD, folder.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
    return ioError(key + " is not writable by this process:", folder, errno);
  }
  return Status::ok();
}

// True when the file is open for writing anywhere, as far as a read lease tells (fcntl(2),
// "Leases"): taking one fails with EAGAIN exactly then. Without the right to a lease (not the
// owner, no CAP_LEASE) or on file systems without leases the answer is false and the settle
// time alone decides. The lease is dropped at once: while held, a writer's open() waits for
// us and the kernel signals this process. F_SETSIG picks SIGURG for that signal, whose default
// action is to ignore it; the default, SIGIO, would end the process.
bool heldOpenForWriting(int fd) {
  if (::fcntl(fd, F_SETSIG, SIGURG) != 0) {
    return false;
  }
  if (::fcntl(fd, F_SETLEASE, F_RDLCK) != 0) {
    return errno == EAGAIN;
  }
  ::fcntl(fd, F_SETLEASE, F_UNLCK);
  return false;
}

// "a.hl7" -> "a.<number>.hl7"; a name without extension gets ".<number>" at the end.
std::string numberedName(const std::string& name, int number) {
  std::size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) {
    return name + "." + std::to_string(number);
  }
  return name.substr(0, dot) + "." + std::to_string(number) + name.substr(dot);
}

}  // namespace

void logSafely(Poco::Message::Priority priority, const std::string& text) noexcept {
  try {
    Poco::Logger::get("connectors.file").log(Poco::Message("connectors.file", text, priority));
  } catch (...) {
  }
}

std::string describe(const FileSourceConfig& config) { return "file source '" + config.name + "'"; }

std::string inodeLabel(ino_t inode) { return "file inode " + std::to_string(inode); }

void syncDirectory(int dir_fd, const std::string& what, const FileSourceConfig& config) {
  if (::fsync(dir_fd) != 0) {
    logSafely(Poco::Message::PRIO_WARNING,
              describe(config) + ": cannot sync " + what + ": " + std::strerror(errno));
  }
}

Status ioError(const std::string& what, const std::string& path, int error) {
  return Status(ErrorCode::IoError, what + " '" + path + "': " + std::strerror(error));
}

Status prepareFolders(const FileSourceConfig& config) {
  const std::string& watched_path = config.directory;
  struct stat watched {};
  if (::stat(watched_path.c_str(), &watched) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status(ErrorCode::ConfigError,
                    "watched directory '" + watched_path + "' does not exist");
    }
    return ioError("cannot examine watched directory", watched_path, errno);
  }
  if (!S_ISDIR(watched.st_mode)) {
    return Status(ErrorCode::ConfigError,
                  "watched directory '" + watched_path + "' is not a directory");
  }
  FileDescriptor probe(::open(watched_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (probe.get() < 0) {
    return ioError("cannot read watched directory", watched_path, errno);
  }
  if (::faccessat(AT_FDCWD, watched_path.c_str(), R_OK | W_OK | X_OK, AT_EACCESS) != 0) {
    return ioError("watched directory must be readable and writable (files are moved out):",
                   watched_path, errno);
  }

  struct stat done {};
  if (!config.delete_after) {
    Status checked = checkFolder("done_directory", config.done_directory, watched, done);
    if (!checked.isOk()) {
      return checked;
    }
  }
  struct stat failed {};
  Status checked = checkFolder("error_directory", config.error_directory, watched, failed);
  if (!checked.isOk()) {
    return checked;
  }
  if (!config.delete_after && done.st_ino == failed.st_ino) {
    return Status(ErrorCode::ConfigError, "done_directory and error_directory are one folder");
  }
  return Status::ok();
}

FileSignature signatureOf(const struct stat& info) {
  FileSignature signature;
  signature.device = info.st_dev;
  signature.inode = info.st_ino;
  signature.size = info.st_size;
  signature.mtime_ns =
      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  return signature;
}

ReadResult readSettled(int dir_fd, const std::string& name, const FileSignature& expected) {
  ReadResult result;
  FileDescriptor file(
      ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (file.get() < 0) {
    // Gone, or replaced by a symlink since the scan looked at it; or another process holds a
    // write lease on it (O_NONBLOCK makes that EWOULDBLOCK instead of a wait).
    if (errno == ENOENT || errno == ELOOP) {
      return {ReadStatus::Changed, "", errno};
    }
    return {errno == EWOULDBLOCK ? ReadStatus::Busy : ReadStatus::Failed, "", errno};
  }
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) {
    return {ReadStatus::Failed, "", errno};
  }
  if (!S_ISREG(info.st_mode) || !(signatureOf(info) == expected)) {
    return {ReadStatus::Changed, "", 0};
  }
  if (heldOpenForWriting(file.get())) {
    return {ReadStatus::Busy, "", 0};
  }

  result.bytes.resize(static_cast<std::size_t>(expected.size) + 1);
  std::size_t filled = 0;
  while (filled < result.bytes.size()) {
    ssize_t got = ::read(file.get(), result.bytes.data() + filled, result.bytes.size() - filled);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return {ReadStatus::Failed, "", errno};
    }
    if (got == 0) {
      break;
    }
    filled += static_cast<std::size_t>(got);
  }
  // One byte more than the size was asked for, to see a file that grew.
  if (filled != static_cast<std::size_t>(expected.size) || ::fstat(file.get(), &info) != 0 ||
      !(signatureOf(info) == expected)) {
    return {ReadStatus::Changed, "", 0};
  }
  result.bytes.resize(filled);
  result.status = ReadStatus::Ok;
  return result;
}

Result<std::string> moveInto(int from_fd, const std::string& name, ino_t inode,
                             const std::string& folder, const FileSourceConfig& config) {
  FileDescriptor to(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (to.get() < 0) {
    return ioError("cannot open folder", folder, errno);
  }
  for (int attempt = 0; attempt < kMaxNameAttempts; ++attempt) {
    std::string candidate = attempt == 0 ? name : numberedName(name, attempt);
    int renamed = ::renameat2(from_fd, name.c_str(), to.get(), candidate.c_str(), RENAME_NOREPLACE);
    if (renamed != 0 && (errno == EINVAL || errno == ENOSYS)) {
      // A file system without RENAME_NOREPLACE: look, then rename. Only this source writes
      // into the folder, so nothing should slip in between.
      struct stat existing {};
      if (::fstatat(to.get(), candidate.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0) {
        errno = EEXIST;
      } else if (errno == ENOENT) {
        renamed = ::renameat(from_fd, name.c_str(), to.get(), candidate.c_str());
      }
    }
    if (renamed == 0) {
      syncDirectory(to.get(), "folder '" + folder + "'", config);
      syncDirectory(from_fd, "watched directory", config);
      return candidate;
    }
    if (errno != EEXIST) {
      return ioError("cannot move " + inodeLabel(inode) + " into", folder, errno);
    }
  }
  return Status(ErrorCode::IoError, "cannot move " + inodeLabel(inode) + " into '" + folder +
                                        "': every numbered name is taken");
}

Status writeReport(const std::string& folder, const std::string& name, const std::string& text) {
  FileDescriptor dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    return ioError("cannot open folder", folder, errno);
  }
  std::string temp_name = "." + name + ".tmp";
  FileDescriptor file(::openat(dir.get(), temp_name.c_str(),
                               O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640));
  if (file.get() < 0) {
    return ioError("cannot create an error report in", folder, errno);
  }
  std::string_view rest = text;
  while (!rest.empty()) {
    ssize_t written = ::write(file.get(), rest.data(), rest.size());
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written < 0) {
      Status failure = ioError("cannot write an error report in", folder, errno);
      ::unlinkat(dir.get(), temp_name.c_str(), 0);
      return failure;
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  if (::fsync(file.get()) != 0 || !file.close() ||
      ::renameat(dir.get(), temp_name.c_str(), dir.get(), name.c_str()) != 0) {
    Status failure = ioError("cannot complete an error report in", folder, errno);
    ::unlinkat(dir.get(), temp_name.c_str(), 0);
    return failure;
  }
  if (::fsync(dir.get()) != 0) {
    return ioError("cannot sync folder", folder, errno);
  }
  return Status::ok();
}

}  // namespace ferry::connectors::file
