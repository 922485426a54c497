#include "mappings/fhir_v2/reverse_vocabulary.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "engine/config/config_node.h"
#include "mappings/v2_fhir/mapping_set.h"

namespace ferry::mappings::fhirv2 {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::config::ConfigErrors;
using engine::config::ConfigNode;

namespace {

constexpr std::string_view kTablePrefix = "http://terminology.hl7.org/CodeSystem/v2-";

// Backward choices where the first code listed in the file is not the best one. An empty
// table code means "no translation": the FHIR code has no faithful v2 code.
struct Preferred {
  std::string_view vocabulary;
  std::string_view fhir_code;
  std::string_view table_code;
};

constexpr Preferred kPreferred[] = {
    // NAV (temporarily unavailable) is listed first; "temp" reads as a temporary name.
    {"NameType", "temp", "TEMP"},
    // W (posted as wrong) says entered-in-error; D deletes the OBX record.
    {"ObservationResultStatusCodesInterpretation", "entered-in-error", "W"},
    // "other" lumps modem, satellite phone, TDD and TTY together: none of them is right.
    {"TelecommunicationEquipmentType", "other", ""},
};

std::string key(std::string_view system, std::string_view code) {
  return std::string(system) + "|" + std::string(code);
}

Result<std::vector<v2fhir::DataFile>> vocabularyFiles(const std::string& override_dir) {
  std::vector<v2fhir::DataFile> files;
  for (v2fhir::DataFile& file : v2fhir::embeddedDataFiles()) {
    if (file.path.rfind("vocabulary/", 0) == 0) {
      files.push_back(std::move(file));
    }
  }
  if (override_dir.empty()) {
    return files;
  }
  std::error_code error;
  std::filesystem::path folder = std::filesystem::path(override_dir) / "vocabulary";
  if (!std::filesystem::is_directory(override_dir, error)) {
    return Status(ErrorCode::ConfigError,
                  "mapping override directory '" + override_dir + "' is not a directory");
  }
  if (!std::filesystem::is_directory(folder, error)) {
    return files;
  }
  for (const auto& item : std::filesystem::directory_iterator(folder, error)) {
    if (!item.is_regular_file() || item.path().extension() != ".json") {
      continue;
    }
    std::string relative = "vocabulary/" + item.path().filename().string();
    std::ifstream in(item.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      return Status(ErrorCode::IoError, "cannot read mapping file '" + relative + "'");
    }
    bool replaced = false;
    for (v2fhir::DataFile& file : files) {
      if (file.path == relative) {
        file.text = text.str();
        replaced = true;
      }
    }
    if (!replaced) {
      files.push_back({relative, text.str()});
    }
  }
  return files;
}

}  // namespace

Result<std::shared_ptr<const ReverseVocabularies>> ReverseVocabularies::load(
    const std::string& override_dir) {
  auto files = vocabularyFiles(override_dir);
  if (!files.isOk()) {
    return files.status();
  }
  auto set = std::make_shared<ReverseVocabularies>();
  ConfigErrors errors;
  for (const v2fhir::DataFile& file : files.value()) {
    auto node = ConfigNode::parse(file.text, "mappings/data/" + file.path);
    if (!node.isOk()) {
      errors.add(engine::config::ConfigError{"mappings/data/" + file.path, 0, "",
                                             node.status().context()});
      continue;
    }
    const ConfigNode& root = node.value();
    std::string name = root.getString("vocabulary", errors);
    std::string target_system = root.getString("target_system", errors, std::string());
    auto codes = root.member("codes");
    if (name.empty() || !codes || !codes->requireObject(errors)) {
      continue;
    }
    bool coding_systems = name == "CodingSystem";
    Table& table = set->tables_[name];
    table.source_system = root.getString("source_system", errors, std::string());
    for (const auto& [code, entry] : codes->members()) {
      if (!entry.isObject()) {
        continue;
      }
      std::string fhir_code = entry.getString("code", errors, std::string());
      if (coding_systems) {
        set->system_names_.emplace(fhir_code, code);  // first name listed wins
        continue;
      }
      std::string system = entry.getString("system", errors, target_system);
      std::string display = entry.getString("v2_display", errors, std::string());
      table.v2_display.emplace(code, display);
      table.by_fhir.emplace(key(system, fhir_code), TableCode{code, display});
      table.by_code.emplace(fhir_code, TableCode{code, display});
    }
  }
  if (!errors.empty()) {
    return Status(ErrorCode::ConfigError, "vocabulary files: " + errors.format());
  }
  for (const Preferred& preferred : kPreferred) {
    auto table = set->tables_.find(preferred.vocabulary);
    if (table == set->tables_.end()) {
      continue;
    }
    Table& entries = table->second;
    auto prefer = [&](TableCode& table_code) {
      table_code.code = std::string(preferred.table_code);
      auto display = entries.v2_display.find(table_code.code);
      table_code.display = display == entries.v2_display.end() ? std::string() : display->second;
    };
    for (auto& [fhir_key, table_code] : entries.by_fhir) {
      if (fhir_key.substr(fhir_key.find('|') + 1) == preferred.fhir_code) {
        prefer(table_code);
      }
    }
    if (auto found = entries.by_code.find(preferred.fhir_code); found != entries.by_code.end()) {
      prefer(found->second);
    }
  }
  return std::shared_ptr<const ReverseVocabularies>(std::move(set));
}

std::optional<TableCode> ReverseVocabularies::toTable(std::string_view name,
                                                      std::string_view system,
                                                      std::string_view code) const {
  auto table = tables_.find(name);
  if (table == tables_.end() || code.empty()) {
    return std::nullopt;
  }
  if (!system.empty() && system == table->second.source_system) {
    auto display = table->second.v2_display.find(code);
    return TableCode{std::string(code),
                     display == table->second.v2_display.end() ? std::string() : display->second};
  }
  auto found = table->second.by_fhir.find(key(system, code));
  if (found == table->second.by_fhir.end() || found->second.code.empty()) {
    return std::nullopt;
  }
  return found->second;
}

std::optional<TableCode> ReverseVocabularies::codeToTable(std::string_view name,
                                                          std::string_view code) const {
  auto table = tables_.find(name);
  if (table == tables_.end()) {
    return std::nullopt;
  }
  auto found = table->second.by_code.find(code);
  if (found == table->second.by_code.end() || found->second.code.empty()) {
    return std::nullopt;
  }
  return found->second;
}

std::string ReverseVocabularies::tableSystem(std::string_view name) const {
  auto table = tables_.find(name);
  return table == tables_.end() ? std::string() : table->second.source_system;
}

std::string ReverseVocabularies::systemName(std::string_view uri) const {
  if (uri.rfind(kTablePrefix, 0) == 0) {
    std::string_view digits = uri.substr(kTablePrefix.size());
    if (digits.size() == 4 && digits.find_first_not_of("0123456789") == std::string_view::npos) {
      return "HL7" + std::string(digits);
    }
  }
  auto found = system_names_.find(uri);
  return found == system_names_.end() ? std::string() : found->second;
}

}  // namespace ferry::mappings::fhirv2
