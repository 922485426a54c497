#include "engine/cli/commands.h"

namespace ferry::engine::cli {

namespace {

constexpr const char* kUsage =
    "usage: ferry <command> [options]\n"
    "  run --config FILE            start the engine\n"
    "  check --config FILE          validate configuration, print every error\n"
    "  send --to HOST:PORT FILE...  send HL7v2 messages over MLLP, print each ACK code\n"
    "  audit verify --config FILE   verify the audit trail's chain\n";

}  // namespace

int dispatch(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? 2 : 0;
  }
  err << "ferry: unknown command '" << args[0] << "'\n" << kUsage;
  return 2;
}

}  // namespace ferry::engine::cli
