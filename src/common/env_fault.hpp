// FaultInjectionEnv: wraps another Env, remembers what has not been made
// durable, and can throw it away to simulate a power loss; it can also fail
// appends and syncs on demand (LevelDB's fault_injection_test.cc).
//
// Model of durability it simulates:
//   - a file's bytes are durable up to the size it had at its last
//     successful WritableFile::sync(); bytes appended after that are lost by
//     drop_unsynced_data();
//   - a file created through this Env is durable only after a successful
//     sync_dir() of its parent directory; until then
//     remove_files_created_since_dir_sync() deletes it;
//   - a file that already existed when this Env first saw it is durable in
//     full;
//   - truncate_file(), remove_file() and rename_file() are durable at once
//     (the WAL never depends on them being undone).
//
// map_region() is deliberately not forwarded to `base`: the default reads a
// copy through this Env, because a mapping of the base file would be SIGBUS
// once drop_unsynced_data() truncates the file below it.
//
// Ownership: the caller owns the FaultInjectionEnv; `base` must outlive it,
// and it must outlive every file handle it returned. Thread-safety: every
// method may be called from any thread; one mutex guards the bookkeeping.
// Invariant: for every tracked file, synced_size <= size, and size equals
// the base file's size as far as writes through this Env know.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/env.hpp"

namespace sluice {

class FaultInjectionEnv final : public Env {
 public:
  /// Wraps `base` (not owned, never null).
  explicit FaultInjectionEnv(Env* base);
  ~FaultInjectionEnv() override;
  FaultInjectionEnv(const FaultInjectionEnv&) = delete;
  FaultInjectionEnv& operator=(const FaultInjectionEnv&) = delete;

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
  int64_t now_unix_nanos() override;
  int64_t now_monotonic_nanos() override;

  // ---- Faults ----

  /// The next `n` WritableFile::append() calls fail with IOError. When
  /// `torn` is true, each failing append first writes the first half of its
  /// data (rounded down), as a crash in the middle of write(2) would.
  void fail_next_appends(int n, bool torn = false);
  /// The next `n` WritableFile::sync() and sync_dir() calls fail with
  /// IOError without syncing anything.
  void fail_next_syncs(int n);
  /// Number of injected failures so far.
  int injected_failures() const;

  // ---- Crash simulation (call after closing every handle, as a power loss
  // would have) ----

  /// Truncates every tracked file to its last synced size. Errors from the
  /// base Env (IOError) are returned after trying every file.
  Status drop_unsynced_data();
  /// Removes every file created through this Env whose directory was not
  /// synced since.
  Status remove_files_created_since_dir_sync();
  /// Both of the above: what survives a power loss.
  Status simulate_power_loss();

  /// Bytes appended to `path` since its last sync (0 for untracked files).
  uint64_t unsynced_bytes(const std::string& path) const;

 private:
  struct FileState {
    uint64_t size = 0;
    uint64_t synced_size = 0;
    bool created_since_dir_sync = false;
  };
  friend class FaultWritableFile;

  /// Called by file handles. Returns the injected failure or Ok.
  Status maybe_fail_append(const std::string& path, size_t len, size_t* torn_prefix);
  Status maybe_fail_sync(const std::string& what);
  void note_appended(const std::string& path, uint64_t new_size);
  void note_synced(const std::string& path, uint64_t size);

  Env* base_;
  mutable std::mutex mu_;
  std::map<std::string, FileState> files_;  // guarded by mu_
  int fail_appends_ = 0;                    // guarded by mu_
  bool torn_appends_ = false;               // guarded by mu_
  int fail_syncs_ = 0;                      // guarded by mu_
  int injected_failures_ = 0;               // guarded by mu_
};

}  // namespace sluice
