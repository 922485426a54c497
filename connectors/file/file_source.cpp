#include "connectors/file/file_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>
#include <typeinfo>
#include <utility>

#include <Poco/Logger.h>
#include <Poco/Message.h>

#include "engine/hl7/message.h"
#include "engine/hl7/message_splitter.h"
#include "engine/io/file_descriptor.h"
#include "engine/log_safe.h"
#include "engine/pipeline/registry.h"

namespace ferry::connectors::file {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::io::FileDescriptor;
using engine::pipeline::FhirSubmitOptions;
using engine::pipeline::InboundContext;
using engine::pipeline::SubmitResult;

namespace {

// Numbered names tried when a target name is taken ("a.1.hl7" ... ) before giving up.
constexpr int kMaxNameAttempts = 10000;
// Message ids listed in a file's summary log line; the rest are at debug level.
constexpr std::size_t kIdsPerLogLine = 10;
// A scan that keeps throwing is logged on its first failure and then every this many.
constexpr std::uint64_t kFailureLogEvery = 60;

Poco::Logger& logger() { return Poco::Logger::get("connectors.file"); }

// Logging must not throw out of a catch-all.
void logSafely(Poco::Message::Priority priority, const std::string& text) noexcept {
  try {
    logger().log(Poco::Message("connectors.file", text, priority));
  } catch (...) {
  }
}

std::string describe(const FileSourceConfig& config) { return "file source '" + config.name + "'"; }

std::string inodeLabel(ino_t inode) { return "file inode " + std::to_string(inode); }

Status ioError(const std::string& what, const std::string& path, int error) {
  return Status(ErrorCode::IoError, what + " '" + path + "': " + std::strerror(error));
}

void syncDirectory(int dir_fd, const std::string& what, const FileSourceConfig& config) {
  if (::fsync(dir_fd) != 0) {
    logSafely(Poco::Message::PRIO_WARNING,
              describe(config) + ": cannot sync " + what + ": " + std::strerror(errno));
  }
}

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

enum class ReadStatus { Ok, Changed, Busy, Failed };

struct ReadResult {
  ReadStatus status = ReadStatus::Failed;
  std::string bytes;
  int error = 0;
};

template <typename Signature>
Signature signatureOf(const struct stat& info) {
  Signature signature;
  signature.device = info.st_dev;
  signature.inode = info.st_ino;
  signature.size = info.st_size;
  signature.mtime_ns =
      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  return signature;
}

// Reads the file whole when it is still the regular file `expected` describes, before and
// after reading, and nobody holds it open for writing.
template <typename Signature>
ReadResult readSettled(int dir_fd, const std::string& name, const Signature& expected) {
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
  if (!S_ISREG(info.st_mode) || !(signatureOf<Signature>(info) == expected)) {
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
      !(signatureOf<Signature>(info) == expected)) {
    return {ReadStatus::Changed, "", 0};
  }
  result.bytes.resize(filled);
  result.status = ReadStatus::Ok;
  return result;
}

// "a.hl7" -> "a.<number>.hl7"; a name without extension gets ".<number>" at the end.
std::string numberedName(const std::string& name, int number) {
  std::size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) {
    return name + "." + std::to_string(number);
  }
  return name.substr(0, dot) + "." + std::to_string(number) + name.substr(dot);
}

// Renames `name` from the folder `from_fd` into `folder` under the first free name: `name`,
// then numbered ones. Never replaces a file. Returns the name given.
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

// Writes `text` to `folder`/`name` atomically: temporary file, fsync, rename, fsync folder.
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

bool isBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// "ACK AA" from an HL7 acknowledgment, "HTTP 422" for FHIR.
std::string outcomeCode(FileKind kind, const SubmitResult& result) {
  if (kind != FileKind::Hl7) {
    return "HTTP " + std::to_string(result.http_status);
  }
  auto ack = engine::hl7::Message::parse(result.response);
  if (ack.isOk()) {
    auto code = ack.value().get("MSA-1");
    if (code.isOk() && code.value().has_value() && !code.value()->empty()) {
      return "ACK " + engine::logSafe(*code.value(), 8);
    }
  }
  return "ACK none";
}

}  // namespace

// A file read whole, cut into the messages it is submitted as. `units` point into `bytes`, so
// a Loaded is filled in place and never moved.
struct FileSource::Loaded {
  struct Unit {
    std::string_view bytes;
    std::size_t line = 1;
  };

  FileKind kind = FileKind::Hl7;
  std::string bytes;
  std::vector<Unit> units;
  std::vector<std::string> problems;  // when not empty, nothing is submitted
  std::size_t warnings = 0;

  void cut() {
    if (kind == FileKind::Hl7) {
      engine::hl7::SplitResult split = engine::hl7::splitMessages(bytes);
      for (const engine::hl7::SplitIssue& issue : split.issues) {
        if (issue.severity == engine::hl7::SplitSeverity::Error) {
          problems.push_back("line " + std::to_string(issue.line) + ": " + issue.text);
        } else {
          ++warnings;
        }
      }
      for (const engine::hl7::FilePart& part : split.parts) {
        if (part.kind == engine::hl7::FilePartKind::Message) {
          units.push_back({part.bytes, part.line});
        }
      }
    } else if (kind == FileKind::Json) {
      if (!isBlank(bytes)) {
        units.push_back({bytes, 1});
      }
    } else {
      std::string_view rest = bytes;
      for (std::size_t line = 1; !rest.empty(); ++line) {
        std::size_t end = rest.find('\n');
        std::string_view text = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
        if (!text.empty() && text.back() == '\r') {
          text.remove_suffix(1);
        }
        if (!isBlank(text)) {
          units.push_back({text, line});
        }
      }
    }
    if (units.empty() && problems.empty()) {
      problems.push_back(kind == FileKind::Hl7 ? "the file holds no HL7 message"
                                               : "the file holds no FHIR JSON");
    }
  }
};

FileSource::FileSource(FileSourceConfig config, engine::pipeline::MessageSink& sink)
    : config_(std::move(config)), sink_(sink) {}

FileSource::~FileSource() { stop(); }

Status FileSource::start() {
  if (thread_.joinable()) {
    return Status::ok();
  }
  Status prepared = prepareFolders(config_);
  if (!prepared.isOk()) {
    return prepared;
  }
  stopping_.store(false);
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error& error) {
    return Status(ErrorCode::Internal,
                  describe(config_) + ": cannot start the polling thread: " + error.what());
  }
  logSafely(Poco::Message::PRIO_INFORMATION,
            describe(config_) + " watching '" + config_.directory + "' every " +
                std::to_string(config_.poll_interval.count()) + " ms, settle " +
                std::to_string(config_.settle.count()) + " ms");
  return Status::ok();
}

void FileSource::stop() {
  std::thread thread;
  {
    std::lock_guard lock(wake_mutex_);
    stopping_.store(true);
    thread = std::move(thread_);
  }
  wake_.notify_all();
  if (thread.joinable()) {
    thread.join();
    logSafely(Poco::Message::PRIO_INFORMATION, describe(config_) + " stopped");
  }
}

void FileSource::run() noexcept {
  std::uint64_t failures_in_a_row = 0;
  while (!stopping_.load()) {
    try {
      pollOnce();
      failures_in_a_row = 0;
    } catch (const std::exception& error) {
      // The text of an exception may quote a file name: only its type is logged.
      if (failures_in_a_row++ % kFailureLogEvery == 0) {
        logSafely(Poco::Message::PRIO_ERROR, describe(config_) + ": scan failed with " +
                                                 typeid(error).name() + "; retrying next poll");
      }
    } catch (...) {
      if (failures_in_a_row++ % kFailureLogEvery == 0) {
        logSafely(Poco::Message::PRIO_ERROR,
                  describe(config_) + ": scan failed with an unknown exception; retrying");
      }
    }
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, config_.poll_interval, [this] { return stopping_.load(); });
  }
}

std::chrono::steady_clock::time_point FileSource::now() const {
  return config_.clock ? config_.clock() : std::chrono::steady_clock::now();
}

void FileSource::pollOnce() {
  std::lock_guard lock(scan_mutex_);
  auto scan_time = now();
  FileDescriptor dir(::open(config_.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    if (!std::exchange(directory_failure_logged_, true)) {
      logSafely(Poco::Message::PRIO_ERROR,
                describe(config_) + ": " +
                    ioError("cannot open watched directory", config_.directory, errno).context());
    }
    return;
  }
  directory_failure_logged_ = false;

  // A second descriptor, owned by the stream, so that `dir` stays usable for openat().
  std::unique_ptr<DIR, int (*)(DIR*)> stream(
      ::fdopendir(::openat(dir.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)), &::closedir);
  if (!stream) {
    return;
  }
  std::map<std::string, Observation> seen;
  std::set<Signature> live;
  std::set<std::string> refused;
  std::vector<std::pair<std::string, Signature>> ready;
  while (const dirent* entry = ::readdir(stream.get())) {
    std::string name = entry->d_name;
    if (isTemporaryName(name) || !matchesPatterns(config_.patterns, name)) {
      continue;
    }
    struct stat info {};
    if (::fstatat(dir.get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
      continue;  // gone since it was listed
    }
    if (!S_ISREG(info.st_mode)) {
      if (refused_.count(name) == 0) {
        logSafely(Poco::Message::PRIO_WARNING,
                  describe(config_) + ": skipping " + inodeLabel(info.st_ino) +
                      ": not a regular file (symlink, folder or device)");
      }
      refused.insert(name);
      continue;
    }

    Signature signature = signatureOf<Signature>(info);
    live.insert(signature);
    auto previous = observations_.find(name);
    Observation observation =
        previous != observations_.end() && previous->second.signature == signature
            ? previous->second
            : Observation{signature, scan_time};
    seen.emplace(name, observation);
    if (scan_time - observation.since >= config_.settle) {
      ready.emplace_back(name, signature);
    }
  }
  observations_ = std::move(seen);
  refused_ = std::move(refused);
  std::erase_if(progress_, [&](const auto& item) { return live.count(item.first) == 0; });

  // Oldest first: feeds write files in the order their messages happened.
  std::sort(ready.begin(), ready.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second.mtime_ns, a.first) < std::tie(b.second.mtime_ns, b.first);
  });
  for (const auto& [name, signature] : ready) {
    if (stopping_.load()) {
      return;
    }
    FileResult result = processFile(dir.get(), name, signature);
    if (result == FileResult::EngineBusy || result == FileResult::Interrupted) {
      return;
    }
  }
}

FileSource::FileResult FileSource::processFile(int dir_fd, const std::string& name,
                                               const Signature& signature) {
  Progress& progress = progress_[signature];
  if (static_cast<std::uint64_t>(signature.size) > config_.max_file_bytes) {
    return finish(
        dir_fd, name, signature,
        {"the file is " + std::to_string(signature.size) + " bytes, over max_file_bytes (" +
         std::to_string(config_.max_file_bytes) + "); nothing was submitted"},
        progress);
  }

  ReadResult read = readSettled(dir_fd, name, signature);
  if (read.status == ReadStatus::Changed) {
    observations_.erase(name);  // the next scan starts its settle time afresh
    return FileResult::Waiting;
  }
  if (read.status == ReadStatus::Busy) {
    observations_[name].since = now();
    logSafely(Poco::Message::PRIO_DEBUG,
              describe(config_) + ": " + inodeLabel(signature.inode) + " is open for writing");
    return FileResult::Waiting;
  }
  if (read.status == ReadStatus::Failed) {
    if (!std::exchange(progress.failure_logged, true)) {
      logSafely(Poco::Message::PRIO_WARNING, describe(config_) + ": cannot read " +
                                                 inodeLabel(signature.inode) + ": " +
                                                 std::strerror(read.error));
    }
    return FileResult::Waiting;
  }

  Loaded loaded;
  loaded.kind = fileKindOf(name).value_or(FileKind::Hl7);
  loaded.bytes = std::move(read.bytes);
  loaded.cut();
  if (!loaded.problems.empty()) {
    return finish(dir_fd, name, signature, loaded.problems, progress);
  }
  if (loaded.warnings > 0 && progress.outcomes.empty()) {
    logSafely(Poco::Message::PRIO_INFORMATION,
              describe(config_) + ": " + inodeLabel(signature.inode) + ": " +
                  std::to_string(loaded.warnings) + " batch envelope warning(s)");
  }
  FileResult submitted = submitAll(loaded, signature, progress);
  if (submitted != FileResult::Finished) {
    return submitted;
  }
  return finish(dir_fd, name, signature, {}, progress);
}

FileSource::FileResult FileSource::submitAll(const Loaded& loaded, const Signature& signature,
                                             Progress& progress) {
  InboundContext context{config_.name, inodeLabel(signature.inode)};
  std::size_t total = loaded.units.size();
  for (std::size_t index = progress.outcomes.size(); index < total; ++index) {
    if (stopping_.load()) {
      return FileResult::Interrupted;
    }
    const Loaded::Unit& unit = loaded.units[index];
    SubmitResult result;
    if (loaded.kind == FileKind::Hl7) {
      // Stored as it would arrive over MLLP; a message that does not convert goes unchanged,
      // for the engine to reject and keep with its error.
      auto wire = engine::hl7::toWireFormat(unit.bytes);
      result = sink_.submitHl7(wire.isOk() ? std::string_view(wire.value()) : unit.bytes, context);
    } else {
      result = sink_.submitFhir(unit.bytes, context, FhirSubmitOptions{});
    }

    std::string position = inodeLabel(signature.inode) + " message " + std::to_string(index + 1) +
                           " of " + std::to_string(total);
    if (!result.stored) {
      logSafely(std::exchange(progress.busy_logged, true) ? Poco::Message::PRIO_DEBUG
                                                          : Poco::Message::PRIO_WARNING,
                describe(config_) + ": " + position + " not stored (" +
                    outcomeCode(loaded.kind, result) + "); the file stays for the next poll");
      return FileResult::EngineBusy;
    }
    progress.outcomes.push_back(
        {unit.line, result.message_id, result.accepted, outcomeCode(loaded.kind, result)});
    logSafely(Poco::Message::PRIO_DEBUG, describe(config_) + ": " + position + " stored as " +
                                             engine::logSafe(result.message_id) +
                                             (result.accepted ? ", accepted" : ", rejected"));
  }
  return FileResult::Finished;
}

FileSource::FileResult FileSource::finish(int dir_fd, const std::string& name,
                                          const Signature& signature,
                                          const std::vector<std::string>& problems,
                                          Progress& progress) {
  std::size_t rejected = static_cast<std::size_t>(
      std::count_if(progress.outcomes.begin(), progress.outcomes.end(),
                    [](const MessageOutcome& outcome) { return !outcome.accepted; }));
  bool failed = !problems.empty() || rejected > 0;
  std::string label = describe(config_) + ": " + inodeLabel(signature.inode);
  std::string ids;
  for (std::size_t index = 0; index < progress.outcomes.size() && index < kIdsPerLogLine; ++index) {
    ids += (index == 0 ? " [" : ", ") + engine::logSafe(progress.outcomes[index].message_id);
  }
  if (!ids.empty()) {
    ids += progress.outcomes.size() > kIdsPerLogLine ? ", ...]" : "]";
  }
  std::string counts = std::to_string(progress.outcomes.size()) + " message(s)" + ids;

  if (!failed && config_.delete_after) {
    if (::unlinkat(dir_fd, name.c_str(), 0) != 0) {
      if (!std::exchange(progress.failure_logged, true)) {
        logSafely(Poco::Message::PRIO_ERROR,
                  label + ": stored, but cannot be deleted: " + std::strerror(errno));
      }
      return FileResult::Waiting;
    }
    syncDirectory(dir_fd, "watched directory", config_);
    logSafely(Poco::Message::PRIO_INFORMATION, label + ": " + counts + " accepted, deleted");
    progress_.erase(signature);
    observations_.erase(name);
    return FileResult::Finished;
  }

  const std::string& folder = failed ? config_.error_directory : config_.done_directory;
  auto moved = moveInto(dir_fd, name, signature.inode, folder, config_);
  if (!moved.isOk()) {
    if (!std::exchange(progress.failure_logged, true)) {
      logSafely(Poco::Message::PRIO_ERROR, label + ": " + moved.status().context());
    }
    return FileResult::Waiting;
  }

  if (!failed) {
    logSafely(Poco::Message::PRIO_INFORMATION, label + ": " + counts + " accepted, moved to done");
  } else {
    std::string report = "File source '" + config_.name + "', " + inodeLabel(signature.inode) +
                         ": moved here because ";
    if (!problems.empty()) {
      report += "it could not be read as messages; nothing from it was submitted.\n";
      for (const std::string& problem : problems) {
        report += problem + "\n";
      }
    } else {
      report += std::to_string(rejected) + " of " + std::to_string(progress.outcomes.size()) +
                " message(s) were rejected. Every message is kept in the engine's store.\n";
      for (std::size_t index = 0; index < progress.outcomes.size(); ++index) {
        const MessageOutcome& outcome = progress.outcomes[index];
        report += "message " + std::to_string(index + 1) + " (line " +
                  std::to_string(outcome.line) + "): id " +
                  (outcome.message_id.empty() ? "-" : engine::logSafe(outcome.message_id)) +
                  (outcome.accepted ? ", accepted, " : ", rejected, ") + outcome.code + "\n";
      }
    }
    Status written = writeReport(folder, moved.value() + ".errors.txt", report);
    if (!written.isOk()) {
      logSafely(Poco::Message::PRIO_ERROR, label + ": no error report: " + written.context());
    }
    logSafely(Poco::Message::PRIO_WARNING,
              label + ": " +
                  (problems.empty() ? counts + ", " + std::to_string(rejected) + " rejected"
                                    : std::to_string(problems.size()) + " problem(s) in the file") +
                  ", moved to the error folder");
  }
  progress_.erase(signature);
  observations_.erase(name);
  return FileResult::Finished;
}

namespace {

std::unique_ptr<engine::pipeline::SourceConnector> makeFileSource(
    const engine::config::ConfigNode& node, engine::config::ConfigErrors& errors,
    engine::pipeline::MessageSink& sink) {
  auto config = parseFileSourceConfig(node, errors);
  if (!config) {
    return nullptr;
  }
  return std::make_unique<FileSource>(std::move(*config), sink);
}

}  // namespace

FERRY_REGISTER(engine::pipeline::registerSourceType("file", &makeFileSource))

}  // namespace ferry::connectors::file
