#pragma once

// A small command-line reader: "--name value" options, "--flag" switches and positional
// arguments, with errors for unknown options.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ferry::engine::cli {

class Arguments {
 public:
  // `with_value` lists options that take a value; `switches` those that do not.
  Arguments(const std::vector<std::string>& args, std::set<std::string> with_value,
            std::set<std::string> switches);

  // Empty when the arguments were understood; otherwise what was wrong.
  const std::string& error() const { return error_; }
  std::optional<std::string> value(const std::string& option) const;
  bool has(const std::string& option) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> present_;
  std::vector<std::string> positional_;
  std::string error_;
};

}  // namespace ferry::engine::cli
