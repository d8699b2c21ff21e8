// sluice: entry point. Subcommands live in src/cli/commands.cpp.
#include <unistd.h>

#include <cstdlib>

#include "cli/commands.hpp"

namespace {

#ifdef SLUICE_TCMALLOC
// Records are allocated on the source and parser threads and freed on the
// sink thread, so every allocation refills the allocating thread's cache
// from tcmalloc's central lists. gperftools moves at most
// TCMALLOC_TRANSFER_NUM_OBJ objects per refill (32 by default); 1024 cut the
// access-log ingest's CPU per line by a quarter (docs/benchmarks.md,
// "Allocator"). tcmalloc reads the variable once, at the first allocation,
// long before main(), so the process starts itself again with it set (by
// the executable's path, not /proc/self/exe, so that its name stays
// "sluice" for ps, top and pkill). A value the user set is kept; when the
// path cannot be read or run (no /proc, the file replaced) the process goes
// on as it is.
void tune_allocator(char** argv) {
  if (std::getenv("TCMALLOC_TRANSFER_NUM_OBJ") != nullptr) return;
  char path[4096];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0 || n >= static_cast<ssize_t>(sizeof path - 1)) return;
  path[n] = '\0';
  if (::setenv("TCMALLOC_TRANSFER_NUM_OBJ", "1024", 1) != 0) return;
  ::execv(path, argv);
  ::unsetenv("TCMALLOC_TRANSFER_NUM_OBJ");  // not applied: do not pass it on either
}
#else
void tune_allocator(char** /*argv*/) {}
#endif

}  // namespace

int main(int argc, char** argv) {
  tune_allocator(argv);
  return sluice::run_cli(argc, argv);
}
