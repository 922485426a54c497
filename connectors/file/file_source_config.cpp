#include "connectors/file/file_source_config.h"

#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>

namespace ferry::connectors::file {
namespace {

using engine::config::ConfigErrors;
using engine::config::ConfigNode;

constexpr std::int64_t kMaxPollIntervalMs = 3600000;
constexpr std::int64_t kMaxSettleMs = 86400000;
constexpr std::int64_t kMaxFileBytesCeiling = std::int64_t{1} << 30;

bool endsWithNoCase(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) {
    return false;
  }
  return std::equal(suffix.begin(), suffix.end(), text.end() - suffix.size(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

// `path` as it names a folder, for comparing two settings: "in/" and "in/." are "in".
std::string normalFolder(const std::string& path) {
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') {
    normal.pop_back();
  }
  return normal;
}

// Reads an optional folder setting; empty strings are errors.
std::string getFolder(const ConfigNode& node, std::string_view key, const std::string& fallback,
                      ConfigErrors& errors) {
  std::string folder = node.getString(key, errors, fallback);
  if (auto member = node.member(key); member && member->isString() && folder.empty()) {
    errors.add(*member, std::string(key) + " must not be empty");
  }
  return folder;
}

void parsePatterns(const ConfigNode& node, FileSourceConfig& config, ConfigErrors& errors) {
  auto member = node.member("patterns");
  if (!member) {
    return;
  }
  std::size_t errors_before = errors.all().size();
  config.patterns = node.getStringList("patterns", errors);
  if (errors.all().size() != errors_before) {
    return;
  }
  if (config.patterns.empty()) {
    errors.add(*member, "patterns must name at least one file pattern");
  }
  std::vector<ConfigNode> elements = member->elements();
  for (std::size_t index = 0; index < config.patterns.size(); ++index) {
    const std::string& pattern = config.patterns[index];
    if (pattern.find('/') != std::string::npos) {
      errors.add(elements[index], "pattern '" + pattern + "' must not contain '/'");
    } else if (!fileKindOf(pattern)) {
      errors.add(elements[index], "pattern '" + pattern +
                                      "' must end in .hl7, .json or .ndjson, which decides how "
                                      "a matching file is read");
    }
  }
}

}  // namespace

std::optional<FileKind> fileKindOf(std::string_view file_name) {
  if (endsWithNoCase(file_name, ".hl7")) {
    return FileKind::Hl7;
  }
  if (endsWithNoCase(file_name, ".ndjson")) {
    return FileKind::Ndjson;
  }
  if (endsWithNoCase(file_name, ".json")) {
    return FileKind::Json;
  }
  return std::nullopt;
}

bool isTemporaryName(std::string_view file_name) {
  if (file_name.empty() || file_name.front() == '.') {
    return true;
  }
  constexpr std::array<std::string_view, 4> kTemporarySuffixes = {".tmp", ".part", ".partial",
                                                                  ".filepart"};
  return std::any_of(kTemporarySuffixes.begin(), kTemporarySuffixes.end(),
                     [&](std::string_view suffix) { return endsWithNoCase(file_name, suffix); });
}

bool matchesPatterns(const std::vector<std::string>& patterns, std::string_view file_name) {
  std::string name(file_name);
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
    return ::fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD | FNM_CASEFOLD) == 0;
  });
}

std::optional<FileSourceConfig> parseFileSourceConfig(const ConfigNode& node,
                                                      ConfigErrors& errors) {
  std::size_t errors_before = errors.all().size();
  if (!node.requireObject(errors)) {
    return std::nullopt;
  }
  node.rejectUnknownKeys(
      {"name", "type", "directory", "done_directory", "error_directory", "poll_interval_ms",
       "settle_ms", "patterns", "max_file_bytes", "delete_after"},
      errors);

  FileSourceConfig config;
  config.name = node.getString("name", errors);
  node.getString("type", errors);
  config.directory = node.getString("directory", errors);
  if (auto directory = node.member("directory");
      directory && directory->isString() && config.directory.empty()) {
    errors.add(*directory, "directory must not be empty");
  }
  std::filesystem::path watched(config.directory);
  config.done_directory = getFolder(node, "done_directory", (watched / "done").string(), errors);
  config.error_directory = getFolder(node, "error_directory", (watched / "error").string(), errors);
  config.poll_interval = std::chrono::milliseconds(
      node.getInt("poll_interval_ms", errors, 1000, 1, kMaxPollIntervalMs));
  config.settle =
      std::chrono::milliseconds(node.getInt("settle_ms", errors, 2000, 0, kMaxSettleMs));
  parsePatterns(node, config, errors);
  config.max_file_bytes = static_cast<std::uint64_t>(
      node.getInt("max_file_bytes", errors, static_cast<std::int64_t>(kDefaultMaxFileBytes), 1,
                  kMaxFileBytesCeiling));
  config.delete_after = node.getBool("delete_after", errors, false);

  // Folders that coincide would feed ingested files back in, or mix done and failed files.
  if (!config.directory.empty()) {
    std::string watched_normal = normalFolder(config.directory);
    for (std::string_view key : {"done_directory", "error_directory"}) {
      auto member = node.member(key);
      const std::string& folder =
          key == "done_directory" ? config.done_directory : config.error_directory;
      if (member && !folder.empty() && normalFolder(folder) == watched_normal) {
        errors.add(*member, std::string(key) + " must not be the watched directory");
      }
    }
  }
  if (!config.done_directory.empty() &&
      normalFolder(config.done_directory) == normalFolder(config.error_directory)) {
    auto member = node.member("error_directory");
    errors.add(member ? *member : node, "done_directory and error_directory must differ");
  }
  if (config.delete_after && node.member("done_directory")) {
    errors.add(*node.member("done_directory"),
               "done_directory is unused when delete_after is true; remove one of them");
  }

  if (errors.all().size() != errors_before) {
    return std::nullopt;
  }
  return config;
}

}  // namespace ferry::connectors::file
