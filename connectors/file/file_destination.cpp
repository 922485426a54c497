#include "connectors/file/file_destination.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "connectors/file/pending_file.h"
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

// A published name is durable only once its directory entry is on disk.
Status syncDirectory(int dir_fd, const std::string& directory) {
  if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
    return ioError("cannot sync directory", directory);
  }
  return Status::ok();
}

Status createDirectory(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return Status(ErrorCode::IoError,
                  "cannot create directory '" + directory + "': " + error.message());
  }
  return Status::ok();
}

}  // namespace

FileDestination::FileDestination(FileDestinationConfig config) : config_(std::move(config)) {}

DeliveryResult FileDestination::deliver(std::string_view payload, const DeliveryContext& context) {
  if (Status created = createDirectory(config_.directory); !created.isOk()) {
    return {created, ""};
  }
  auto file = PendingFile::create(config_.directory, context.message_id + config_.extension,
                                  try_unnamed_files_);
  if (!file.isOk()) {
    return {file.status(), ""};
  }
  for (Status step : {file.value().write(payload), file.value().sync(), file.value().publish()}) {
    if (!step.isOk()) {
      return {step, ""};
    }
  }
  FileDescriptor dir(::open(config_.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return {syncDirectory(dir.get(), config_.directory), ""};
}

std::vector<DeliveryResult> FileDestination::deliverBatch(
    const std::vector<std::string_view>& payloads, const std::vector<DeliveryContext>& contexts) {
  if (payloads.size() == 1) {
    return {deliver(payloads[0], contexts[0])};
  }
  std::vector<DeliveryResult> results(payloads.size());
  auto failAll = [&](const Status& failure) {
    for (auto& result : results) {
      if (result.status.isOk()) {
        result.status = failure;
      }
    }
    return results;
  };
  if (Status created = createDirectory(config_.directory); !created.isOk()) {
    return failAll(created);
  }

  std::vector<std::optional<PendingFile>> files(payloads.size());
  for (std::size_t index = 0; index < payloads.size(); ++index) {
    auto file = PendingFile::create(
        config_.directory, contexts[index].message_id + config_.extension, try_unnamed_files_);
    if (!file.isOk()) {
      results[index].status = file.status();
      continue;
    }
    files[index].emplace(std::move(file).value());
    results[index].status = files[index]->write(payloads[index]);
  }

  // One sync of the file system makes the data of every file durable.
  FileDescriptor dir(::open(config_.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::syncfs(dir.get()) != 0) {
    return failAll(ioError("cannot sync file system of", config_.directory));
  }
  for (std::size_t index = 0; index < payloads.size(); ++index) {
    if (results[index].status.isOk()) {
      results[index].status = files[index]->publish();
    }
  }
  // Published but not yet known durable: those are delivered again.
  return failAll(syncDirectory(dir.get(), config_.directory));
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
