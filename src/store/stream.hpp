// Stream: one named, append-only collection of log records or metric
// samples (its kind, ARCHITECTURE.md "Data model"): its WAL, its hot (not
// yet compacted) rows kept as encoded chunks and served to DuckDB by the
// sluice_hot / sluice_hot_metrics table functions (hot_scan.hpp), its
// Parquet segments and catalog, and the SQL view of the same name.
//
// Ownership: created and owned by Store; lives until the Store is closed.
// Threads: append() may be called from any number of threads at once; the
// calls are group-committed (LevelDB-style: the first waiting writer becomes
// the leader, writes every queued batch to the WAL, syncs once under the
// fsync policy, adds them to the hot set in offset order, then wakes the
// others). compact() and apply_retention() are called by the Store's
// maintenance thread only.
// Invariant: offsets are dense; rows with offset < catalog.compacted_offset
// are in segments, rows at or above it are hot, and the view always shows
// each durable record exactly once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/env.hpp"
#include "common/metrics.hpp"
#include "model/stream_name.hpp"
#include "store/attribute_columns.hpp"
#include "store/catalog.hpp"
#include "store/duckdb_handle.hpp"
#include "store/hot_scan.hpp"
#include "store/store_options.hpp"
#include "store/wal/wal.hpp"

namespace sluice {

/// Where an append landed. `count == 0` means a position-only commit.
struct AppendResult {
  uint64_t first_offset = 0;
  uint64_t last_offset = 0;  ///< inclusive
  uint64_t count = 0;
};

/// Summary for GET /api/v1/streams.
struct StreamInfo {
  std::string name;
  std::string kind = "logs";
  uint64_t records = 0;
  uint64_t bytes = 0;  ///< segments + WAL on disk
  uint64_t segments = 0;
  int64_t oldest_timestamp_ns = 0;  ///< 0 when empty
  int64_t newest_timestamp_ns = 0;
  uint64_t next_offset = 0;
  /// Promoted attribute keys of a logs stream (attribute_columns.hpp).
  std::vector<std::string> attribute_columns;
};

/// True when `name` matches [a-z0-9_.-]{1,64}.

class Stream {
 public:
  /// Opens or creates stream `name` under `dir`, recovering its WAL and
  /// catalog. `db` must outlive the Stream.
  static Result<std::unique_ptr<Stream>> open(Env* env, Database* db, std::string name, std::string dir,
                                              const StoreOptions& options);
  ~Stream();

  /// Appends `batch` durably (under the fsync policy) and returns its offsets.
  /// Records with timestamp 0 get their observed timestamp; records with
  /// observed timestamp 0 and samples with timestamp 0 get now.
  /// InvalidArgument when the batch's kind (records or samples) is not the
  /// stream's. Thread-safe; blocks for the group commit.
  Result<AppendResult> append(LogBatch& batch);
  /// Appends `batches` in order, as append() does each, in as few group
  /// commits as the queue allows (one WAL fsync for all of them under
  /// fsync = "batch" when they hold fewer than 65,536 items): the store
  /// sink's worker hands over what its queue holds at once. Returns one
  /// result per batch, in order. A batch whose encoding is larger than a
  /// WAL entry may be (64 MiB) is written as several consecutive entries,
  /// its positions with the last: a crash between them keeps the first
  /// parts without the positions, so a source reads them again after a
  /// restart (stored twice, never lost). A batch refused for its kind or
  /// for holding one record too large for an entry (InvalidArgument; parts
  /// before that record are stored) does not stop the others; once free disk
  /// space refuses one, every later batch of the call is refused too, so
  /// that none is stored ahead of it. Thread-safe; blocks until every
  /// batch is written.
  std::vector<Result<AppendResult>> append_group(std::span<LogBatch* const> batches);

  /// Latest committed positions of `source`, by key.
  std::unordered_map<std::string, uint64_t> committed_positions(const std::string& source) const;

  /// Compacts hot rows into Parquet when `force` or the size/age thresholds
  /// are reached. Maintenance thread only.
  Status compact(bool force);
  /// Deletes whole segments older than `max_age` (0 = keep) and, oldest
  /// first, while segment bytes exceed `max_bytes` (0 = no cap). Returns the
  /// bytes deleted. Maintenance thread only.
  Result<uint64_t> apply_retention(std::chrono::nanoseconds max_age, uint64_t max_bytes);
  /// Deletes this stream's oldest segment; false when it has none.
  Result<bool> drop_oldest_segment();
  /// Oldest segment's max timestamp, or INT64_MAX when there are none.
  int64_t oldest_segment_time() const;

  /// fsyncs the WAL now (used by the "interval" fsync policy).
  Status sync_now();

  /// Set by the Store's maintenance thread when free disk space falls
  /// below store.min_free_bytes; appends of records are then refused.
  void set_disk_low(bool low) { disk_low_.store(low, std::memory_order_relaxed); }
  bool disk_low() const { return disk_low_.load(std::memory_order_relaxed); }

  StreamInfo info() const;
  const std::string& name() const { return name_; }
  /// Segment file paths (absolute) currently in the catalog.
  std::vector<std::string> segment_paths() const;
  /// Hot chunks of generation `gen`, or of every live and recently retired
  /// generation when gen < 0 (the view's from_offset filters the retired
  /// ones). Thread-safe.
  std::vector<HotChunk> hot_snapshot(int64_t gen) const;

 private:
  struct Writer;
  /// Defaults and clamps `batch`'s timestamps and checks that the stream
  /// may take it (its kind, free disk space) before it is queued.
  Status admit(LogBatch& batch, int64_t now_unix_ns);
  /// Waits up to a second while the stream holds more hot rows than
  /// max_hot_rows (at least twice compact_rows), for compaction to catch up.
  void wait_for_compaction();
  /// A generation of hot chunks: appends go to the newest; compaction
  /// freezes it and writes it to Parquet as a whole.
  struct HotGen {
    int64_t id = 0;
    uint64_t first_offset = 0;
    uint64_t end_offset = 0;  ///< exclusive
    uint64_t rows = 0;
    int64_t created_mono_ns = 0;
    int64_t retired_mono_ns = 0;  ///< when it left the hot set (retired_ only)
    std::vector<HotChunk> chunks;
    std::vector<SourcePosition> positions_at_end;  ///< valid once frozen
    AttributeKeySampler attribute_keys;            ///< logs: which attribute keys the records carry
  };

  Stream(Env* env, Database* db, std::string name, std::string dir, const StoreOptions& options);
  Status recover();
  void new_hot_gen();  // requires apply_mu_
  /// Adds records [first_offset, +n) to the newest generation: `entry` is
  /// the batch's WAL entry (header and payload) when the caller has it,
  /// else (owner null) the batch is encoded again.
  Status add_hot(const LogBatch& batch, uint64_t first_offset, SharedBytes entry);  // requires apply_mu_
  Status refresh_view();                                                            // requires view_mu_
  /// Refuses a batch whose kind differs from the stream's; an empty stream
  /// takes the batch's kind (written to the catalog). Takes apply_mu_.
  Status check_kind(const LogBatch& batch);
  Status write_group(std::vector<Writer*>& group);
  /// A part of a batch too large for one WAL entry, as written.
  struct Part {
    LogBatch batch;
    uint64_t first_offset = 0;
    SharedBytes entry;  ///< its WAL entry
  };
  /// Appends `batch` to the WAL as one entry and sets `*entry` to it (its
  /// payload from wal::kEntryHeaderSize on) for the hot set: an entry of
  /// kMapEntryBytes or more mapped from its segment file (the page cache
  /// holds it already; a copy of ours in fresh memory was ~20% of the store
  /// thread, in page faults), a smaller one or one that cannot be mapped
  /// a copy; nothing (owner null) for a batch without items. Errors as
  /// Wal::append()'s. Requires apply_mu_.
  Result<AppendInfo> append_entry(const LogBatch& batch, SharedBytes* entry);
  /// True when the WAL refused an append for its size and stays usable (a
  /// smaller part may fit).
  bool too_large(const Status& st) const;
  /// Appends items [begin, end) of `batch`, refused by the WAL as too large
  /// for one entry, as the entries of its two halves, halving again any
  /// half still too large; the entry holding the batch's last item carries
  /// its positions. Adds what it wrote to `parts`, also when it fails part
  /// way (one item too large on its own: ResourceExhausted; I/O errors fail
  /// the WAL). Requires apply_mu_.
  Status append_in_parts(const LogBatch& batch, size_t begin, size_t end, std::vector<Part>* parts);
  Status compact_frozen(const HotGen& frozen);
  void apply_positions(const std::vector<SourcePosition>& positions);  // requires apply_mu_
  std::vector<SourcePosition> positions_snapshot() const;              // requires apply_mu_
  std::string segment_abs(const std::string& rel) const { return dir_ + "/" + rel; }
  /// Writes the catalog without `drop` (relative paths) and refreshes the
  /// view; returns the absolute paths to unlink. Requires apply_mu_.
  Result<std::vector<std::string>> forget_segments(const std::vector<std::string>& drop);
  /// Unlinks forgotten segment files (no lock needed: nothing refers to them).
  void unlink_segments(const std::vector<std::string>& paths);
  /// Catalog segments by newest record, oldest first. Requires apply_mu_.
  std::vector<SegmentInfo> segments_oldest_first() const;

  /// Smallest entry the hot set maps rather than copies: a mapping costs
  /// a few system calls and an address range (vm.max_map_count bounds
  /// them), which only entries this large repay.
  static constexpr size_t kMapEntryBytes = 64 << 10;
  /// Largest capacity entry_scratch_ keeps between appends.
  static constexpr size_t kScratchKeptBytes = 8 << 20;

  Env* env_;
  Database* db_;
  std::string name_;
  std::string dir_;
  StoreOptions options_;

  std::unique_ptr<Connection> admin_con_;
  std::unique_ptr<Wal> wal_;

  // Group commit queue.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Writer*> writers_;

  // Held by the group-commit leader while it writes and applies; guards
  // wal_, hot_, retired_, positions_, and the catalog.
  mutable std::mutex apply_mu_;
  std::string entry_scratch_;        ///< the entry being appended (requires apply_mu_)
  bool warned_map_failure_ = false;  ///< a failed mapping was logged (requires apply_mu_)
  std::vector<HotGen> hot_;          ///< oldest first; the last one receives appends
  std::vector<HotGen> retired_;      ///< compacted, kept a while for queries bound to an older view
  int64_t next_gen_id_ = 0;
  std::map<std::pair<std::string, std::string>, SourcePosition> positions_;
  Catalog catalog_;
  std::atomic<int64_t> min_ts_{INT64_MAX};
  std::atomic<int64_t> max_ts_{INT64_MIN};
  std::atomic<bool> disk_low_{false};
  std::atomic<StreamKind> kind_{StreamKind::kLogs};  ///< mirrors catalog_.kind for the lock-free check
  bool view_stale_ = false;                          ///< the catalog changed but the view refresh failed
  Status failed_;                                    ///< set after a WAL write error; further appends fail
  std::atomic<uint64_t> hot_rows_{0};                ///< rows of hot_ (written under apply_mu_, read without)
  std::condition_variable compacted_cv_;             ///< a generation was compacted (with apply_mu_)

  std::mutex view_mu_;

  Counter* records_in_;
  Counter* bytes_in_;
  Counter* fsyncs_;
  Histogram* fsync_latency_;
  Histogram* append_latency_;
  Counter* compactions_;
  Counter* segments_deleted_;
  Counter* compaction_waits_;
};

}  // namespace sluice
