#include "engine/cli/offline_store.h"

#include <filesystem>

#include "engine/pipeline/registry.h"

namespace ferry::engine::cli {

std::unique_ptr<OfflineStore> openOfflineStore(const std::string& config_path,
                                               const std::string& command, std::ostream& err) {
  config::ConfigErrors errors;
  auto config = config::loadEngineConfig(config_path, errors);
  if (!config || !errors.empty()) {
    err << errors.format();
    return nullptr;
  }
  auto keys = crypto::KeyRing::loadOrCreate(config->key_file, false);
  if (!keys.isOk()) {
    err << command << ": " << keys.status().toString() << "\n";
    return nullptr;
  }
  const std::string kSqlite = "sqlite:";
  if (config->storage_url.rfind(kSqlite, 0) == 0 &&
      !std::filesystem::exists(config->storage_url.substr(kSqlite.size()))) {
    err << command << ": no database at '" << config->storage_url.substr(kSqlite.size()) << "'\n";
    return nullptr;
  }
  auto store = pipeline::openStore(config->storage_url);
  if (!store.isOk()) {
    err << command << ": " << store.status().toString() << "\n";
    return nullptr;
  }
  return std::make_unique<OfflineStore>(
      OfflineStore{std::move(config), keys.value(), std::move(store).value()});
}

}  // namespace ferry::engine::cli
