// ferry: the engine binary. Subcommands: see commands.cpp.

#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "engine/cli/commands.h"

int main(int argc, char** argv) {
  // A peer that closes its socket must cost that connection an error, not the process a signal.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  return ferry::engine::cli::dispatch(args, std::cout, std::cerr);
}
