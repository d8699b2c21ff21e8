// Options of the `exec` source (runs allow-listed commands on an interval)
// and the check that turns them into a command that may run.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "config/options.hpp"

namespace sluice {

/// Configuration of one exec source. A plain value; see
/// exec_source_option_table() for the meaning and bounds of each field.
struct ExecSourceOptions {
  std::vector<std::string> command;           ///< argv; argv[0] a PATH name or an absolute path (required)
  std::vector<std::string> allowed_commands;  ///< absolute paths of the executables that may run (required)
  std::chrono::nanoseconds interval = std::chrono::minutes(1);    ///< start-to-start period
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);    ///< run time before SIGTERM to the group
  std::chrono::nanoseconds kill_grace = std::chrono::seconds(2);  ///< SIGTERM to SIGKILL
  bool include_stderr = true;                                     ///< capture stderr too
  std::vector<std::string> environment;                           ///< "NAME=value" entries added or replaced
  bool clear_environment = false;                                 ///< start from an empty environment
  std::string working_directory;                                  ///< "" = sluice's
  uint64_t max_line_bytes = 64 * 1024;                            ///< longer lines are split
  uint64_t max_output_bytes = 1024 * 1024;                        ///< per run, stdout + stderr
  int64_t max_batch_records = 1000;                               ///< records per emitted batch
};

/// The option table of the `exec` source. Built once; safe from any thread.
const OptionTable<ExecSourceOptions>& exec_source_option_table();

/// What one run executes, decided once when the configuration is loaded.
struct ExecCommand {
  std::string path;               ///< absolute path of the executable that was allowed (execve's path)
  std::vector<std::string> argv;  ///< as configured; argv[0] as the user wrote it
  std::vector<std::string> env;   ///< "NAME=value", the child's whole environment
  std::string working_directory;  ///< "" = inherit
};

/// Finds the executable `name` names: `name` itself when it contains a '/'
/// (it must then be absolute), else the first "<dir>/<name>" along `path_env`
/// (colon-separated; an empty entry means the current directory and is
/// skipped) that is a regular file with execute permission. NotFound or
/// InvalidArgument naming `name` and the directories searched.
Result<std::string> resolve_executable(const std::string& name, const std::string& path_env);

/// True when `resolved` (an absolute path) is one of `allowed`: equal as
/// written, or both naming the same file after resolving symbolic links
/// (so "/bin/df" allows "/usr/bin/df" on a merged-/usr system).
bool executable_allowed(const std::string& resolved, const std::vector<std::string>& allowed);

/// Validates `options` and builds the command: `command` is non-empty,
/// every allowed_commands entry is absolute, argv[0] resolves (along the
/// PATH of the child's environment, which is sluice's PATH unless
/// `environment` sets one) to an executable in allowed_commands, environment
/// entries are NAME=value, working_directory is absolute, timeout and
/// kill_grace are positive. `parent_env` is the environment to inherit
/// ("NAME=value" entries; sluice passes its own). InvalidArgument naming
/// the option and the command otherwise.
Result<ExecCommand> prepare_exec_command(const ExecSourceOptions& options, const std::vector<std::string>& parent_env);

/// sluice's own environment as "NAME=value" entries.
std::vector<std::string> current_environment();

}  // namespace sluice
