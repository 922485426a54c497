#pragma once

// Runs the real `ferry` binary as a child process for end-to-end tests: start with a config,
// wait until its listeners are up (via --ready-file), stop it gracefully or kill -9 it.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace ferry::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // standard output and standard error together
};

// Runs `ferry <args>` to completion, capturing its output.
CommandResult runFerry(const std::vector<std::string>& args);

class EngineProcess {
 public:
  // Starts `ferry run --config <config>`; output goes to <work_dir>/engine-<n>.out.
  EngineProcess(const std::filesystem::path& config, const std::filesystem::path& work_dir);
  ~EngineProcess();  // kills the process if still running
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;

  // Waits until the engine wrote its ready file; false if it exited or the time ran out.
  bool waitReady(std::chrono::seconds limit = std::chrono::seconds(30));
  // Port of a listener from the ready file (0 when unknown).
  int port(const std::string& listener) const;
  // SIGTERM and wait; returns the exit code.
  int stop();
  // SIGKILL and wait, as a crash.
  void kill9();
  const std::filesystem::path& outputFile() const { return output_; }

 private:
  pid_t pid_ = -1;
  std::filesystem::path ready_file_;
  std::filesystem::path output_;
  std::map<std::string, int> ports_;
};

}  // namespace ferry::testing
