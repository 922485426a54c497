#pragma once

// Factories of connectors and store backends, by type name. Connectors register at static
// initialization (see FERRY_REGISTER_* in their .cpp files), so that adding a transport never
// edits the engine. Lookups happen after main() starts.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/config/config_node.h"
#include "engine/pipeline/connector.h"
#include "engine/store/store_backend.h"

namespace ferry::engine::pipeline {

// Reads a source's settings from `node` (an object with "type", "name" and the transport's own
// keys), reporting every problem into `errors`. Returns nullptr when errors were added.
using SourceFactory = std::function<std::unique_ptr<SourceConnector>(
    const config::ConfigNode& node, config::ConfigErrors& errors, MessageSink& sink)>;

using DestinationFactory = std::function<std::unique_ptr<DestinationConnector>(
    const config::ConfigNode& node, config::ConfigErrors& errors)>;

// Keys a factory accepts besides the common ones, for `ferry check` and unknown-key errors.
void registerSourceType(const std::string& type, SourceFactory factory);
void registerDestinationType(const std::string& type, DestinationFactory factory);
// `scheme` is the part of a storage URL before ':' ("sqlite").
void registerStoreScheme(const std::string& scheme, store::StoreFactory factory);

const SourceFactory* findSourceType(const std::string& type);
const DestinationFactory* findDestinationType(const std::string& type);
const store::StoreFactory* findStoreScheme(const std::string& scheme);

std::vector<std::string> sourceTypeNames();
std::vector<std::string> destinationTypeNames();

// Opens a store from a URL such as "sqlite:/var/lib/ferry/ferry.db".
Result<std::unique_ptr<store::StoreBackend>> openStore(const std::string& url);

}  // namespace ferry::engine::pipeline

// Registers at static-initialization time. Use once per connector, in its .cpp file.
#define FERRY_REGISTRATION_CONCAT_INNER(a, b) a##b
#define FERRY_REGISTRATION_CONCAT(a, b) FERRY_REGISTRATION_CONCAT_INNER(a, b)
#define FERRY_REGISTER(expression)                                         \
  namespace {                                                              \
  const bool FERRY_REGISTRATION_CONCAT(ferry_registered_, __LINE__) = [] { \
    expression;                                                            \
    return true;                                                           \
  }();                                                                     \
  }
