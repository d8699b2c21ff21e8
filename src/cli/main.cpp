// sluice: entry point. Subcommands live in src/cli/commands.cpp.
#include "cli/commands.hpp"

int main(int argc, char** argv) { return sluice::run_cli(argc, argv); }
