#include "pipeline/sources/exec/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice {

namespace {

/// posix_spawn attributes and file actions, destroyed on every path.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
};

Status make_pipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno("pipe2", errno);
  *read_end = UniqueFd(fds[0]);
  *write_end = UniqueFd(fds[1]);
  int flags = ::fcntl(fds[0], F_GETFL);
  if (flags < 0 || ::fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) != 0) return Status::FromErrno("fcntl", errno);
  return Status::Ok();
}

/// NULL-terminated pointer array over `v` (which must outlive it).
std::vector<char*> c_array(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "SIG" + std::to_string(sig);
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(const ExecCommand& command, bool capture_stderr) {
  auto child = std::make_unique<ChildProcess>(Key{});
  UniqueFd out_w, err_w;
  SLUICE_RETURN_IF_ERROR(make_pipe(&child->out_, &out_w));
  if (capture_stderr) SLUICE_RETURN_IF_ERROR(make_pipe(&child->err_, &err_w));

  SpawnSetup s;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  int rc = posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (rc == 0) rc = posix_spawnattr_setpgroup(&s.attr, 0);
  if (rc == 0) rc = posix_spawnattr_setsigmask(&s.attr, &none);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(&s.attr, &all);
  if (rc == 0) rc = posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&s.actions, out_w.fd(), 1);
  if (rc == 0) {
    rc = capture_stderr ? posix_spawn_file_actions_adddup2(&s.actions, err_w.fd(), 2)
                        : posix_spawn_file_actions_addopen(&s.actions, 2, "/dev/null", O_WRONLY, 0);
  }
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);
  if (rc == 0 && !command.working_directory.empty()) {
    rc = posix_spawn_file_actions_addchdir_np(&s.actions, command.working_directory.c_str());
  }
  if (rc != 0) return Status::FromErrno("preparing posix_spawn of " + command.path, rc);

  std::vector<char*> argv = c_array(command.argv);
  std::vector<char*> envp = c_array(command.env);
  pid_t pid = -1;
  rc = ::posix_spawn(&pid, command.path.c_str(), &s.actions, &s.attr, argv.data(), envp.data());
  if (rc != 0) {
    std::string where = command.working_directory.empty() ? "" : " in " + command.working_directory;
    return Status::FromErrno("posix_spawn " + command.path + where, rc);
  }
  child->pid_ = pid;
  // Not needed from here on: only the child may hold the write ends, so the
  // read ends see end-of-file once the group has closed them.
  out_w = UniqueFd();
  err_w = UniqueFd();
  long pidfd = ::syscall(SYS_pidfd_open, pid, 0);
  if (pidfd >= 0) {
    child->pidfd_ = UniqueFd(static_cast<int>(pidfd));
    ::fcntl(static_cast<int>(pidfd), F_SETFD, FD_CLOEXEC);  // pidfd_open sets it; make sure
  }
  return child;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) (void)reap();
}

bool ChildProcess::has_exited() {
  if (reaped_) return true;
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    if (errno != EINTR) return true;  // ECHILD: nothing left to wait for
  }
  return info.si_pid == pid_;
}

void ChildProcess::signal_group(int sig) {
  if (reaped_ || pid_ <= 0) return;
  ::kill(-pid_, sig);  // ESRCH when the whole group is gone: fine
}

ChildExit ChildProcess::reap() {
  if (reaped_ || pid_ <= 0) return exit_;
  // The child is not reaped yet, so its pid (the group id) is still
  // reserved: this cannot hit an unrelated group.
  ::kill(-pid_, SIGKILL);
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  reaped_ = true;
  if (r == pid_) {
    if (WIFEXITED(status)) exit_.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) exit_.signal = WTERMSIG(status);
  }
  return exit_;
}

}  // namespace sluice
