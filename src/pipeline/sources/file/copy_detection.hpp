// Content checks behind the file source's copytruncate support.
//
// logrotate's copytruncate copies app.log to app.log.1, then truncates
// app.log in place. The bytes of app.log that were not read yet survive only
// in the copy, at the same offsets. A copy has a new inode but the same first
// line, so its identity fingerprint equals the original's; these helpers
// decide, from the bytes themselves, whether a new file really is a copy of
// a followed file (and from which offset it still has unread content):
//
// - A Checkpoint is the XXH3 hash of the (up to kCheckpointBytes) bytes that
//   end at a read position. Each file keeps its last few (CheckpointRing),
//   recorded at the end of every read turn, so they survive the truncation
//   that destroys the bytes they describe.
// - A copy is accepted only when its bytes just before the offset it is to
//   resume from hash to the original's checkpoint there (or, for a live
//   original, equal the original's bytes at the same offsets).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace sluice {

/// Bytes hashed by a checkpoint (fewer at the start of a file).
inline constexpr uint64_t kCheckpointBytes = 256;

/// XXH3_64bits of the `length` bytes that end at `offset`.
struct Checkpoint {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t hash = 0;
  bool operator==(const Checkpoint&) const = default;
};

/// The checkpoint of `before`, the bytes that end at `offset` (only the last
/// kCheckpointBytes of it are hashed; the caller passes at least
/// min(offset, kCheckpointBytes) bytes).
Checkpoint make_checkpoint(std::string_view before, uint64_t offset);

/// Reads the bytes before `offset` from `fd` and returns their checkpoint;
/// nullopt when the file now ends before `offset`. IOError from pread.
Result<std::optional<Checkpoint>> read_checkpoint(int fd, uint64_t offset, const std::string& path);

/// Whether `fd` holds, before cp.offset, bytes that hash to cp (false when
/// the file is shorter). IOError from pread.
Result<bool> matches_checkpoint(int fd, const Checkpoint& cp, const std::string& path);

/// Whether two open files hold equal bytes in [end - window, end), where
/// window = min(end, kCheckpointBytes). False when either is shorter.
Result<bool> same_bytes_before(int fd_a, const std::string& path_a, int fd_b, const std::string& path_b, uint64_t end);

/// The last few checkpoints of a file, newest last.
///
/// Owner: a TailedFile or a departed generation. Threads: one at a time.
/// Invariant: offsets strictly increase from oldest to newest.
class CheckpointRing {
 public:
  static constexpr size_t kSize = 4;

  /// Adds `cp`, dropping every kept checkpoint at or past its offset (after
  /// a reset the offsets start again) and the oldest when full.
  void record(const Checkpoint& cp);
  void clear() { count_ = 0; }
  bool empty() const { return count_ == 0; }
  /// The newest checkpoint, or nullptr.
  const Checkpoint* newest() const { return count_ ? &items_[count_ - 1] : nullptr; }
  /// The newest checkpoint with 0 < offset <= `limit`, or nullptr.
  const Checkpoint* newest_at_or_below(uint64_t limit) const;

 private:
  std::array<Checkpoint, kSize> items_{};
  size_t count_ = 0;
};

/// Where a file of `size` bytes open as `fd`, whose fingerprint equals that
/// of an original read up to `position` (with `checkpoints`), resumes if it
/// is a copy of that original:
///   size >= position: `position`, if the copy's bytes before `position`
///     match the original's newest checkpoint (which is at `position`);
///   size <  position: `size` (everything in it was read from the original),
///     if the copy's bytes match the newest checkpoint at or below `size`.
/// nullopt when the bytes do not prove a copy (then it is a different file).
/// IOError from pread.
Result<std::optional<uint64_t>> copy_resume_offset(int fd, uint64_t size, const std::string& path, uint64_t position,
                                                   const CheckpointRing& checkpoints);

/// An identity key "dev:inode:fingerprint" split into its parts.
struct IdentityKeyParts {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t hash = 0;
};

/// Parses a key made by identity_key(); nullopt when malformed.
std::optional<IdentityKeyParts> parse_identity_key(std::string_view key);

}  // namespace sluice
