// WalReader: iterates the entries of a WAL from a stream offset, across
// segment files, in offset order. Created by Wal::read_from().
//
// Ownership: owned by the caller of Wal::read_from(); the Env it was created
// with must outlive it; the Wal need not (the reader holds its own snapshot).
// Thread-safety: one thread at a time, and that thread may differ from the
// Wal's writer: the reader only reads bytes that were durable when it was
// created (a snapshot of the segment list and of the durable end), and the
// Wal never rewrites such bytes while it is open. Wal::trim_before() may
// delete a segment the reader has not opened yet; next() then fails with
// NotFound. Destroy readers before reopening (recovering) the same WAL.
// Invariant: the entries returned are contiguous: each entry's first_offset
// is the previous entry's first_offset plus its record count.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/env.hpp"
#include "common/status.hpp"
#include "model/batch.hpp"
#include "store/wal/segment_scanner.hpp"

namespace sluice {

/// One committed WAL entry: a batch whose record i has stream offset
/// first_offset + i. A position-only commit has no records and
/// first_offset equal to the offset of the next record appended after it.
struct WalEntry {
  uint64_t first_offset = 0;
  LogBatch batch;
};

class WalReader {
 public:
  /// A byte range of one segment file to read; built by Wal::read_from().
  struct Range {
    std::string path;
    uint64_t base_offset = 0;
    uint64_t start_position = 0;  ///< entry boundary to start at (>= 32, the file header size)
    uint64_t limit = 0;           ///< bytes of the file that are durable and may be read
  };

  /// Reads `ranges` in order, returning records with offsets >= `offset`
  /// and position-only entries with first_offset >= `offset`.
  WalReader(Env* env, std::vector<Range> ranges, uint64_t offset);
  ~WalReader();
  WalReader(const WalReader&) = delete;
  WalReader& operator=(const WalReader&) = delete;

  /// Fills `*entry` with the next entry and returns true, or returns false
  /// at the end of the snapshot. An entry that starts before `offset` comes
  /// back with its earlier records removed and first_offset == offset.
  /// Errors: Corruption "<kind>: <file> at byte <n>: ..." (kinds as in
  /// wal_format.hpp) when bytes fail validation; NotFound when a segment was
  /// trimmed away; IOError from the Env. After an error, next() keeps
  /// returning it.
  Result<bool> next(WalEntry* entry);

 private:
  Status open_current();

  Env* env_;
  std::vector<Range> ranges_;
  uint64_t offset_;
  size_t index_ = 0;  // current range
  std::unique_ptr<ReadableFile> file_;
  std::unique_ptr<wal::SegmentScanner> scanner_;
  bool have_expected_ = false;
  uint64_t expected_next_ = 0;  // first_offset the next entry must have
  Status failed_;
};

}  // namespace sluice
