#include "connectors/file/file_destination.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "engine/io/file_descriptor.h"
#include "engine/pipeline/registry.h"

namespace ferry::connectors::file {

using engine::ErrorCode;
using engine::Status;
using engine::pipeline::DeliveryContext;
using engine::pipeline::DeliveryResult;

namespace {

using engine::io::FileDescriptor;

Status ioError(const std::string& what, const std::string& path) {
  return Status(ErrorCode::IoError, what + " '" + path + "': " + std::strerror(errno));
}

bool writeAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

Status writeAtomically(const std::string& directory, const std::string& name,
                       std::string_view bytes) {
  std::string final_path = directory + "/" + name;
  std::string temp_path = directory + "/." + name + ".tmp";

  FileDescriptor file(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (file.get() < 0) {
    return ioError("cannot create", temp_path);
  }
  if (!writeAll(file.get(), bytes) || ::fsync(file.get()) != 0 || !file.close()) {
    Status failure = ioError("cannot write", temp_path);
    ::unlink(temp_path.c_str());
    return failure;
  }
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    Status failure = ioError("cannot rename into", final_path);
    ::unlink(temp_path.c_str());
    return failure;
  }

  // The rename is durable only once the directory entry is on disk.
  FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
    return ioError("cannot sync directory", directory);
  }
  return Status::ok();
}

// Writes `bytes` to a new temporary file without syncing it; the caller syncs.
Status writeUnsynced(const std::string& temp_path, std::string_view bytes) {
  FileDescriptor file(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (file.get() < 0) {
    return ioError("cannot create", temp_path);
  }
  if (!writeAll(file.get(), bytes) || !file.close()) {
    Status failure = ioError("cannot write", temp_path);
    ::unlink(temp_path.c_str());
    return failure;
  }
  return Status::ok();
}

}  // namespace

FileDestination::FileDestination(FileDestinationConfig config) : config_(std::move(config)) {}

DeliveryResult FileDestination::deliver(std::string_view payload, const DeliveryContext& context) {
  std::error_code error;
  std::filesystem::create_directories(config_.directory, error);
  if (error) {
    return {Status(ErrorCode::IoError,
                   "cannot create directory '" + config_.directory + "': " + error.message()),
            ""};
  }
  return {writeAtomically(config_.directory, context.message_id + config_.extension, payload), ""};
}

std::vector<DeliveryResult> FileDestination::deliverBatch(
    const std::vector<std::string_view>& payloads, const std::vector<DeliveryContext>& contexts) {
  if (payloads.size() == 1) {
    return {deliver(payloads[0], contexts[0])};
  }
  std::vector<DeliveryResult> results(payloads.size());
  std::error_code error;
  std::filesystem::create_directories(config_.directory, error);
  if (error) {
    Status failure(ErrorCode::IoError,
                   "cannot create directory '" + config_.directory + "': " + error.message());
    for (auto& result : results) {
      result.status = failure;
    }
    return results;
  }

  std::vector<std::string> temp_paths(payloads.size());
  for (std::size_t index = 0; index < payloads.size(); ++index) {
    temp_paths[index] =
        config_.directory + "/." + contexts[index].message_id + config_.extension + ".tmp";
    results[index].status = writeUnsynced(temp_paths[index], payloads[index]);
  }

  // One sync of the file system makes the data of every temporary file durable.
  FileDescriptor dir(::open(config_.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::syncfs(dir.get()) != 0) {
    Status failure = ioError("cannot sync file system of", config_.directory);
    for (std::size_t index = 0; index < payloads.size(); ++index) {
      ::unlink(temp_paths[index].c_str());
      results[index].status = failure;
    }
    return results;
  }

  for (std::size_t index = 0; index < payloads.size(); ++index) {
    if (!results[index].status.isOk()) {
      continue;
    }
    std::string final_path =
        config_.directory + "/" + contexts[index].message_id + config_.extension;
    if (::rename(temp_paths[index].c_str(), final_path.c_str()) != 0) {
      results[index].status = ioError("cannot rename into", final_path);
      ::unlink(temp_paths[index].c_str());
    }
  }
  if (::fsync(dir.get()) != 0) {
    Status failure = ioError("cannot sync directory", config_.directory);
    for (auto& result : results) {
      if (result.status.isOk()) {
        result.status = failure;  // renamed, but not yet known durable: deliver again
      }
    }
  }
  return results;
}

}  // namespace ferry::connectors::file

namespace {

using ferry::engine::config::ConfigErrors;
using ferry::engine::config::ConfigNode;

std::unique_ptr<ferry::engine::pipeline::DestinationConnector> makeFileDestination(
    const ConfigNode& node, ConfigErrors& errors) {
  std::size_t errors_before = errors.all().size();
  node.rejectUnknownKeys({"name", "type", "directory", "extension", "retry", "ordered",
                          "transforms", "business_associate"},
                         errors);

  ferry::connectors::file::FileDestinationConfig config;
  config.name = node.getString("name", errors);
  config.directory = node.getString("directory", errors);
  config.extension = node.getString("extension", errors, std::string(".hl7"));
  if (auto directory = node.member("directory");
      directory && directory->isString() && config.directory.empty()) {
    errors.add(*directory, "directory must not be empty");
  }
  if (config.extension.find('/') != std::string::npos) {
    errors.add(*node.member("extension"), "extension must not contain '/'");
  }
  if (errors.all().size() != errors_before) {
    return nullptr;
  }
  return std::make_unique<ferry::connectors::file::FileDestination>(std::move(config));
}

}  // namespace

FERRY_REGISTER(ferry::engine::pipeline::registerDestinationType("file", makeFileDestination))
