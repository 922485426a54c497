#include "json_file.h"

#include <fstream>
#include <stdexcept>

#include <rapidjson/error/en.h>

namespace ferry::defgen {

std::unique_ptr<JsonFile> JsonFile::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot open " + path.string());
  }
  auto file = std::make_unique<JsonFile>();
  file->name_ = path.filename().string();
  file->buffer_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    throw std::runtime_error("cannot read " + path.string());
  }
  file->buffer_.push_back('\0');

  file->document_.ParseInsitu(file->buffer_.data());
  if (file->document_.HasParseError()) {
    throw std::runtime_error(path.string() + ": JSON error at byte " +
                             std::to_string(file->document_.GetErrorOffset()) + ": " +
                             rapidjson::GetParseError_En(file->document_.GetParseError()));
  }
  return file;
}

std::vector<const rapidjson::Value*> bundleResources(const JsonFile& file) {
  const auto& bundle = file.document();
  if (!bundle.IsObject() || stringMember(bundle, "resourceType") != "Bundle") {
    throw std::runtime_error(file.name() + ": not a FHIR Bundle");
  }
  std::vector<const rapidjson::Value*> resources;
  if (const auto* entries = arrayMember(bundle, "entry")) {
    for (const auto& entry : entries->GetArray()) {
      if (const auto* resource = entry.IsObject() ? objectMember(entry, "resource") : nullptr) {
        resources.push_back(resource);
      }
    }
  }
  return resources;
}

std::string_view stringMember(const rapidjson::Value& object, const char* name) {
  auto found = object.FindMember(name);
  if (found == object.MemberEnd() || !found->value.IsString()) {
    return {};
  }
  return {found->value.GetString(), found->value.GetStringLength()};
}

const rapidjson::Value* arrayMember(const rapidjson::Value& object, const char* name) {
  auto found = object.FindMember(name);
  return found != object.MemberEnd() && found->value.IsArray() ? &found->value : nullptr;
}

const rapidjson::Value* objectMember(const rapidjson::Value& object, const char* name) {
  auto found = object.FindMember(name);
  return found != object.MemberEnd() && found->value.IsObject() ? &found->value : nullptr;
}

bool boolMember(const rapidjson::Value& object, const char* name, bool fallback) {
  auto found = object.FindMember(name);
  return found != object.MemberEnd() && found->value.IsBool() ? found->value.GetBool() : fallback;
}

}  // namespace ferry::defgen
