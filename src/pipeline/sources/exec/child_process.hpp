// ChildProcess: one run of an exec source's command, in a process group of
// its own, with its standard output and error captured through pipes.
//
// Spawned with posix_spawn (glibc's CLONE_VFORK path: no fork handlers run,
// nothing is copied), so it is safe from a multi-threaded process:
//   - new process group (POSIX_SPAWN_SETPGROUP 0): the group id is the
//     child's pid, and signal_group() reaches the child and everything it
//     starts (unless they leave the group themselves with setsid/setpgid);
//   - empty signal mask and every signal at its default action (sluice
//     ignores SIGPIPE; an ignored signal would otherwise survive execve);
//   - stdin from /dev/null, stdout and stderr to pipes (stderr to /dev/null
//     when not captured), every other descriptor closed
//     (posix_spawn_file_actions_addclosefrom_np, glibc >= 2.34).
//
// Lifetime: the group never outlives the object. reap() (and the
// destructor, for a run that is abandoned) SIGKILLs what is left of the
// group while the child is still an unreaped zombie — so its pid, which is
// the group id, cannot have been reused — and then waits for the child.
// If sluice itself is killed with SIGKILL a running command keeps running
// until it ends on its own (a service manager's cgroup kill covers that).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "pipeline/sources/exec/exec_source_options.hpp"
#include "pipeline/sources/file/tailed_file.hpp"

namespace sluice {

/// How a run ended, decoded from waitpid's status.
struct ChildExit {
  std::optional<int> exit_code;  ///< set when the child called exit
  std::optional<int> signal;     ///< set when a signal ended it
};

/// "SIGTERM" for SIGTERM, "SIG<number>" for a signal without a name.
std::string signal_name(int sig);

/// A spawned command. Owner: the exec source's run thread; one thread at a
/// time. Invariant: while the object lives and reap() has not returned, the
/// child has not been reaped, so pid() is also a valid process group id.
class ChildProcess {
 public:
  /// Starts `command`. `capture_stderr`: stderr to its own pipe, else to
  /// /dev/null. IOError naming the executable when pipes cannot be made or
  /// posix_spawn fails (e.g. ENOENT, EACCES of the executable).
  static Result<std::unique_ptr<ChildProcess>> spawn(const ExecCommand& command, bool capture_stderr);

  /// Use spawn(); the key keeps construction inside this class.
  struct Key {
    explicit Key() = default;
  };
  explicit ChildProcess(Key) {}
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// Read ends (non-blocking, close-on-exec) of stdout and stderr; -1 once
  /// close_stdout()/close_stderr() was called or stderr is not captured.
  int stdout_fd() const { return out_.fd(); }
  int stderr_fd() const { return err_.fd(); }
  void close_stdout() { out_ = UniqueFd(); }
  void close_stderr() { err_ = UniqueFd(); }
  /// A pidfd that polls readable once the child exits (Linux >= 5.3), or -1
  /// where pidfd_open is unavailable (then poll has_exited() periodically).
  int exit_fd() const { return pidfd_.fd(); }

  /// True once the child has exited (not reaped; waitid WNOWAIT).
  bool has_exited();
  /// Sends `sig` to the whole process group. No-op after reap().
  void signal_group(int sig);
  /// SIGKILLs what is left of the group, waits for the child and returns how
  /// it ended. Blocks until the child has exited (the SIGKILL makes that
  /// immediate). Idempotent: later calls return the same result.
  ChildExit reap();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  ChildExit exit_;
  UniqueFd out_;
  UniqueFd err_;
  UniqueFd pidfd_;
};

}  // namespace sluice
