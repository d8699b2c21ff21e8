// The SQL shape of a log stream, and writing LogRecords into DuckDB vectors.
//
// Columns (ARCHITECTURE.md "Data model"; OpenTelemetry ClickHouse exporter
// names in snake_case): timestamp, observed_timestamp (TIMESTAMP_NS),
// severity_number (UTINYINT), severity_text, body (VARCHAR), attributes,
// resource (MAP(VARCHAR, VARCHAR)), service_name, scope_name, scope_version,
// trace_id, span_id (VARCHAR), trace_flags (UINTEGER), _offset (UBIGINT).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/log_record.hpp"

namespace sluice {

enum LogColumn : int {
  kColTimestamp,
  kColObservedTimestamp,
  kColSeverityNumber,
  kColSeverityText,
  kColBody,
  kColAttributes,
  kColResource,
  kColServiceName,
  kColScopeName,
  kColScopeVersion,
  kColTraceId,
  kColSpanId,
  kColTraceFlags,
  kColOffset,
  kLogColumnCount
};

/// Column names in LogColumn order.
const std::vector<std::string>& log_column_names();
/// A new logical type for column `c` (caller destroys it).
duckdb_logical_type log_column_type(LogColumn c);

/// Writes column `c` of `records[i]` for i in `rows` into rows [0, n) of
/// `vec`; `offsets[i]` is record i's stream offset. For MAP columns the
/// whole chunk must be written by one call.
void fill_log_column(duckdb_vector vec, LogColumn c, const std::vector<const LogRecord*>& rows,
                     const std::vector<uint64_t>& offsets);

/// Finds, for each row r and key j, the index in rows[r]->attributes of the
/// first entry whose key is keys[j], or -1 when the row lacks it, in one
/// pass over each row's attributes: (*found)[r * keys.size() + j]. `keys`
/// are distinct.
void locate_attribute_entries(const std::vector<std::string_view>& keys, const std::vector<const LogRecord*>& rows,
                              std::vector<int32_t>* found);

/// Writes the value of attribute key `columns[i]` (an index into the keys
/// `found` was located for; `m` of them) of each row into VARCHAR vector
/// `vecs[i]`: NULL where a row lacks it, the first entry when it has it twice.
void fill_attribute_columns(const std::vector<duckdb_vector>& vecs, const std::vector<size_t>& columns, size_t m,
                            const std::vector<const LogRecord*>& rows, const std::vector<int32_t>& found);

/// Writes each row's attributes map into MAP vector `vec` without the
/// entries `found` located (those held by the attribute columns; `m` keys),
/// keeping the others in order. The whole chunk in one call.
void fill_attributes_without_columns(duckdb_vector vec, size_t m, const std::vector<const LogRecord*>& rows,
                                     const std::vector<int32_t>& found);

}  // namespace sluice
