#include <signal.h>

#include <fstream>

#include "engine/cli/arguments.h"
#include "engine/cli/logging_setup.h"
#include "engine/cli/subcommands.h"
#include "engine/pipeline/engine.h"

namespace ferry::engine::cli {

namespace {

// Blocks SIGINT and SIGTERM in every thread (threads inherit the mask), so that the main
// thread alone receives them through sigwait.
sigset_t blockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

bool writeReadyFile(const std::string& path, const pipeline::Engine& engine) {
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    for (const auto& listener : engine.config().listeners) {
      out << listener.name << " " << engine.boundPort(listener.name) << "\n";
    }
    if (!out) {
      return false;
    }
  }
  return std::rename(temp.c_str(), path.c_str()) == 0;
}

}  // namespace

int runCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Arguments arguments(args, {"--config", "--ready-file"}, {});
  auto config_path = arguments.value("--config");
  if (!arguments.error().empty() || !config_path) {
    err << "ferry run: "
        << (arguments.error().empty() ? "--config FILE is required" : arguments.error()) << "\n";
    return 2;
  }

  config::ConfigErrors errors;
  auto config = config::loadEngineConfig(*config_path, errors);
  auto engine = config ? pipeline::Engine::build(config, errors) : nullptr;
  if (!errors.empty() || !engine) {
    err << errors.format();
    return 2;
  }

  setUpLogging(config->log_level, config->log_file);
  sigset_t signals = blockStopSignals();
  if (Status started = engine->start(); !started.isOk()) {
    err << "ferry run: cannot start: " << started.toString() << "\n";
    engine->stop();
    flushLogging();
    return 1;
  }
  for (const auto& listener : config->listeners) {
    out << "listening: " << listener.name << " on port " << engine->boundPort(listener.name)
        << "\n";
  }
  out.flush();
  if (auto ready = arguments.value("--ready-file"); ready && !writeReadyFile(*ready, *engine)) {
    err << "ferry run: cannot write ready file '" << *ready << "'\n";
  }

  int received = 0;
  sigwait(&signals, &received);
  out << "stopping (signal " << received << ")\n";
  engine->stop();
  flushLogging();
  return 0;
}

}  // namespace ferry::engine::cli
