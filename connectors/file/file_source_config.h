#pragma once

// Typed settings of the file source (source type "file") and their parsing from configuration.
// Parsing touches no disk: whether the folders exist, are writable and share one file system
// is checked by FileSource::start().
//
// Keys:
// - name, type: as for every source.
// - directory (required): the folder watched.
// - done_directory (<directory>/done): where ingested files go. Not allowed together with
//   delete_after: true, since it would go unused.
// - error_directory (<directory>/error): where files with a rejected message, or that could
//   not be read as messages at all, go, each with NAME.errors.txt beside it.
// - poll_interval_ms (1000; 1..3600000): time between two scans of the folder.
// - settle_ms (2000; 0..86400000): a file is read only once its inode, size and modification
//   time have stayed the same for this long across scans. 0 reads a file as soon as it is
//   seen: only for feeds that rename finished files into the folder.
// - patterns (["*.hl7", "*.json", "*.ndjson"]): fnmatch(3) globs on the file name, matched
//   without regard to case (feeds write ".HL7" as often as ".hl7"). Each must end in ".hl7",
//   ".json" or ".ndjson": that ending decides how the file is read.
// - max_file_bytes (64 MiB; 1..1 GiB): larger files go to the error folder unread, since a
//   file is read whole into memory.
// - delete_after (false): delete ingested files instead of moving them to done_directory.
//   Files with errors are always moved to error_directory.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_node.h"

namespace ferry::connectors::file {

// How the bytes of a file are cut into messages.
enum class FileKind {
  Hl7,     // ".hl7": one or more HL7 v2 messages, possibly in FHS/BHS batches
  Json,    // ".json": one FHIR resource or Bundle
  Ndjson,  // ".ndjson": one FHIR resource per non-blank line
};

inline constexpr std::uint64_t kDefaultMaxFileBytes = std::uint64_t{64} << 20;

struct FileSourceConfig {
  std::string name;
  std::string directory;
  std::string done_directory;
  std::string error_directory;
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds settle{2000};
  std::vector<std::string> patterns = {"*.hl7", "*.json", "*.ndjson"};
  std::uint64_t max_file_bytes = kDefaultMaxFileBytes;
  bool delete_after = false;
  // Not a config key: the clock settle times are measured with (steady_clock when empty).
  // Tests inject a manual one.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

// Reads settings from `node`, reporting every problem (with its JSON path) into `errors`.
// std::nullopt when anything was reported.
std::optional<FileSourceConfig> parseFileSourceConfig(const engine::config::ConfigNode& node,
                                                      engine::config::ConfigErrors& errors);

// The kind a file name's ending selects, compared without regard to case; nullopt for others.
std::optional<FileKind> fileKindOf(std::string_view file_name);

// True for names writers use while a file is incomplete: dotfiles and names ending in .tmp,
// .part, .partial or .filepart (any case). Such files are never read, whatever the patterns.
bool isTemporaryName(std::string_view file_name);

// True when `file_name` matches one of `patterns` (fnmatch(3), case-insensitive).
bool matchesPatterns(const std::vector<std::string>& patterns, std::string_view file_name);

}  // namespace ferry::connectors::file
