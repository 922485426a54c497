#pragma once

// The engine's configuration, read from one JSON file (comments allowed):
//   "engine":    name, data_directory, log_level, log_file
//   "storage":   url ("sqlite:<path>")
//   "keys":      file, create_if_missing
//   "limits":    max_message_bytes
//   "listeners": sources, each {"name", "type", transport keys}
//   "routes":    each {"name", "source", "filter", "destinations": [...]}; a destination is
//                {"name", "type", "retry", "ordered", "transforms", "business_associate",
//                transport keys}
//   "strip_profiles", "mappings": named definitions that destinations' transforms refer to
//                (read by the transform factories, see engine/pipeline/transform.h)
// Relative paths are taken from the current directory. Loading checks shape and meaning of the
// engine's own keys and keeps each connector's node for its factory to check.
//
// Thread-safety: immutable once loaded; shared as std::shared_ptr<const EngineConfig>.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/config_node.h"

namespace ferry::engine::config {

struct RetryPolicy {
  int max_attempts = 10;  // including the first; after the last one the message is dead
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
  double multiplier = 2.0;

  // Wait before attempt number `next_attempt` (2, 3, ...): initial * multiplier^(n-2), capped.
  std::chrono::milliseconds backoffBefore(int next_attempt) const;
};

struct ListenerSettings {
  std::string name;
  std::string type;
  ConfigNode node;  // the listener's whole object, for its factory
};

struct DestinationSettings {
  std::string name;  // unique across all routes: it names the destination's outbox
  std::string type;
  std::string route;
  RetryPolicy retry;
  bool ordered = true;  // deliver in arrival order; a failing message holds back later ones
  ConfigNode node;      // the destination's whole object, for its factory
  // The "transforms" array (mapping, strip, deidentify ...), applied in order before delivery.
  std::optional<ConfigNode> transforms;
  // "business_associate": {"covered": true, "agreement": "..."}: the receiver may see PHI
  // because a Business Associate Agreement (or being the covered entity's own system) covers
  // it. Not covered: `ferry check` demands a de-identifying transform.
  bool baa_covered = false;
  std::string baa_agreement;
};

struct EngineConfig {
  std::string config_file;
  std::string name = "ferry";
  std::string data_directory = "var/data";
  std::string log_level = "information";
  std::string log_file;  // empty: log to standard error
  std::string storage_url;
  std::string key_file;
  int key_file_line = 0;  // where "keys"/"file" stands, for errors found later
  bool create_keys = true;
  std::size_t max_message_bytes = 16 * 1024 * 1024;
  std::vector<ListenerSettings> listeners;
  std::vector<DestinationSettings> destinations;
  std::optional<ConfigNode> routes;  // the "routes" array, for the router factory
  std::optional<ConfigNode> root;    // the whole document, for transform factories
};

// Reads and checks `path`. Every problem found goes to `errors` (all of them, not the first).
// Returns nullptr only when the file could not be read as JSON at all; otherwise the config as
// far as it could be read, so that connector factories can check their parts too. Use it only
// when `errors` is empty.
std::shared_ptr<const EngineConfig> loadEngineConfig(const std::string& path, ConfigErrors& errors);

}  // namespace ferry::engine::config
