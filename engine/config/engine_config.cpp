#include "engine/config/engine_config.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

namespace ferry::engine::config {

std::chrono::milliseconds RetryPolicy::backoffBefore(int next_attempt) const {
  double factor = std::pow(multiplier, std::max(0, next_attempt - 2));
  double wait = static_cast<double>(initial_backoff.count()) * factor;
  double cap = static_cast<double>(max_backoff.count());
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(wait, cap)));
}

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;

void readEngineSection(const ConfigNode& root, EngineConfig& config, ConfigErrors& errors) {
  auto engine = root.member("engine");
  if (!engine || !engine->requireObject(errors)) {
    return;
  }
  engine->rejectUnknownKeys({"name", "data_directory", "log_level", "log_file"}, errors);
  config.name = engine->getString("name", errors, config.name);
  config.data_directory = engine->getString("data_directory", errors, config.data_directory);
  config.log_level = engine->getString("log_level", errors, config.log_level);
  config.log_file = engine->getString("log_file", errors, std::string());

  static const std::set<std::string> kLevels = {"fatal",  "critical",    "error", "warning",
                                                "notice", "information", "debug", "trace"};
  if (!kLevels.contains(config.log_level)) {
    errors.add(*engine->member("log_level"),
               "log_level must be one of fatal, critical, error, warning, notice, information, "
               "debug, trace; found '" +
                   config.log_level + "'");
  }
}

void readStorageAndKeys(const ConfigNode& root, EngineConfig& config, ConfigErrors& errors) {
  config.storage_url = "sqlite:" + config.data_directory + "/ferry.db";
  if (auto storage = root.member("storage"); storage && storage->requireObject(errors)) {
    storage->rejectUnknownKeys({"url"}, errors);
    config.storage_url = storage->getString("url", errors, config.storage_url);
  }

  auto keys = root.member("keys");
  if (!keys) {
    errors.add(root, "required section 'keys' is missing ({\"file\": \"path/outside/data\"})");
    return;
  }
  if (!keys->requireObject(errors)) {
    return;
  }
  keys->rejectUnknownKeys({"file", "create_if_missing"}, errors);
  config.key_file = keys->getString("file", errors);
  config.key_file_line = keys->member("file") ? keys->member("file")->line() : keys->line();
  config.create_keys = keys->getBool("create_if_missing", errors, true);

  // Keys kept beside the data they protect protect nothing: whoever copies the data directory
  // (a backup, a disk image) would have both.
  if (!config.key_file.empty()) {
    auto data = std::filesystem::weakly_canonical(config.data_directory);
    auto key = std::filesystem::weakly_canonical(config.key_file);
    auto [data_end, key_end] = std::mismatch(data.begin(), data.end(), key.begin(), key.end());
    if (data_end == data.end()) {
      errors.add(*keys->member("file"),
                 "the key file must be outside the data directory '" + config.data_directory + "'");
    }
  }
}

void readLimits(const ConfigNode& root, EngineConfig& config, ConfigErrors& errors) {
  auto limits = root.member("limits");
  if (!limits || !limits->requireObject(errors)) {
    return;
  }
  limits->rejectUnknownKeys({"max_message_bytes"}, errors);
  config.max_message_bytes = static_cast<std::size_t>(limits->getInt(
      "max_message_bytes", errors, static_cast<std::int64_t>(config.max_message_bytes), 1024,
      256LL * 1024 * 1024));
}

// Reads "name" and "type" of a connector object, common to listeners and destinations.
bool readNameAndType(const ConfigNode& node, std::string& name, std::string& type,
                     ConfigErrors& errors) {
  if (!node.requireObject(errors)) {
    return false;
  }
  std::size_t before = errors.all().size();
  name = node.getString("name", errors);
  type = node.getString("type", errors);
  return errors.all().size() == before;
}

void readListeners(const ConfigNode& root, EngineConfig& config, ConfigErrors& errors) {
  auto listeners = root.member("listeners");
  if (!listeners) {
    return;
  }
  if (!listeners->isArray()) {
    errors.add(*listeners,
               "expected an array of listeners, found " + std::string(listeners->typeName()));
    return;
  }
  std::set<std::string> names;
  for (const ConfigNode& node : listeners->elements()) {
    ListenerSettings listener{"", "", node};
    if (!readNameAndType(node, listener.name, listener.type, errors)) {
      continue;
    }
    if (!names.insert(listener.name).second) {
      errors.add(*node.member("name"), "duplicate listener name '" + listener.name + "'");
    }
    config.listeners.push_back(std::move(listener));
  }
}

RetryPolicy readRetry(const ConfigNode& destination, ConfigErrors& errors) {
  RetryPolicy policy;
  auto retry = destination.member("retry");
  if (!retry || !retry->requireObject(errors)) {
    return policy;
  }
  retry->rejectUnknownKeys({"max_attempts", "initial_backoff_ms", "max_backoff_ms", "multiplier"},
                           errors);
  policy.max_attempts =
      static_cast<int>(retry->getInt("max_attempts", errors, policy.max_attempts, 1, 1000000));
  policy.initial_backoff = std::chrono::milliseconds(
      retry->getInt("initial_backoff_ms", errors, policy.initial_backoff.count(), 1, kDay));
  policy.max_backoff = std::chrono::milliseconds(
      retry->getInt("max_backoff_ms", errors, policy.max_backoff.count(), 1, 7 * kDay));
  policy.multiplier = retry->getNumber("multiplier", errors, policy.multiplier, 1.0, 100.0);
  if (policy.max_backoff < policy.initial_backoff) {
    errors.add(*retry, "max_backoff_ms must not be smaller than initial_backoff_ms");
  }
  return policy;
}

// The transforms' own keys are checked by their factories when the engine is built.
void readTransformsAndAgreement(const ConfigNode& node, DestinationSettings& destination,
                                ConfigErrors& errors) {
  if (auto transforms = node.member("transforms")) {
    if (transforms->isArray()) {
      destination.transforms = transforms;
    } else {
      errors.add(*transforms,
                 "expected an array of transforms, found " + std::string(transforms->typeName()));
    }
  }
  auto agreement = node.member("business_associate");
  if (!agreement || !agreement->requireObject(errors)) {
    return;
  }
  agreement->rejectUnknownKeys({"covered", "agreement"}, errors);
  destination.baa_covered = agreement->getBool("covered", errors);
  destination.baa_agreement = agreement->getString("agreement", errors, std::string());
  bool blank = destination.baa_agreement.find_first_not_of(" \t") == std::string::npos;
  if (destination.baa_covered && blank) {
    errors.add(*agreement,
               "a covered receiver must name its agreement (\"agreement\": \"name and date\", or "
               "\"covered entity's own system\")");
  }
}

void readRoutes(const ConfigNode& root, EngineConfig& config, ConfigErrors& errors) {
  auto routes = root.member("routes");
  if (!routes) {
    errors.add(root, "required key 'routes' is missing (an array of routes)");
    return;
  }
  config.routes = routes;
  if (!routes->isArray()) {
    return;  // the router factory reports the shape
  }

  std::set<std::string> listener_names;
  for (const auto& listener : config.listeners) {
    listener_names.insert(listener.name);
  }
  std::set<std::string> destination_names;
  for (const ConfigNode& route : routes->elements()) {
    if (!route.isObject()) {
      continue;
    }
    std::string route_name = route.getString("name", errors, std::string());
    // "source" is one listener name or a list of them; the router checks its shape.
    if (auto source = route.member("source")) {
      std::vector<ConfigNode> names =
          source->isArray() ? source->elements() : std::vector<ConfigNode>{*source};
      for (const ConfigNode& name : names) {
        if (name.isString() && !listener_names.contains(name.asString())) {
          errors.add(name, "no listener named '" + name.asString() + "'");
        }
      }
    }

    auto destinations = route.member("destinations");
    if (!destinations || !destinations->isArray()) {
      continue;  // the router factory reports it
    }
    for (const ConfigNode& node : destinations->elements()) {
      DestinationSettings destination{"", "", route_name, {}, true, node, std::nullopt, false, ""};
      if (!readNameAndType(node, destination.name, destination.type, errors)) {
        continue;
      }
      if (!destination_names.insert(destination.name).second) {
        errors.add(*node.member("name"), "duplicate destination name '" + destination.name +
                                             "' (destination names are unique across all routes)");
      }
      destination.retry = readRetry(node, errors);
      destination.ordered = node.getBool("ordered", errors, true);
      readTransformsAndAgreement(node, destination, errors);
      config.destinations.push_back(std::move(destination));
    }
  }
}

}  // namespace

std::shared_ptr<const EngineConfig> loadEngineConfig(const std::string& path,
                                                     ConfigErrors& errors) {
  auto parsed = ConfigNode::parseFile(path);
  if (!parsed.isOk()) {
    errors.add(ConfigError{"", 0, "", parsed.status().context()});
    return nullptr;
  }
  const ConfigNode& root = parsed.value();
  if (!root.requireObject(errors)) {
    return nullptr;
  }
  root.rejectUnknownKeys(
      {"engine", "storage", "keys", "limits", "listeners", "routes", "strip_profiles", "mappings"},
      errors);

  auto config = std::make_shared<EngineConfig>();
  config->config_file = path;
  config->root = root;
  readEngineSection(root, *config, errors);
  readStorageAndKeys(root, *config, errors);
  readLimits(root, *config, errors);
  readListeners(root, *config, errors);
  readRoutes(root, *config, errors);
  return config;
}

}  // namespace ferry::engine::config
