#include "connectors/file/file_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <typeinfo>
#include <utility>

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

// Message ids listed in a file's summary log line; the rest are at debug level.
constexpr std::size_t kIdsPerLogLine = 10;
// A scan that keeps throwing is logged on its first failure and then every this many.
constexpr std::uint64_t kFailureLogEvery = 60;

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

    Signature signature = signatureOf(info);
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
