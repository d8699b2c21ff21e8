// MemEnv: an Env whose files live in memory, for tests and fuzz targets
// (LevelDB's helpers/memenv).
//
// Files are byte strings in a map keyed by path; directories are a set of
// paths. The semantics follow POSIX where tests can observe them: a file
// must be created inside an existing directory, a removed or renamed file
// stays readable and writable through handles opened before, truncating to a
// larger size pads with zero bytes, and list_dir lists files and
// sub-directories. sync() and sync_dir() succeed and do nothing (memory
// never loses data; FaultInjectionEnv simulates losing it).
//
// Clocks do not move by themselves: they start at the values given to
// new_mem_env() and change only through set_now_unix_nanos(),
// set_now_monotonic_nanos() and advance_clock().
//
// Ownership: the caller owns the MemEnv; it must outlive every file handle
// it returned. Thread-safety: every method may be called from any thread
// (one mutex guards the namespace, one mutex per file guards its bytes); a
// single file handle must be used by one thread at a time, as for any Env.
// Invariant: every file path's parent directory was created with
// create_dirs() (or is "." or "/") when the file was created.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/env.hpp"

namespace sluice {

namespace mem_env_internal {
struct MemFile;
}  // namespace mem_env_internal

class MemEnv final : public Env {
 public:
  /// Starts the wall clock at `unix_nanos` and the monotonic clock at
  /// `monotonic_nanos`.
  MemEnv(int64_t unix_nanos, int64_t monotonic_nanos);
  ~MemEnv() override;
  MemEnv(const MemEnv&) = delete;
  MemEnv& operator=(const MemEnv&) = delete;

  Result<std::unique_ptr<WritableFile>> open_appendable(const std::string& path) override;
  Result<std::unique_ptr<ReadableFile>> open_readable(const std::string& path) override;
  bool exists(const std::string& path) override;
  Result<std::vector<std::string>> list_dir(const std::string& dir) override;
  Status create_dirs(const std::string& dir) override;
  Status remove_file(const std::string& path) override;
  Status rename_file(const std::string& from, const std::string& to) override;
  Status truncate_file(const std::string& path, uint64_t size) override;
  Result<uint64_t> file_size(const std::string& path) override;
  Status sync_dir(const std::string& dir) override;
  int64_t now_unix_nanos() override { return unix_nanos_.load(); }
  int64_t now_monotonic_nanos() override { return monotonic_nanos_.load(); }

  /// Sets the wall clock (ns since the Unix epoch).
  void set_now_unix_nanos(int64_t ns) { unix_nanos_.store(ns); }
  /// Sets the monotonic clock (ns from an arbitrary origin).
  void set_now_monotonic_nanos(int64_t ns) { monotonic_nanos_.store(ns); }
  /// Moves both clocks forward by `ns` nanoseconds.
  void advance_clock(int64_t ns) {
    unix_nanos_.fetch_add(ns);
    monotonic_nanos_.fetch_add(ns);
  }

  /// Test helper: replaces the whole content of an existing or new file
  /// (its directory must exist). Not part of Env.
  Status put_file(const std::string& path, std::string data);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<mem_env_internal::MemFile>> files_;  // guarded by mu_
  std::set<std::string> dirs_;                                               // guarded by mu_
  std::atomic<int64_t> unix_nanos_;
  std::atomic<int64_t> monotonic_nanos_;
};

/// Returns a new, empty in-memory Env whose clocks start at 2024-01-01T00:00:00Z
/// (wall) and 1 s (monotonic).
std::unique_ptr<MemEnv> new_mem_env();

}  // namespace sluice
