#pragma once

// Subcommands of the ferry binary. Each returns the process exit code.

#include <ostream>
#include <string>
#include <vector>

namespace ferry::engine::cli {

int dispatch(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ferry::engine::cli
