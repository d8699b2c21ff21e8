#include "cli/commands.hpp"

#include <cstdio>

namespace sluice {
int run_cli(int argc, char** argv) {
  std::puts("sluice 0.1.0");
  return 0;
}
}  // namespace sluice
