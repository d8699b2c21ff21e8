// Catalog: the durable list of a stream's Parquet segments, the compacted
// watermark, and the source positions as of that watermark.
//
// Stored as `<data_dir>/<stream>/catalog.json`, replaced atomically
// (Env::write_file_atomic) after new segments are written and before the WAL
// behind them is trimmed; see docs/formats/catalog.md.
//
// Thread-safety: a value type; the owning Stream serializes changes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/env.hpp"
#include "common/status.hpp"
#include "model/batch.hpp"

namespace sluice {

/// What a stream holds (ARCHITECTURE.md "Data model"): log records, metric
/// samples or trace spans. Fixed once the stream holds data.
enum class StreamKind : uint8_t { kLogs, kMetrics, kTraces };
/// "logs", "metrics" or "traces".
const char* stream_kind_name(StreamKind k);
/// The kind of the items `batch` holds; nullopt when it holds none or more
/// than one kind.
std::optional<StreamKind> batch_kind(const LogBatch& batch);

/// One Parquet file holding records of one stream, one date and one hour.
struct SegmentInfo {
  std::string path;  ///< relative to the stream directory
  uint64_t first_offset = 0;
  uint64_t last_offset = 0;  ///< inclusive
  int64_t min_timestamp_ns = 0;
  int64_t max_timestamp_ns = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  /// The file holds a column "attributes.<key>" for the first this many keys
  /// of Catalog::attribute_columns (attribute_columns.hpp); stored only when
  /// not 0.
  uint64_t attribute_columns = 0;
  /// The file's `attributes` map leaves out the entries its attribute
  /// columns hold (merge_attributes.hpp); stored only when true.
  bool attributes_split = false;

  bool operator==(const SegmentInfo&) const = default;
};

struct Catalog {
  StreamKind kind = StreamKind::kLogs;  ///< stored as "kind"; absent means logs
  /// Every record with offset < compacted_offset is in `segments` (or was
  /// deleted by retention); the WAL is only needed beyond it.
  uint64_t compacted_offset = 0;
  std::vector<SegmentInfo> segments;      ///< ordered by first_offset
  std::vector<SourcePosition> positions;  ///< as of compacted_offset
  /// Promoted attribute keys of a logs stream, append-only
  /// (attribute_columns.hpp); stored only when not empty.
  std::vector<std::string> attribute_columns;

  bool operator==(const Catalog&) const = default;
};

/// Serializes to the JSON document described in docs/formats/catalog.md.
std::string encode_catalog(const Catalog& c);
/// Parses a catalog document; InvalidArgument/Corruption naming the field.
Result<Catalog> decode_catalog(std::string_view json, std::string_view path);

/// Loads `path`; a missing file is an empty catalog.
Result<Catalog> load_catalog(Env* env, const std::string& path);
Status save_catalog(Env* env, const std::string& path, const Catalog& c);

}  // namespace sluice
