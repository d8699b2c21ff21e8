#include "pipeline/sources/exec/exec_source_options.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

extern char** environ;  // POSIX: the process environment

namespace sluice {

const OptionTable<ExecSourceOptions>& exec_source_option_table() {
  static const OptionTable<ExecSourceOptions> table = [] {
    using O = ExecSourceOptions;
    OptionTable<O> t;
    t.add_string_list("command", &O::command, {},
                      "The program and its arguments, e.g. [\"df\", \"-P\"]. Run directly (no shell; write [\"sh\", "
                      "\"-c\", \"...\"] for one). The program is a name looked up in PATH or an absolute path, and "
                      "must be listed in allowed_commands.",
                      /*required=*/true);
    t.add_string_list("allowed_commands", &O::allowed_commands, {},
                      "Absolute paths of the executables this source may run, e.g. [\"/usr/bin/df\"]. The program "
                      "of `command`, resolved to an absolute path through PATH, must be one of them (symbolic "
                      "links are followed on both sides); otherwise the configuration does not load. Keep this "
                      "list under review: it is what decides what sluice executes.",
                      /*required=*/true);
    t.add_duration("interval", &O::interval, "1m", "100ms", "24h",
                   "Time from the start of one run to the start of the next; the first run starts at once. Runs "
                   "never overlap: a run still going at its next start time makes that start wait for the next "
                   "multiple of interval.");
    t.add_duration("timeout", &O::timeout, "30s", "10ms", "24h",
                   "A run still going after this long gets SIGTERM (its whole process group), then SIGKILL after "
                   "kill_grace; its exit record says exec.timed_out = \"true\".");
    t.add_duration("kill_grace", &O::kill_grace, "2s", "0s", "1m",
                   "Time between SIGTERM and SIGKILL when a run times out.");
    t.add_bool("include_stderr", &O::include_stderr, true,
               "Capture standard error as well as standard output (exec.stream tells them apart); otherwise "
               "standard error goes to /dev/null.");
    t.add_string_list("environment", &O::environment, {},
                      "Environment variables for the command as \"NAME=value\" entries, added to (or replacing) "
                      "the inherited ones.");
    t.add_bool("clear_environment", &O::clear_environment, false,
               "Start the command with no inherited environment, only `environment` (PATH for the lookup of "
               "`command` then comes from `environment`, else /usr/local/bin:/usr/bin:/bin).");
    t.add_string("working_directory", &O::working_directory, "",
                 "Absolute directory the command runs in; empty: sluice's working directory.");
    t.add_size("max_line_bytes", &O::max_line_bytes, "64KiB", "16B", "16MiB",
               "Longest line emitted as one record; a longer line is split into records of this many bytes, "
               "marked log.split = first|middle|last.");
    t.add_size("max_output_bytes", &O::max_output_bytes, "1MiB", "1KiB", "1GiB",
               "Bytes of output (stdout and stderr together) turned into records per run. Further output is "
               "read and discarded so the command does not block; the exit record counts it in "
               "exec.output.dropped_bytes.");
    t.add_integer("max_batch_records", &O::max_batch_records, 1000, 1, 100000,
                  "Most records in one batch sent downstream (a run's output may span several batches).");
    return t;
  }();
  return table;
}

namespace {

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string canonical(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return "";
  return buf;
}

std::string quoted_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", \"" : "\"") + v[i] + "\"";
  return out + "]";
}

/// Index of the entry of `env` that defines `name`, or -1.
int find_env(const std::vector<std::string>& env, std::string_view name) {
  for (size_t i = 0; i < env.size(); ++i) {
    if (env[i].size() > name.size() && env[i].compare(0, name.size(), name) == 0 && env[i][name.size()] == '=') {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace

Result<std::string> resolve_executable(const std::string& name, const std::string& path_env) {
  if (name.empty()) return Status::InvalidArgument("command[0] is empty: expected a program name or absolute path");
  if (name.find('/') != std::string::npos) {
    if (name.front() != '/') {
      return Status::InvalidArgument("command[0] \"" + name +
                                     "\" is a relative path: expected a name found in PATH or an absolute path");
    }
    if (!is_executable_file(name)) return Status::NotFound("command[0] \"" + name + "\" is not an executable file");
    return name;
  }
  size_t start = 0;
  while (start <= path_env.size()) {
    size_t end = path_env.find(':', start);
    if (end == std::string::npos) end = path_env.size();
    std::string dir = path_env.substr(start, end - start);
    start = end + 1;
    if (dir.empty() || dir.front() != '/') continue;  // relative PATH entries depend on the cwd: never used
    std::string candidate = dir + (dir.back() == '/' ? "" : "/") + name;
    if (is_executable_file(candidate)) return candidate;
  }
  return Status::NotFound("command[0] \"" + name + "\" was not found as an executable in PATH \"" + path_env + "\"");
}

bool executable_allowed(const std::string& resolved, const std::vector<std::string>& allowed) {
  std::string real = canonical(resolved);
  for (const auto& a : allowed) {
    if (a == resolved) return true;
    if (!real.empty() && canonical(a) == real) return true;
  }
  return false;
}

Result<ExecCommand> prepare_exec_command(const ExecSourceOptions& o, const std::vector<std::string>& parent_env) {
  if (o.command.empty()) return Status::InvalidArgument("command must name a program, found []");
  if (o.allowed_commands.empty()) {
    return Status::InvalidArgument("allowed_commands must list the absolute path of \"" + o.command[0] +
                                   "\", found []");
  }
  for (const auto& a : o.allowed_commands) {
    if (a.empty() || a.front() != '/') {
      return Status::InvalidArgument("allowed_commands entries must be absolute paths, found \"" + a + "\"");
    }
  }
  ExecCommand c;
  c.argv = o.command;
  if (!o.clear_environment) c.env = parent_env;
  for (const auto& e : o.environment) {
    size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("environment entries must be NAME=value, found \"" + e + "\"");
    }
    int i = find_env(c.env, std::string_view(e).substr(0, eq));
    if (i >= 0) {
      c.env[static_cast<size_t>(i)] = e;
    } else {
      c.env.push_back(e);
    }
  }
  if (!o.working_directory.empty()) {
    if (o.working_directory.front() != '/') {
      return Status::InvalidArgument("working_directory must be an absolute path, found \"" + o.working_directory +
                                     "\"");
    }
    c.working_directory = o.working_directory;
  }
  if (o.timeout.count() <= 0) return Status::InvalidArgument("timeout must be positive");
  if (o.kill_grace.count() < 0) return Status::InvalidArgument("kill_grace must not be negative");
  int p = find_env(c.env, "PATH");
  std::string path_env = p >= 0 ? c.env[static_cast<size_t>(p)].substr(5) : kDefaultPath;
  auto resolved = resolve_executable(o.command[0], path_env);
  if (!resolved.ok()) return resolved.status().with_context("command");
  if (!executable_allowed(*resolved, o.allowed_commands)) {
    return Status::InvalidArgument("command \"" + o.command[0] + "\" resolves to " + *resolved +
                                   ", which is not in allowed_commands " + quoted_list(o.allowed_commands));
  }
  c.path = std::move(*resolved);
  return c;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
  return out;
}

}  // namespace sluice
