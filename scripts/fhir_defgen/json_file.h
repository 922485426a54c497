#pragma once

// Reading the package's JSON files for the generator: each file is parsed in place, so its
// strings point into the buffer the JsonFile owns.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

namespace ferry::defgen {

class JsonFile {
 public:
  // Throws std::runtime_error naming the file when it cannot be read or parsed.
  static std::unique_ptr<JsonFile> load(const std::filesystem::path& path);

  const rapidjson::Document& document() const { return document_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::vector<char> buffer_;
  rapidjson::Document document_;
};

// The resources of a Bundle's entries, in order; throws when `bundle` is not a Bundle.
std::vector<const rapidjson::Value*> bundleResources(const JsonFile& file);

// Helpers that read optional members; absent or of another JSON type gives the fallback.
std::string_view stringMember(const rapidjson::Value& object, const char* name);
const rapidjson::Value* arrayMember(const rapidjson::Value& object, const char* name);
const rapidjson::Value* objectMember(const rapidjson::Value& object, const char* name);
bool boolMember(const rapidjson::Value& object, const char* name, bool fallback);

}  // namespace ferry::defgen
