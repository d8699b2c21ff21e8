// Env: every file and clock access of the storage code goes through this
// interface so that tests can run the same code on a POSIX file system, in
// memory, or with injected faults (LevelDB's Env and fault_injection_test).
//
// Paths are plain strings with '/' separators. Implementations are
// thread-safe: any thread may call any method; a single WritableFile or
// ReadableFile object must be used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace sluice {

/// A file opened for appending. Owned by the caller; closes on destruction
/// (without syncing).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  /// Appends all of `data` (loops over short writes).
  virtual Status append(std::string_view data) = 0;
  /// Makes everything appended so far durable (fdatasync).
  virtual Status sync() = 0;
  virtual Status close() = 0;
  /// Bytes in the file: its size at open plus what was appended since.
  virtual uint64_t size() const = 0;
};

/// A file opened for positional reads. Owned by the caller.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  /// Reads up to `n` bytes at `offset` into `out` (resized to what was
  /// read; fewer than `n` only at end of file).
  virtual Status read_at(uint64_t offset, size_t n, std::string* out) const = 0;
  virtual Result<uint64_t> size() const = 0;
};

/// Bytes of a file held in memory: mapped read-only (POSIX mmap, sharing
/// the page cache) or, where the Env cannot map, a copy. The bytes stay
/// valid for the object's lifetime, also after the file is unlinked or
/// appended to, and stay unchanged as long as nobody rewrites them in the
/// file. Meanwhile the file must not be truncated below them, and a deleted
/// file keeps its disk space until the last mapping of it is gone. Reading
/// a mapped page past the file's end, or one the disk cannot read back
/// once the kernel dropped it from the page cache, is SIGBUS.
/// Thread-safe: read-only.
class MappedRegion {
 public:
  virtual ~MappedRegion() = default;
  virtual std::string_view bytes() const = 0;
};

/// An exclusive lock on a file (Env::lock_file), held until destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env;

/// Creates data directory `dir` and locks `dir/LOCK` (Env::lock_file), so
/// that one sluice process at a time keeps its state there (`who` names
/// the directory in the error, e.g. "store: data_dir"). Unavailable "<who>
/// <dir> is in use; one sluice process per data directory: <dir>/LOCK is
/// locked by process N"; the Env's errors otherwise.
Result<std::unique_ptr<FileLock>> lock_data_dir(Env* env, const std::string& dir, std::string_view who);

class Env {
 public:
  /// Most mappings PosixEnv::map_region keeps alive at once (a quarter of
  /// Linux's default vm.max_map_count).
  static constexpr size_t kMaxLiveMappings = 16384;

  virtual ~Env() = default;

  /// The process-wide POSIX Env. Never null; lives for the whole process.
  static Env* posix();

  /// Opens `path` for appending, creating it when missing.
  virtual Result<std::unique_ptr<WritableFile>> open_appendable(const std::string& path) = 0;
  virtual Result<std::unique_ptr<ReadableFile>> open_readable(const std::string& path) = 0;
  virtual bool exists(const std::string& path) = 0;
  /// Names (not paths) of the entries of directory `dir`, unsorted.
  virtual Result<std::vector<std::string>> list_dir(const std::string& dir) = 0;
  /// Creates `dir` and its missing parents.
  virtual Status create_dirs(const std::string& dir) = 0;
  virtual Status remove_file(const std::string& path) = 0;
  /// Atomically replaces `to` with `from` (rename(2)).
  virtual Status rename_file(const std::string& from, const std::string& to) = 0;
  virtual Status truncate_file(const std::string& path, uint64_t size) = 0;
  virtual Result<uint64_t> file_size(const std::string& path) = 0;
  /// fsyncs an existing file written by someone else (e.g. DuckDB's COPY).
  virtual Status sync_file(const std::string& path) { return Status::Ok(); }
  /// fsyncs the directory itself so that creations and renames in it are durable.
  virtual Status sync_dir(const std::string& dir) = 0;
  /// Writes `data` to `path` atomically: temp file, fsync, rename, fsync dir.
  virtual Status write_file_atomic(const std::string& path, std::string_view data);
  /// Reads a whole file of at most `max_bytes` bytes (ResourceExhausted if larger).
  virtual Result<std::string> read_file(const std::string& path, uint64_t max_bytes);
  /// Bytes [offset, offset + size) of `path` (MappedRegion). NotFound for a
  /// missing file; InvalidArgument when the file ends before them;
  /// ResourceExhausted when PosixEnv already holds kMaxLiveMappings
  /// mappings (the kernel's vm.max_map_count, 65,530 by default, counts
  /// every mapping of the process, thread stacks and large allocations
  /// too); IOError from the file system. The default reads a copy
  /// (open_readable); PosixEnv maps the file.
  virtual Result<std::shared_ptr<const MappedRegion>> map_region(const std::string& path, uint64_t offset, size_t size);
  /// Locks `path` (created when missing) for as long as the FileLock lives,
  /// against every other lock_file() of it, in this process or another
  /// (POSIX flock: released when the process exits, however it ends).
  /// PosixEnv writes its process id into the file, for whoever finds it
  /// locked. Unavailable when it is locked already (by this process too),
  /// naming the holder's process id; IOError from the file system. The default takes no lock
  /// (MemEnv, FaultInjectionEnv: tests).
  virtual Result<std::unique_ptr<FileLock>> lock_file(const std::string& path);

  /// Wall-clock time in nanoseconds since the Unix epoch.
  virtual int64_t now_unix_nanos() = 0;
  /// Monotonic time in nanoseconds from an arbitrary origin.
  virtual int64_t now_monotonic_nanos() = 0;
};

}  // namespace sluice
