#include <filesystem>

#include "engine/audit/audit_chain.h"
#include "engine/cli/arguments.h"
#include "engine/cli/subcommands.h"
#include "engine/config/engine_config.h"
#include "engine/crypto/key_ring.h"
#include "engine/pipeline/registry.h"

namespace ferry::engine::cli {

int auditVerifyCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Arguments arguments(args, {"--config"}, {});
  auto config_path = arguments.value("--config");
  if (!arguments.error().empty() || !config_path) {
    err << "ferry audit verify: "
        << (arguments.error().empty() ? "--config FILE is required" : arguments.error()) << "\n";
    return 2;
  }

  config::ConfigErrors errors;
  auto config = config::loadEngineConfig(*config_path, errors);
  if (!config || !errors.empty()) {
    err << errors.format();
    return 2;
  }
  auto keys = crypto::KeyRing::loadOrCreate(config->key_file, false);
  if (!keys.isOk()) {
    err << "ferry audit verify: " << keys.status().toString() << "\n";
    return 2;
  }
  // Verifying must not create what it verifies: a missing database is an error.
  const std::string kSqlite = "sqlite:";
  if (config->storage_url.rfind(kSqlite, 0) == 0 &&
      !std::filesystem::exists(config->storage_url.substr(kSqlite.size()))) {
    err << "ferry audit verify: no database at '" << config->storage_url.substr(kSqlite.size())
        << "'\n";
    return 2;
  }
  auto store = pipeline::openStore(config->storage_url);
  if (!store.isOk()) {
    err << "ferry audit verify: " << store.status().toString() << "\n";
    return 2;
  }

  auto report = audit::verifyAuditChain(*store.value(), *keys.value());
  if (!report.isOk()) {
    err << "ferry audit verify: " << report.status().toString() << "\n";
    return 1;
  }
  if (!report.value().ok) {
    out << "audit chain BROKEN at record " << report.value().first_bad_sequence << ": "
        << report.value().problem << " (" << report.value().records_checked
        << " record(s) checked)\n";
    return 1;
  }
  out << "audit chain OK: " << report.value().records_checked << " record(s) verified\n";
  return 0;
}

}  // namespace ferry::engine::cli
