// The SQL shape of a metrics stream, and writing MetricSamples into DuckDB
// vectors.
//
// Columns (ARCHITECTURE.md "Data model", metric sample): timestamp
// (TIMESTAMP_NS), name (VARCHAR), labels (MAP(VARCHAR, VARCHAR)), value
// (DOUBLE), kind (VARCHAR: metric_kind_name()), resource (MAP(VARCHAR,
// VARCHAR)), _offset (UBIGINT).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/metric_sample.hpp"

namespace sluice {

enum MetricColumn : int {
  kMetricColTimestamp,
  kMetricColName,
  kMetricColLabels,
  kMetricColValue,
  kMetricColKind,
  kMetricColResource,
  kMetricColOffset,
  kMetricColumnCount
};

/// Column names in MetricColumn order.
const std::vector<std::string>& metric_column_names();
/// A new logical type for column `c` (caller destroys it).
duckdb_logical_type metric_column_type(MetricColumn c);

/// Writes column `c` of `rows[i]` into rows [0, n) of `vec`; `offsets[i]` is
/// sample i's stream offset. Strings that are not valid UTF-8 are repaired
/// (U+FFFD), since DuckDB requires valid UTF-8 in VARCHAR.
void fill_metric_column(duckdb_vector vec, MetricColumn c, const std::vector<const MetricSample*>& rows,
                        const std::vector<uint64_t>& offsets);

}  // namespace sluice
