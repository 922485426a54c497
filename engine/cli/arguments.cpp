#include "engine/cli/arguments.h"

namespace ferry::engine::cli {

Arguments::Arguments(const std::vector<std::string>& args, std::set<std::string> with_value,
                     std::set<std::string> switches) {
  for (std::size_t index = 0; index < args.size(); ++index) {
    const std::string& arg = args[index];
    if (arg.rfind("--", 0) != 0) {
      positional_.push_back(arg);
      continue;
    }
    if (switches.contains(arg)) {
      present_.insert(arg);
      continue;
    }
    if (!with_value.contains(arg)) {
      error_ = "unknown option '" + arg + "'";
      return;
    }
    if (index + 1 >= args.size()) {
      error_ = "option '" + arg + "' needs a value";
      return;
    }
    values_[arg] = args[++index];
    present_.insert(arg);
  }
}

std::optional<std::string> Arguments::value(const std::string& option) const {
  auto found = values_.find(option);
  if (found == values_.end()) {
    return std::nullopt;
  }
  return found->second;
}

bool Arguments::has(const std::string& option) const { return present_.contains(option); }

}  // namespace ferry::engine::cli
