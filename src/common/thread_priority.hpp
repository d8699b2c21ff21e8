// Lowers the CPU priority of the calling thread, for background work (the
// store's compaction and retention) that should yield to the ingest path
// when the CPUs are full, and catch up when they are not.
//
// Thread-safety: changes only the calling thread. Linux gives each thread its
// own nice value (setpriority(2) with the thread id), and threads created
// afterwards by this thread inherit it.
#pragma once

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace sluice {

/// Sets the calling thread's nice value to `nice` (0..19; larger is lower
/// priority) when that lowers its priority; never raises it (which needs
/// privileges). Returns false when setpriority fails; the thread then keeps
/// its priority, which is only a missed optimisation.
inline bool lower_thread_priority(int nice) {
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  int current = ::getpriority(PRIO_PROCESS, tid);
  if (errno != 0) return false;
  if (nice <= current) return true;
  return ::setpriority(PRIO_PROCESS, tid, nice) == 0;
}

}  // namespace sluice
