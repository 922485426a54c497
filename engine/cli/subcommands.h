#pragma once

// One function per subcommand; each returns the process exit code (0 ok, 1 the check or
// delivery failed, 2 bad usage or configuration).

#include <ostream>
#include <string>
#include <vector>

namespace ferry::engine::cli {

int runCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int checkCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int sendCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int auditVerifyCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int validateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int mapCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int messagesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ferry::engine::cli
