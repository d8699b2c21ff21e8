// The SQL shape of a traces stream, and writing Spans into DuckDB vectors.
//
// Columns (the OpenTelemetry ClickHouse exporter's otel_traces table in
// snake_case): timestamp (span start), end_timestamp (TIMESTAMP_NS),
// duration_ns (BIGINT), trace_id, span_id, parent_span_id, trace_state,
// name, span_kind ("server", ...), status_code ("unset", "ok", "error"),
// status_message (VARCHAR), trace_flags (UINTEGER), attributes, resource
// (MAP(VARCHAR, VARCHAR)), service_name, scope_name, scope_version
// (VARCHAR), events, links (VARCHAR holding a JSON array:
// [{"timestamp":"<ns>","name":..,"attributes":{..}}] and
// [{"trace_id":..,"span_id":..,"trace_state":..,"attributes":{..}}], read
// with DuckDB's json functions), _offset (UBIGINT).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/span.hpp"

namespace sluice {

enum SpanColumn : int {
  kSpanColTimestamp,
  kSpanColEndTimestamp,
  kSpanColDuration,
  kSpanColTraceId,
  kSpanColSpanId,
  kSpanColParentSpanId,
  kSpanColTraceState,
  kSpanColName,
  kSpanColKind,
  kSpanColStatusCode,
  kSpanColStatusMessage,
  kSpanColTraceFlags,
  kSpanColAttributes,
  kSpanColResource,
  kSpanColServiceName,
  kSpanColScopeName,
  kSpanColScopeVersion,
  kSpanColEvents,
  kSpanColLinks,
  kSpanColOffset,
  kSpanColumnCount
};

/// Column names in SpanColumn order.
const std::vector<std::string>& span_column_names();
/// A new logical type for column `c` (caller destroys it).
duckdb_logical_type span_column_type(SpanColumn c);

/// Writes column `c` of `rows[i]` into rows [0, n) of `vec`; `offsets[i]` is
/// span i's stream offset.
void fill_span_column(duckdb_vector vec, SpanColumn c, const std::vector<const Span*>& rows,
                      const std::vector<uint64_t>& offsets);

}  // namespace sluice
