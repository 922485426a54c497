#pragma once

// File destination: one file per message in a configured directory, named by the engine id,
// written atomically (temporary file, fsync, rename, fsync of the directory) so that a reader
// never sees half a message and a crash never leaves one. Delivering the same message twice
// (at-least-once after a crash) rewrites the same file.

#include <string>
#include <string_view>

#include "engine/pipeline/connector.h"

namespace ferry::connectors::file {

struct FileDestinationConfig {
  std::string name;
  std::string directory;
  std::string extension = ".hl7";
};

class FileDestination : public engine::pipeline::DestinationConnector {
 public:
  explicit FileDestination(FileDestinationConfig config);

  engine::pipeline::DeliveryResult deliver(
      std::string_view payload, const engine::pipeline::DeliveryContext& context) override;

 private:
  FileDestinationConfig config_;
};

}  // namespace ferry::connectors::file
