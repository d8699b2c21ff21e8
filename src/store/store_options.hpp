// StoreOptions: the [store] section of the config.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "config/options.hpp"

namespace sluice {

struct StoreOptions {
  std::string data_dir;
  std::chrono::nanoseconds retention{};  ///< 0 = keep forever
  uint64_t max_bytes = 0;                ///< all streams; 0 = no cap
  uint64_t stream_max_bytes = 0;         ///< each stream; 0 = no cap
  std::string fsync;                     ///< "batch" | "interval" | "off"
  std::chrono::nanoseconds fsync_interval{};
  uint64_t wal_segment_bytes = 0;
  int64_t compact_rows = 0;
  std::chrono::nanoseconds compact_interval{};
  uint64_t row_group_rows = 0;
  int64_t compression_level = 0;  ///< zstd level of Parquet segments
  int64_t attribute_columns = 0;  ///< promoted attribute keys per logs stream (attribute_columns.hpp)
  uint64_t min_free_bytes = 0;
  std::string memory_limit;      ///< DuckDB memory_limit for the whole process
  int64_t threads = 0;           ///< DuckDB threads; 0 = cores
  int64_t maintenance_nice = 0;  ///< nice value of compaction, retention and DuckDB's workers; 0 = unchanged
  int64_t max_hot_rows = 0;      ///< per stream, before appends wait for compaction (at least 2 * compact_rows)
};

/// The option table of [store] (defaults, bounds, descriptions).
const OptionTable<StoreOptions>& store_option_table();

}  // namespace sluice
