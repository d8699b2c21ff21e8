// Hot records (durable in the WAL, not yet compacted into Parquet) as a
// DuckDB table function, so queries see them the moment they are durable
// without copying every record into a DuckDB table at ingest.
//
//   sluice_hot(stream VARCHAR, from_offset := UBIGINT, gen := BIGINT,
//              ts_from := BIGINT, ts_to := BIGINT,
//              attribute_columns := VARCHAR[], split_attributes := BOOLEAN)
//
// returns the log columns (log_table.hpp) of a logs stream's hot records with
// offset >= from_offset, optionally only of one hot generation `gen` and
// with timestamp in [ts_from, ts_to) ns (used by compaction), followed by a
// VARCHAR column "attributes.<key>" per key of attribute_columns
// (attribute_columns.hpp); with split_attributes := true the attributes map
// leaves out the entries those columns hold (what compaction stores, see
// merge_attributes.hpp). Each stream's
// view calls it with the compacted offset its Parquet file list ends at, so a
// query sees every record exactly once however compaction interleaves.
//
// A scan takes a snapshot of the hot chunks when it starts (init, not bind:
// DuckDB binds a view's query when the view is created, under the stream's
// locks, so bind must not call back into the stream). Chunks are
// immutable encoded batches shared by pointer, so the snapshot is cheap and
// stays valid while ingest and compaction go on.
//
//   sluice_hot_metrics(stream VARCHAR, ...same named parameters...)
//
// is the same for a metrics stream and returns the metric columns
// (metric_table.hpp); sluice_hot_spans serves a traces stream with the span
// columns (span_table.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "store/duckdb_handle.hpp"

namespace sluice {

/// Bytes shared by whoever holds `owner`: `bytes` stays valid while it
/// lives (a heap string, or a mapping of a WAL segment file).
struct SharedBytes {
  std::shared_ptr<const void> owner;
  std::string_view bytes;
};

/// One appended batch in WAL payload encoding (store/wal/batch_codec.hpp).
struct HotChunk {
  uint64_t first_offset = 0;
  uint32_t count = 0;
  int64_t min_timestamp_ns = 0;
  int64_t max_timestamp_ns = 0;
  /// The chunk's encoded batch (batch_codec.hpp) is `entry.bytes[payload_at..]`:
  /// the WAL entry it was written as (mapped from its segment file, or a
  /// copy), or (replayed at recovery) the batch encoded again.
  SharedBytes entry;
  size_t payload_at = 0;
  std::string_view payload() const { return entry.bytes.substr(payload_at); }
};

/// Answers snapshot requests of the table function. Implemented by Store;
/// must be thread-safe (queries run on many threads).
class HotSource {
 public:
  virtual ~HotSource() = default;
  /// Chunks of `stream` (all generations when gen < 0), in offset order.
  virtual Result<std::vector<HotChunk>> hot_snapshot(const std::string& stream, int64_t gen) = 0;
};

/// Registers sluice_hot, sluice_hot_metrics and sluice_hot_spans in the database of `con`. `source` must outlive the
/// database.
Status register_hot_scan(Connection* con, HotSource* source);

}  // namespace sluice
