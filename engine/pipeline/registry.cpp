#include "engine/pipeline/registry.h"

#include <map>
#include <mutex>

#include "engine/pipeline/router.h"

namespace ferry::engine::pipeline {
namespace {

// Function-local statics: registration runs during static initialization of other libraries,
// before any namespace-scope map here could be relied on to exist.
struct Registry {
  std::mutex mutex;
  std::map<std::string, SourceFactory> sources;
  std::map<std::string, DestinationFactory> destinations;
  std::map<std::string, store::StoreFactory> stores;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

template <typename Map>
const typename Map::mapped_type* findIn(Map& map, const std::string& key) {
  std::lock_guard lock(registry().mutex);
  auto found = map.find(key);
  return found == map.end() ? nullptr : &found->second;
}

template <typename Map>
std::vector<std::string> keysOf(Map& map) {
  std::lock_guard lock(registry().mutex);
  std::vector<std::string> keys;
  for (const auto& [key, unused] : map) {
    keys.push_back(key);
  }
  return keys;
}

}  // namespace

void registerSourceType(const std::string& type, SourceFactory factory) {
  std::lock_guard lock(registry().mutex);
  registry().sources[type] = std::move(factory);
}

void registerDestinationType(const std::string& type, DestinationFactory factory) {
  std::lock_guard lock(registry().mutex);
  registry().destinations[type] = std::move(factory);
}

void registerStoreScheme(const std::string& scheme, store::StoreFactory factory) {
  std::lock_guard lock(registry().mutex);
  registry().stores[scheme] = std::move(factory);
}

const SourceFactory* findSourceType(const std::string& type) {
  return findIn(registry().sources, type);
}

const DestinationFactory* findDestinationType(const std::string& type) {
  return findIn(registry().destinations, type);
}

const store::StoreFactory* findStoreScheme(const std::string& scheme) {
  return findIn(registry().stores, scheme);
}

std::vector<std::string> sourceTypeNames() { return keysOf(registry().sources); }
std::vector<std::string> destinationTypeNames() { return keysOf(registry().destinations); }

Result<std::unique_ptr<store::StoreBackend>> openStore(const std::string& url) {
  auto colon = url.find(':');
  if (colon == std::string::npos || colon == 0) {
    return Status(ErrorCode::ConfigError, "storage url must look like 'sqlite:/path/to/file.db'");
  }
  std::string scheme = url.substr(0, colon);
  const store::StoreFactory* factory = findStoreScheme(scheme);
  if (factory == nullptr) {
    return Status(ErrorCode::ConfigError, "no storage backend for scheme '" + scheme + "'");
  }
  return (*factory)(url);
}

}  // namespace ferry::engine::pipeline

namespace ferry::engine::pipeline {
namespace {

RouterFactory& routerFactorySlot() {
  static RouterFactory factory;
  return factory;
}

}  // namespace

void registerRouterFactory(RouterFactory factory) {
  std::lock_guard lock(registry().mutex);
  routerFactorySlot() = std::move(factory);
}

const RouterFactory* findRouterFactory() {
  std::lock_guard lock(registry().mutex);
  return routerFactorySlot() ? &routerFactorySlot() : nullptr;
}

}  // namespace ferry::engine::pipeline
