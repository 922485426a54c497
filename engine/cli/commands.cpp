#include "engine/cli/commands.h"

#include "engine/cli/subcommands.h"

namespace ferry::engine::cli {

namespace {

constexpr const char* kUsage =
    "usage: ferry <command> [options]\n"
    "  run --config FILE [--ready-file FILE]\n"
    "        start the engine; with --ready-file, write 'listener port' lines once listening\n"
    "  check --config FILE\n"
    "        validate all configuration without starting anything; print every error\n"
    "  send --to HOST:PORT [--tls --ca FILE [--cert FILE --key FILE] [--no-verify-host]]\n"
    "       [--timeout-ms N] [--keep-line-ends] FILE...\n"
    "        send every HL7v2 message in each file over MLLP and print each ACK code;\n"
    "        exits 1 unless every message was answered AA\n"
    "  audit verify --config FILE\n"
    "        check the audit trail's HMAC chain; names the first broken record\n"
    "  messages list --config FILE [--state dead|pending|delivered] [--destination NAME]\n"
    "       [--limit N]\n"
    "        list messages by delivery state (default: dead), oldest first, with the last error\n"
    "  messages reprocess --config FILE --destination NAME (--all-dead | MESSAGE_ID...)\n"
    "        requeue dead messages for delivery at the next start (the engine must be stopped)\n"
    "  map --mapping v2-to-fhir|fhir-to-v2 FILE [--collection] [--timezone ZONE]\n"
    "      [--message auto|ADT^A08|ADT^A04|ORU^R01]\n"
    "        dry run of a mapping: prints the output and the coverage report, sends nothing\n"
    "  validate [--json] FILE...\n"
    "        check HL7v2 and FHIR R4 JSON (.json, .ndjson) files; prints each verdict and the\n"
    "        issues by location and rule; exits 1 when any is invalid, 2 if unreadable\n";

}  // namespace

int dispatch(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? 2 : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string& command = args[0];
  if (command == "run") {
    return runCommand(rest, out, err);
  }
  if (command == "check") {
    return checkCommand(rest, out, err);
  }
  if (command == "map") {
    return mapCommand(rest, out, err);
  }
  if (command == "send") {
    return sendCommand(rest, out, err);
  }
  if (command == "validate") {
    return validateCommand(rest, out, err);
  }
  if (command == "messages") {
    return messagesCommand(rest, out, err);
  }
  if (command == "audit" && !rest.empty() && rest[0] == "verify") {
    return auditVerifyCommand(std::vector<std::string>(rest.begin() + 1, rest.end()), out, err);
  }
  err << "ferry: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

}  // namespace ferry::engine::cli
