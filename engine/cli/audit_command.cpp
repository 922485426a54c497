#include "engine/audit/audit_chain.h"
#include "engine/cli/arguments.h"
#include "engine/cli/offline_store.h"
#include "engine/cli/subcommands.h"

namespace ferry::engine::cli {

int auditVerifyCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Arguments arguments(args, {"--config"}, {});
  auto config_path = arguments.value("--config");
  if (!arguments.error().empty() || !config_path) {
    err << "ferry audit verify: "
        << (arguments.error().empty() ? "--config FILE is required" : arguments.error()) << "\n";
    return 2;
  }

  auto opened = openOfflineStore(*config_path, "ferry audit verify", err);
  if (!opened) {
    return 2;
  }

  auto report = audit::verifyAuditChain(*opened->store, *opened->keys);
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
