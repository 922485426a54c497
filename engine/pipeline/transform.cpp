#include "engine/pipeline/transform.h"

#include <map>
#include <mutex>

namespace ferry::engine::pipeline {
namespace {

struct TransformRegistry {
  std::mutex mutex;
  std::map<std::string, TransformFactory> factories;
};

// Function-local static: transforms register during static initialization of other libraries.
TransformRegistry& transformRegistry() {
  static TransformRegistry instance;
  return instance;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

PayloadFormat detectPayloadFormat(std::string_view payload) {
  if (startsWith(payload, "\xEF\xBB\xBF")) {
    payload.remove_prefix(3);
  }
  std::size_t first = payload.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return PayloadFormat::Unknown;
  }
  payload.remove_prefix(first);
  if (payload.front() == '{') {
    return PayloadFormat::FhirJson;
  }
  for (std::string_view header : {"MSH", "FHS", "BHS"}) {
    if (startsWith(payload, header)) {
      return PayloadFormat::Hl7v2;
    }
  }
  return PayloadFormat::Unknown;
}

void registerTransformType(const std::string& type, TransformFactory factory) {
  std::lock_guard lock(transformRegistry().mutex);
  transformRegistry().factories[type] = std::move(factory);
}

const TransformFactory* findTransformType(const std::string& type) {
  std::lock_guard lock(transformRegistry().mutex);
  auto found = transformRegistry().factories.find(type);
  return found == transformRegistry().factories.end() ? nullptr : &found->second;
}

std::vector<std::string> transformTypeNames() {
  std::lock_guard lock(transformRegistry().mutex);
  std::vector<std::string> names;
  for (const auto& [name, unused] : transformRegistry().factories) {
    names.push_back(name);
  }
  return names;
}

}  // namespace ferry::engine::pipeline
