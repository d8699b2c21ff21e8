// Names the calling thread, so `top -H`, `ps -L`, `perf` and gdb show which
// component each of sluice's threads runs.
//
// Thread-safety: names only the calling thread.
#pragma once

#include <pthread.h>

#include <string>
#include <string_view>

namespace sluice {

/// Sets the calling thread's name to `name`, cut to the 15 bytes Linux keeps
/// (pthread_setname_np). Failure is ignored: a name is a diagnostic aid.
inline void set_thread_name(std::string_view name) {
  std::string n(name.substr(0, 15));
  (void)pthread_setname_np(pthread_self(), n.c_str());
}

}  // namespace sluice
