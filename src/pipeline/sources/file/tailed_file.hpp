// Per-file state of the file source: the open descriptor, the file's
// identity (device + inode + fingerprint), the read position and the
// counters that a metrics registry will export.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "pipeline/sources/file/copy_detection.hpp"
#include "pipeline/sources/file/line_splitter.hpp"
#include "pipeline/sources/file/token_bucket.hpp"

namespace sluice {

/// Owns a POSIX file descriptor and closes it on destruction.
///
/// Owner: the holder. Threads: one at a time. Invariant: fd() is -1 or an
/// open descriptor owned by this object alone.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

/// Steady-clock time in nanoseconds: the file source's scheduling clock.
inline int64_t file_steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// A file's device and inode numbers.
using FileId = std::pair<uint64_t, uint64_t>;

/// Hash of a file's first bytes, which tells a reused inode from the file
/// that had it before.
struct Fingerprint {
  uint64_t hash = 0;    ///< XXH3_64bits of the first `length` bytes
  uint64_t length = 0;  ///< bytes hashed: through the first '\n', at most the cap

  bool operator==(const Fingerprint&) const = default;
};

/// Reads up to `n` bytes at `offset` into `buf`, looping over short reads
/// and EINTR. Returns the bytes read (fewer than `n` only at end of file) or
/// an IOError naming `path` and the offset.
Result<size_t> pread_full(int fd, char* buf, size_t n, uint64_t offset, const std::string& path);

/// Computes the fingerprint of the open file `fd`: XXH3_64bits of its bytes
/// from offset 0 up to and including the first '\n', capped at `max_bytes`.
/// Returns nullopt while the file has neither a '\n' nor `max_bytes` bytes
/// (its first line is incomplete), unless `force` is set, in which case
/// whatever bytes exist are hashed (nullopt only for an empty file).
/// IOError when the read fails.
Result<std::optional<Fingerprint>> read_fingerprint(int fd, uint64_t max_bytes, bool force, const std::string& path);

/// Whether the open file `fd` still starts with the bytes `fp` was computed
/// from: XXH3_64bits of its first fp.length bytes equals fp.hash (false when
/// it is shorter). Unlike comparing with a new read_fingerprint(), this holds
/// for a fingerprint forced over an incomplete first line that has grown
/// since. IOError when the read fails.
Result<bool> starts_with_fingerprint(int fd, const Fingerprint& fp, const std::string& path);

/// The identity key "dev:inode:fingerprint" used as SourcePosition::key;
/// device and inode in decimal, the hash as 16 lower-case hex digits.
std::string identity_key(uint64_t dev, uint64_t ino, uint64_t hash);

/// Counters of one tailed file, for export by a metrics registry.
struct FileStats {
  std::string path;            ///< last known path
  std::string key;             ///< identity key; empty until the first line is complete
  uint64_t bytes_read = 0;     ///< bytes returned by pread, including re-reads of a held partial line
  uint64_t lines_emitted = 0;  ///< records (lines or line pieces) added to batches
  uint64_t size = 0;           ///< file size at the last poll, bytes
  uint64_t position = 0;       ///< next byte to consume
  uint64_t lag_bytes = 0;      ///< size - position (0 when the file shrank, and for a copy not read)
  bool rotated = false;        ///< renamed away or deleted; being drained
  bool copy = false;           ///< a copy of another followed file, not read while that one is
  bool watched = false;        ///< inotify watches it (else it is polled)
};

/// One open file followed by the file source.
///
/// Owner: FileSource (its reader thread; the initial scan in start() runs
/// before that thread exists). Threads: one at a time.
/// Invariant: `fd` refers to the inode (dev, ino); `key` is non-empty iff
/// `fingerprint` is set; `position` is a byte offset at a line boundary or
/// at a piece boundary of a split line (then splitter.mid_line()); the
/// newest checkpoint, if any, is at `position` or behind it.
struct TailedFile {
  TailedFile(UniqueFd f, uint64_t d, uint64_t i, std::string p, uint64_t max_line_bytes)
      : fd(std::move(f)), dev(d), ino(i), splitter(max_line_bytes) {
    set_path(std::move(p));
  }

  /// Sets the path and its last component.
  void set_path(std::string p);
  FileId id() const { return {dev, ino}; }
  uint64_t lag() const { return copy_of || size <= position ? 0 : size - position; }

  UniqueFd fd;
  uint64_t dev = 0;
  uint64_t ino = 0;
  std::string path;
  std::string name;  ///< basename of path
  std::optional<Fingerprint> fingerprint;
  std::string key;
  uint64_t position = 0;
  LineSplitter splitter;

  bool found_at_start = false;  ///< seen by the scan in start(): start_at and committed positions apply
  bool resumed = false;         ///< started from a committed position (or start_at = end)
  std::vector<uint64_t> cuts;   ///< ascending offsets after which a batch ends (SourceContext::resume_cuts)
  uint64_t replay_until = 0;    ///< positions up to here are SourcePosition::replay (the last cut at resume)
  bool sniffed = false;         ///< first bytes checked for a compression signature
  bool ignored = false;         ///< compressed: never read, descriptor closed
  uint64_t size = 0;            ///< size at the last fstat
  int64_t last_change_ns = 0;   ///< steady-clock time the size last changed
  uint64_t verified_size = 0;   ///< size when the fingerprint was last re-checked
  uint64_t read_end = 0;        ///< end of the bytes seen by the last read that hit end of file
  bool deleted = false;         ///< st_nlink dropped to 0
  int missing_scans = 0;        ///< consecutive glob scans that did not find the inode
  std::string last_error;       ///< last I/O error logged, to log each distinct one once

  // copytruncate (copy_detection.hpp)
  CheckpointRing checkpoints;     ///< hashes of the bytes before recent read positions
  std::string tail;               ///< the last min(position, kCheckpointBytes) bytes consumed (else empty)
  std::optional<FileId> copy_of;  ///< set while this file is a copy of that (live) file and is not read
  uint64_t linked_size = 0;       ///< size when copy_of was last verified

  // Scheduling on the reader thread.
  int watch = -1;                     ///< inotify watch descriptor, -1 when polled
  bool queued = false;                ///< in the source's run queue
  int64_t timer_ns = 0;               ///< a timer is armed for this steady-clock time (0: none)
  std::optional<TokenBucket> bucket;  ///< max_read_bytes_per_second

  // Metrics.
  std::string metric_path;    ///< path its lag is reported under ("" = not reported)
  uint64_t reported_lag = 0;  ///< lag last reported

  uint64_t bytes_read = 0;
  uint64_t lines_emitted = 0;

  /// Snapshot of the counters.
  FileStats stats() const;
};

}  // namespace sluice
