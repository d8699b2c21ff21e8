// FileWatcher: the file source's wake-ups. Linux inotify(7) watches on the
// directories its globs reach (new, renamed and deleted files) and on every
// open file (writes, truncation, unlink, rename), plus an eventfd that
// stop() uses to wake the reader thread.
//
// inotify is an optimisation, never a requirement: when it cannot be used
// (no inotify, out of instances or watches, a file system without events),
// the source polls, and a slow poll runs even while inotify works, for the
// events inotify does not deliver (e.g. writes on NFS by another host).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "pipeline/sources/file/tailed_file.hpp"

namespace sluice {

/// inotify instance + wake-up eventfd.
///
/// Owner: FileSource. Threads: wake() from any thread; everything else from
/// the thread that owns the source's per-file state (the reader thread, or
/// the thread calling start() before the reader exists).
/// Invariant: active() is true iff the inotify descriptor is open; every
/// watch descriptor returned is valid until remove() or an IN_IGNORED event.
class FileWatcher {
 public:
  /// One inotify event, reduced to what the source needs: the watch it
  /// belongs to (-1 for a queue overflow), its mask (IN_* bits), for an
  /// event about a directory entry the entry's name, and for a rename the
  /// cookie that pairs its IN_MOVED_FROM with its IN_MOVED_TO (0 otherwise).
  struct Event {
    int wd = -1;
    uint32_t mask = 0;
    std::string name;
    uint32_t cookie = 0;
  };

  /// Opens the eventfd, and the inotify instance when `use_inotify`.
  /// IOError when the eventfd cannot be created; a failing inotify_init1 is
  /// logged once and leaves active() false.
  static Result<std::unique_ptr<FileWatcher>> open(bool use_inotify, const std::string& owner);
  /// Takes the descriptors; use open().
  FileWatcher(UniqueFd wake_fd, UniqueFd inotify_fd)
      : wake_fd_(std::move(wake_fd)), inotify_fd_(std::move(inotify_fd)) {}
  ~FileWatcher();

  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  bool active() const { return inotify_fd_.fd() >= 0; }

  /// Watches directory `path` for entries created, moved in or out and
  /// deleted, and for the directory itself going away. Returns the watch
  /// descriptor, or -1 (inactive, or inotify_add_watch failed: *error set).
  int add_dir(const std::string& path, std::string* error);
  /// Watches the file open as `fd` (through /proc/self/fd, so the watch is
  /// on the very inode read, not on whatever the path names now) for
  /// writes, truncation, attribute changes (unlink), rename and deletion.
  /// Returns the watch descriptor or -1 (*error set).
  int add_file(int fd, std::string* error);
  /// Removes a watch; ignores descriptors the kernel already dropped.
  void remove(int wd);

  /// Waits up to `timeout_ns` (0: do not block) for inotify events or a
  /// wake(), and appends the events read to `out`. EINTR returns early.
  void wait(int64_t timeout_ns, std::vector<Event>* out);
  /// Makes a current or the next wait() return at once. Thread-safe.
  void wake();

 private:
  void drain_inotify(std::vector<Event>* out);

  UniqueFd wake_fd_;
  UniqueFd inotify_fd_;
};

}  // namespace sluice
