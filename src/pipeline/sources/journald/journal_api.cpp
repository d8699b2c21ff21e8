#include "pipeline/sources/journald/journal_api.hpp"

#include <dlfcn.h>

#include <string>

namespace sluice {

namespace {

constexpr const char* kLibrary = "libsystemd.so.0";

template <class F>
bool load(void* lib, const char* name, F* out, std::string* missing) {
  void* sym = ::dlsym(lib, name);
  if (sym == nullptr) {
    if (!missing->empty()) *missing += ", ";
    *missing += name;
    return false;
  }
  *out = reinterpret_cast<F>(sym);
  return true;
}

Result<const JournalApi*> load_api() {
  // RTLD_NODELETE: function pointers must stay valid for the process.
  void* lib = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (lib == nullptr) {
    const char* err = ::dlerror();
    return Status::NotFound(std::string(err ? err : kLibrary) +
                            "; the journald source needs libsystemd (Debian/Ubuntu: libsystemd0, Fedora: "
                            "systemd-libs)");
  }
  static JournalApi api;
  std::string missing;
  load(lib, "sd_journal_open", &api.open, &missing);
  load(lib, "sd_journal_open_directory", &api.open_directory, &missing);
  load(lib, "sd_journal_close", &api.close, &missing);
  load(lib, "sd_journal_next", &api.next, &missing);
  load(lib, "sd_journal_previous", &api.previous, &missing);
  load(lib, "sd_journal_seek_head", &api.seek_head, &missing);
  load(lib, "sd_journal_seek_tail", &api.seek_tail, &missing);
  load(lib, "sd_journal_seek_cursor", &api.seek_cursor, &missing);
  load(lib, "sd_journal_get_cursor", &api.get_cursor, &missing);
  load(lib, "sd_journal_get_realtime_usec", &api.get_realtime_usec, &missing);
  load(lib, "sd_journal_set_data_threshold", &api.set_data_threshold, &missing);
  load(lib, "sd_journal_restart_data", &api.restart_data, &missing);
  load(lib, "sd_journal_enumerate_data", &api.enumerate_data, &missing);
  load(lib, "sd_journal_add_match", &api.add_match, &missing);
  load(lib, "sd_journal_get_fd", &api.get_fd, &missing);
  load(lib, "sd_journal_get_timeout", &api.get_timeout, &missing);
  load(lib, "sd_journal_process", &api.process, &missing);
  load(lib, "sd_journal_get_usage", &api.get_usage, &missing);
  load(lib, "sd_id128_get_boot", &api.get_boot_id, &missing);
  if (!missing.empty()) {
    return Status::NotFound(std::string(kLibrary) + " lacks " + missing + " (systemd older than 209?)");
  }
  return &api;
}

}  // namespace

Result<const JournalApi*> journal_api() {
  static const Result<const JournalApi*> loaded = load_api();
  return loaded;
}

}  // namespace sluice
