// SegmentScanner: reads one WAL segment file front to back and validates
// the file header and each entry's framing (lengths, checksums, type).
// Internal to src/store/wal; used by recovery (Wal::open) and WalReader.
//
// Payload decoding and offset density are the caller's checks: the scanner
// only guarantees that a returned payload is exactly the bytes the writer
// sealed.
//
// Ownership: owned by its user; `file` must outlive it. Thread-safety: one
// thread at a time. Invariant: the scanner never reads at or past `limit`,
// and buffers at most max(1 MiB, largest entry) bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/env.hpp"
#include "store/wal/wal_format.hpp"

namespace sluice::wal {

struct ScannedEntry {
  uint64_t position = 0;  ///< byte offset of the entry header in the file
  EntryHeader header;
  std::string_view payload;  ///< valid until the next call on the scanner
};

enum class ScanStep {
  kEntry,    ///< an entry was returned
  kEnd,      ///< the scanner is exactly at `limit`
  kCorrupt,  ///< the bytes at the current position are not a valid entry; see the WalError
};

class SegmentScanner {
 public:
  /// Reads `file` (named `path` in messages) up to byte `limit`.
  SegmentScanner(const ReadableFile* file, std::string path, uint64_t limit);

  /// Reads and checks the file header of a segment whose name says
  /// `name_base`, then positions the scanner after it. I/O failures are the
  /// returned Status; corruption is kCorrupt with `*error` filled. `header`
  /// gets every field read before the check that failed.
  Result<ScanStep> read_file_header(uint64_t name_base, FileHeader* header, WalError* error);

  /// Moves to byte `pos`, which must be an entry boundary.
  void seek(uint64_t pos) { pos_ = pos; }
  /// Byte offset of the next entry (after the last returned one).
  uint64_t position() const { return pos_; }

  /// Reads the entry at position(). On kCorrupt the position is unchanged
  /// and `error->byte_offset` is the entry's start.
  Result<ScanStep> next(ScannedEntry* entry, WalError* error);

 private:
  /// Makes bytes [pos, pos + n) available in buf_ and returns them.
  /// Requires pos + n <= limit_. A file shorter than `limit` is an error.
  Result<const char*> ensure(uint64_t pos, size_t n);

  const ReadableFile* file_;
  std::string path_;
  uint64_t limit_;
  uint64_t pos_ = 0;
  std::string buf_;  // bytes [buf_pos_, buf_pos_ + buf_.size()) of the file
  uint64_t buf_pos_ = 0;
};

}  // namespace sluice::wal
