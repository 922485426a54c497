#include <filesystem>

#include "engine/cli/arguments.h"
#include "engine/cli/subcommands.h"
#include "engine/crypto/key_ring.h"
#include "engine/pipeline/engine.h"

namespace ferry::engine::cli {

int checkCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Arguments arguments(args, {"--config"}, {});
  auto config_path = arguments.value("--config");
  if (!arguments.error().empty() || !config_path) {
    err << "ferry check: "
        << (arguments.error().empty() ? "--config FILE is required" : arguments.error()) << "\n";
    return 2;
  }

  config::ConfigErrors errors;
  auto config = config::loadEngineConfig(*config_path, errors);
  auto engine = config ? pipeline::Engine::build(config, errors) : nullptr;

  // An existing key file is checked as the engine would at start (permissions, format).
  if (config && std::filesystem::exists(config->key_file)) {
    auto keys = crypto::KeyRing::loadOrCreate(config->key_file, false);
    if (!keys.isOk()) {
      errors.add(config::ConfigError{*config_path, config->key_file_line, "/keys/file",
                                     keys.status().context()});
    }
  }

  if (!errors.empty() || !engine) {
    err << errors.format();
    err << "ferry check: " << errors.all().size() << " error(s)\n";
    return 1;
  }
  out << "configuration OK: " << config->listeners.size() << " listener(s), "
      << config->destinations.size() << " destination(s)\n";
  return 0;
}

}  // namespace ferry::engine::cli
