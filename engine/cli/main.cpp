// ferry: the engine binary. Subcommands: run, check, send, audit verify.

#include <iostream>
#include <string>
#include <vector>

#include "engine/cli/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return ferry::engine::cli::dispatch(args, std::cout, std::cerr);
}
