#include "pipeline/sources/file/file_watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace sluice {

namespace {
constexpr uint32_t kDirMask =
    IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
constexpr uint32_t kFileMask = IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF;
}  // namespace

Result<std::unique_ptr<FileWatcher>> FileWatcher::open(bool use_inotify, const std::string& owner) {
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (wake.fd() < 0) return Status::FromErrno("file source " + owner + ": eventfd", errno);
  UniqueFd in;
  if (use_inotify) {
    in = UniqueFd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (in.fd() < 0) {
      spdlog::info("file source {}: inotify unavailable ({}); polling files instead", owner, std::strerror(errno));
    }
  }
  return std::make_unique<FileWatcher>(std::move(wake), std::move(in));
}

FileWatcher::~FileWatcher() = default;

int FileWatcher::add_dir(const std::string& path, std::string* error) {
  if (!active()) return -1;
  int wd = ::inotify_add_watch(inotify_fd_.fd(), path.c_str(), kDirMask);
  if (wd < 0 && error != nullptr) *error = std::string("inotify_add_watch ") + path + ": " + std::strerror(errno);
  return wd;
}

int FileWatcher::add_file(int fd, std::string* error) {
  if (!active()) return -1;
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  int wd = ::inotify_add_watch(inotify_fd_.fd(), proc.c_str(), kFileMask);
  if (wd < 0 && error != nullptr) *error = "inotify_add_watch " + proc + ": " + std::strerror(errno);
  return wd;
}

void FileWatcher::remove(int wd) {
  if (active() && wd >= 0) ::inotify_rm_watch(inotify_fd_.fd(), wd);
}

void FileWatcher::wake() {
  uint64_t one = 1;
  // A full counter (2^64-2 wake-ups pending) still wakes the reader.
  [[maybe_unused]] ssize_t n = ::write(wake_fd_.fd(), &one, sizeof one);
}

void FileWatcher::wait(int64_t timeout_ns, std::vector<Event>* out) {
  pollfd fds[2] = {{wake_fd_.fd(), POLLIN, 0}, {inotify_fd_.fd(), POLLIN, 0}};
  nfds_t n = active() ? 2 : 1;
  // Round up to whole milliseconds so a short timeout does not spin.
  int64_t ms = timeout_ns <= 0 ? 0 : (timeout_ns + 999'999) / 1'000'000;
  int r = ::poll(fds, n, static_cast<int>(std::min<int64_t>(ms, 60'000)));
  if (r <= 0) return;
  if (fds[0].revents & POLLIN) {
    uint64_t v = 0;
    [[maybe_unused]] ssize_t got = ::read(wake_fd_.fd(), &v, sizeof v);
  }
  if (n == 2 && (fds[1].revents & POLLIN)) drain_inotify(out);
}

void FileWatcher::drain_inotify(std::vector<Event>* out) {
  alignas(inotify_event) char buf[16 * 1024];
  for (;;) {
    ssize_t len = ::read(inotify_fd_.fd(), buf, sizeof buf);
    if (len < 0 && errno == EINTR) continue;
    if (len <= 0) return;  // EAGAIN: drained
    for (ssize_t off = 0; off + static_cast<ssize_t>(sizeof(inotify_event)) <= len;) {
      inotify_event ev;
      std::memcpy(&ev, buf + off, sizeof ev);
      const char* name = buf + off + sizeof(inotify_event);
      out->push_back(Event{(ev.mask & IN_Q_OVERFLOW) ? -1 : ev.wd, ev.mask,
                           ev.len > 0 ? std::string(name, ::strnlen(name, ev.len)) : std::string(), ev.cookie});
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev.len);
    }
  }
}

}  // namespace sluice
