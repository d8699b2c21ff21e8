// The `sluice` command line: run, agent, query, config check|schema, version.
#pragma once

namespace sluice {
/// Parses argv and runs the chosen subcommand; returns the process exit code.
int run_cli(int argc, char** argv);
}  // namespace sluice
