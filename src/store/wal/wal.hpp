// Wal: the write-ahead log of one stream, a directory of segment files named
// by base offset (format: docs/formats/wal.md, constants: wal_format.hpp).
//
// Each append() writes one entry holding one LogBatch (records and the
// source positions they advance) and assigns the records dense stream
// offsets [next_offset, next_offset + n). Nothing is durable until sync()
// returns Ok; a caller acknowledges ingest only after that (group commit:
// append several batches, then sync once).
//
// Ownership: the stream's writer owns the Wal. One Wal per directory: two
// Wal objects (in one process or two) over the same directory corrupt it;
// the caller guarantees exclusivity (there is no lock file yet).
// Thread-safety: externally synchronized. Every method must be called by one
// thread at a time (the stream's writer, or under the caller's lock);
// read_from() included. The WalReader it returns may then be used on any one
// other thread, concurrently with further appends, syncs and trims (see
// wal_reader.hpp for what is safe).
// Invariants:
//   - first_offset() <= durable_offset() <= next_offset();
//   - segments are contiguous: each segment's base offset is the end offset
//     of the one before it, and every entry's first_offset is the end of the
//     entry before it;
//   - every byte before a reader's snapshot limit is never rewritten while
//     the Wal is open;
//   - after an append or sync I/O failure the Wal is failed: every later
//     append()/sync() returns that error, and only reopening (which runs
//     recovery) continues. fsync failures cannot be retried safely (the
//     kernel may have dropped the dirty pages), and a failed append may have
//     left a torn entry that later entries must not follow.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/env.hpp"
#include "common/status.hpp"
#include "model/batch.hpp"
#include "store/wal/wal_format.hpp"
#include "store/wal/wal_reader.hpp"

namespace sluice {

struct WalOptions {
  /// Roll to a new segment before an append that would make the active
  /// segment larger than this many bytes (a single larger entry still gets
  /// a segment of its own). Must be > 0.
  uint64_t segment_bytes = 64ull << 20;
  /// Offset of the first record of a WAL created in an empty directory.
  uint64_t initial_offset = 0;
  /// Distance in bytes between points of the in-memory sparse offset index
  /// that read_from() uses to start inside a segment. Must be > 0.
  uint64_t index_interval_bytes = 1ull << 20;
};

/// What Wal::open() found and repaired.
struct RecoveryReport {
  uint64_t segments = 0;       ///< segment files kept
  uint64_t entries = 0;        ///< valid entries kept, position-only ones included
  uint64_t records = 0;        ///< records in those entries
  uint64_t bytes_skipped = 0;  ///< bytes dropped: the invalid tail and every set-aside or removed file
  uint64_t next_offset = 0;    ///< offset the next appended record gets
  /// Segment files renamed to "<name>.<unix ns>.corrupt" because they follow
  /// the first corruption (full paths, after renaming).
  std::vector<std::string> set_aside;
  /// The first problem found; kind kNone when the WAL was clean. A torn
  /// tail after a crash shows up here too (kTruncatedEntry, kBadChecksum or
  /// kTruncatedFileHeader at the end of the last segment).
  wal::WalError first_error;
};

/// Where append() put a batch.
struct AppendInfo {
  uint64_t first_offset = 0;  ///< offset of the batch's first record (next_offset() before the call)
  uint32_t record_count = 0;  ///< records appended; offsets [first_offset, first_offset + record_count)
  uint64_t entry_bytes = 0;   ///< bytes written for the entry (header + payload); 0 for an empty batch
};

class Wal {
  struct PrivateTag {};

 public:
  /// Opens (creating if needed) the WAL in `dir` and recovers it:
  ///   1. segments "<20 digits>.wal" are scanned in base offset order, every
  ///      entry validated (framing, checksums, payload decoding, offset
  ///      density);
  ///   2. at the first invalid byte the segment is truncated there and every
  ///      later segment is renamed to "<name>.<unix ns>.corrupt" (kept for
  ///      inspection, never read again); a segment whose file header is bad
  ///      is set aside whole; a last segment shorter than its file header
  ///      (crash while rolling) is removed;
  ///   3. every kept segment and the directory are synced, so everything
  ///      recovered is durable.
  /// `report` (may be null) receives what was found. Errors: IOError from
  /// the Env (nothing is truncated on a read error); InvalidArgument for bad
  /// options, or when a segment has a valid header of a newer format version
  /// (nothing is changed then).
  static Result<std::unique_ptr<Wal>> open(Env* env, std::string dir, WalOptions options, RecoveryReport* report);

  Wal(PrivateTag, Env* env, std::string dir, WalOptions options);
  /// Closes the files without syncing; unsynced appends may be lost on a
  /// power loss (not on a process exit).
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  /// Appends `batch` as one entry (no sync). Its records get offsets
  /// [next_offset(), next_offset() + n); a batch with positions and no
  /// records is a position-only commit and takes no offsets; an empty batch
  /// writes nothing. Rolls to a new segment first when the entry would make
  /// the active segment exceed segment_bytes and the active segment holds at
  /// least one record; the new segment starts with a position-only entry
  /// repeating latest_positions(), so trimming old segments never loses a
  /// source's last position.
  /// Errors (Wal stays usable): ResourceExhausted when the encoded batch is
  /// larger than kMaxEntryPayloadBytes (64 MiB) or its footprint too large
  /// (a part of it may fit); InvalidArgument when offsets would pass 2^64-1.
  /// Errors (Wal becomes failed, see failed()): IOError from the Env, and
  /// ResourceExhausted when a roll cannot carry the latest positions.
  Result<AppendInfo> append(const LogBatch& batch);
  /// `batch` encoded as a whole entry for append_entry(): room for the entry
  /// header, then encode_batch()'s payload. ResourceExhausted when its
  /// footprint is too large (encode_batch). Uses no Wal state.
  static Status encode_entry(const LogBatch& batch, std::string* entry);
  /// Appends an entry made by encode_entry() of a batch of `count` items
  /// (records, samples or spans) and `positions` (the batch's, which its
  /// payload holds), filling in its header in place; append() is
  /// encode_entry() then this. Offsets, rolling and errors as append() (the
  /// payload's size is checked here); `count` 0 with positions appends a
  /// position-only entry, with neither nothing.
  Result<AppendInfo> append_entry(std::string* entry, uint64_t count, const std::vector<SourcePosition>& positions);
  /// The entry last written (header and payload), mapped from its segment
  /// file (Env::map_region): the page cache's copy, so that a caller that
  /// keeps the entry in memory needs none of its own. Right after an
  /// append() or append_entry() that wrote an entry (AppendInfo::entry_bytes
  /// > 0), that entry; after one that wrote nothing, an older one. Valid
  /// after the segment is trimmed (the mapping keeps the file, and its disk
  /// space, until it is released). Errors: the Env's; Internal before any
  /// entry was written.
  Result<std::shared_ptr<const MappedRegion>> map_last_entry() const;
  /// True after a failure that leaves the WAL unusable: every later
  /// append() and sync() fails.
  bool failed() const { return !failed_.ok(); }

  /// Makes every appended entry durable: fdatasyncs the segments rolled
  /// since the last sync, then the active one, then the directory when a
  /// segment was created. Returns at once when nothing changed. Errors:
  /// IOError (the Wal becomes failed).
  Status sync();

  /// Offset the next appended record will get.
  uint64_t next_offset() const { return next_offset_; }
  /// Every record with an offset below this was durable when sync() last
  /// returned Ok (or when open() finished).
  uint64_t durable_offset() const { return durable_offset_; }
  /// Offset of the first record still retained (the first segment's base).
  /// Equals next_offset() when the WAL holds no records.
  uint64_t first_offset() const { return segments_.front().base_offset; }

  /// Deletes, oldest first, whole segment files whose every record has an
  /// offset < `offset`, never the active segment and never a segment not
  /// yet synced. Deleting them need not be durable: a segment that
  /// reappears after a power loss is just retained longer. Errors: IOError
  /// from the Env (segments deleted before the failure stay deleted).
  Status trim_before(uint64_t offset);

  /// A reader over the durable entries (as of the last sync) that contain
  /// records with offsets >= `offset`, across segments, in order (see
  /// WalReader). `offset` may be anything >= first_offset(); beyond the
  /// durable end the reader is simply empty. Errors: NotFound when `offset`
  /// < first_offset() (trimmed).
  Result<std::unique_ptr<WalReader>> read_from(uint64_t offset) const;

  /// The newest position of every (source, key) in the retained entries,
  /// ordered by (source, key). Includes unsynced appends.
  std::vector<SourcePosition> latest_positions() const;

  /// Number of segment files, the active one included (always >= 1).
  size_t segment_count() const { return segments_.size(); }
  /// Bytes in all segment files, headers included.
  uint64_t size_bytes() const;
  /// The directory this Wal lives in.
  const std::string& dir() const { return dir_; }

  /// Syncs, then closes the files. Later calls other than the accessors
  /// fail. Errors: as sync().
  Status close();

 private:
  struct IndexPoint {
    uint64_t first_offset;  ///< first_offset of an entry with records
    uint64_t position;      ///< byte offset of that entry in the file
  };
  struct Segment {
    uint64_t base_offset = 0;
    std::string path;
    uint64_t size = 0;          ///< valid bytes: file header plus whole entries
    uint64_t end_offset = 0;    ///< offset after the segment's last record
    uint64_t last_indexed = 0;  ///< position of the last IndexPoint (0: none)
    std::vector<IndexPoint> index;
  };

  Status recover(RecoveryReport* report);
  /// Ends recovery at byte `pos` of found segment `i` (pos 0: drop it whole).
  Status stop_recovery(const std::vector<std::pair<uint64_t, std::string>>& found, size_t i, uint64_t pos,
                       uint64_t file_size, RecoveryReport* report);
  Status create_segment(uint64_t base_offset);
  Status roll();
  /// InvalidArgument when `count` items cannot be appended (more than 2^32-1,
  /// or offsets past 2^64-1).
  Status check_count(uint64_t count) const;
  /// Seals `entry` (header + payload) and appends it to the active segment.
  Status write_entry(std::string* entry, uint64_t first_offset, uint32_t record_count,
                     const std::vector<SourcePosition>& positions);
  /// Records a valid entry of `entry_bytes` bytes at `position` of `seg`.
  void note_entry(Segment* seg, uint64_t position, uint64_t entry_bytes, uint64_t first_offset, uint32_t record_count,
                  const std::vector<SourcePosition>& positions);
  Status check_usable() const;

  Env* env_;
  std::string dir_;
  WalOptions options_;
  std::deque<Segment> segments_;  // by base offset; back() is active
  std::unique_ptr<WritableFile> active_;
  std::vector<std::unique_ptr<WritableFile>> pending_sync_;  // rolled segments not yet synced, oldest first
  bool dir_dirty_ = false;                                   // a segment was created since the last directory sync
  bool unsynced_ = false;                                    // bytes were appended to active_ since its last sync
  uint64_t next_offset_ = 0;
  uint64_t durable_offset_ = 0;
  uint64_t durable_base_ = 0;   // base offset of the segment that was active at the last sync
  uint64_t durable_bytes_ = 0;  // its size then
  Status failed_;               // sticky I/O failure
  bool closed_ = false;
  std::map<std::pair<std::string, std::string>, SourcePosition> positions_;  // (source, key) -> latest
  std::string scratch_;  // entry being built, reused to avoid allocations
  struct {
    std::string path;       // its segment file
    uint64_t position = 0;  // byte offset in the file
    uint64_t size = 0;      // 0: none yet
  } last_entry_;            // the entry write_entry() wrote last
};

}  // namespace sluice
