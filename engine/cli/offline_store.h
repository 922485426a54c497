#pragma once

// What the commands that read or change an engine's store without running it need: the
// configuration, the keys and the store it names. A missing database is an error (these
// commands must not create what they inspect), and so is a missing key file.

#include <memory>
#include <ostream>
#include <string>

#include "engine/config/engine_config.h"
#include "engine/crypto/key_ring.h"
#include "engine/store/store_backend.h"

namespace ferry::engine::cli {

struct OfflineStore {
  std::shared_ptr<const config::EngineConfig> config;
  std::shared_ptr<const crypto::KeyRing> keys;
  std::unique_ptr<store::StoreBackend> store;
};

// Opens all three for `command` ("ferry audit verify"), writing what went wrong to `err`
// prefixed with the command's name; nullptr then (exit code 2).
std::unique_ptr<OfflineStore> openOfflineStore(const std::string& config_path,
                                               const std::string& command, std::ostream& err);

}  // namespace ferry::engine::cli
