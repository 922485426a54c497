#pragma once

// File destination: one file per message in a configured directory, named by the engine id,
// written atomically (see pending_file.h: written unnamed or under a temporary name, synced,
// then given its name, and the directory synced) so that a reader never sees half a message and
// a crash never leaves one. Delivering the same message twice (at-least-once after a crash)
// replaces the same file.
//
// Thread-safety: one delivery worker calls deliver()/deliverBatch() at a time.

#include <string>
#include <string_view>
#include <vector>

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

  // Several files share their disk syncs: every file is written, then one syncfs() makes all
  // of their data durable, then each is given its name and the directory is synced once. A
  // file appears under its final name only once its bytes are on disk.
  std::size_t maxBatch() const override { return kMaxBatch; }
  std::vector<engine::pipeline::DeliveryResult> deliverBatch(
      const std::vector<std::string_view>& payloads,
      const std::vector<engine::pipeline::DeliveryContext>& contexts) override;

  static constexpr std::size_t kMaxBatch = 64;

 private:
  FileDestinationConfig config_;
  bool try_unnamed_files_ = true;  // cleared when the file system has no O_TMPFILE
};

}  // namespace ferry::connectors::file
