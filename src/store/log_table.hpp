// The SQL shape of a log stream and a fast path that appends LogRecords to a
// DuckDB table as data chunks (no SQL text per row).
//
// Columns (ARCHITECTURE.md "Data model"; OpenTelemetry ClickHouse exporter
// names in snake_case): timestamp, observed_timestamp (TIMESTAMP_NS),
// severity_number (UTINYINT), severity_text, body (VARCHAR), attributes,
// resource (MAP(VARCHAR, VARCHAR)), service_name, scope_name, scope_version,
// trace_id, span_id (VARCHAR), trace_flags (UINTEGER), _offset (UBIGINT).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

/// "(timestamp TIMESTAMP_NS, ..., _offset UBIGINT)" for CREATE TABLE.
const std::string& log_table_columns_sql();

/// Appends rows to one table through a duckdb_appender. Owned by one
/// thread at a time (the stream's group-commit leader); the Connection it was
/// created on must outlive it.
class LogTableAppender {
 public:
  /// Creates an appender on table `table` (main schema) of `con`.
  static Result<std::unique_ptr<LogTableAppender>> create(duckdb_connection con, const std::string& table);
  ~LogTableAppender();
  LogTableAppender(const LogTableAppender&) = delete;
  LogTableAppender& operator=(const LogTableAppender&) = delete;

  /// Appends `records` with offsets first_offset, first_offset+1, ...
  Status append(const std::vector<LogRecord>& records, uint64_t first_offset);
  /// Makes appended rows visible to queries.
  Status flush();

 private:
  LogTableAppender() = default;
  duckdb_appender appender_ = nullptr;
  std::vector<duckdb_logical_type> types_;
};

}  // namespace sluice
