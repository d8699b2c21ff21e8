// QueryEngine: runs SQL against the store's DuckDB database for the CLI, the
// HTTP API (and later PostgreSQL wire and the UI).
//
// Every query has a time-out (the query is interrupted when it expires), a
// row limit (a result with more rows is cancelled with an error telling the
// user to add LIMIT) and runs under the database-wide memory_limit (DuckDB
// has no per-query cap; a query that exceeds it fails with DuckDB's
// out-of-memory error). Only one SELECT or EXPLAIN statement per request is
// accepted: no DDL, SET, COPY or ATTACH from the query surfaces.
//
// Thread-safety: execute() may be called from any number of threads; each
// call uses its own DuckDB connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics.hpp"
#include "common/status.hpp"
#include "config/options.hpp"
#include "query/cell.hpp"
#include "store/store.hpp"

namespace sluice {

struct QueryOptions {
  std::chrono::nanoseconds timeout{};
  int64_t max_rows = 0;
};

/// The option table of [query].
const OptionTable<QueryOptions>& query_option_table();

struct ColumnInfo {
  std::string name;
  std::string type;  ///< SQL type name, e.g. "BIGINT", "MAP(VARCHAR, VARCHAR)"
};

struct QueryResult {
  std::vector<ColumnInfo> columns;
  std::vector<std::vector<Cell>> rows;
  double elapsed_ms = 0;
};

class QueryEngine {
 public:
  /// `store` must outlive the engine.
  QueryEngine(Store* store, QueryOptions options);

  /// Runs one statement. Errors: InvalidArgument (bad SQL, with DuckDB's
  /// message and position; a forbidden statement type), DeadlineExceeded
  /// (time-out), ResourceExhausted (row limit, memory limit).
  /// `timeout`/`max_rows` of 0 use the engine's defaults; larger values
  /// than the defaults are capped to them.
  Result<QueryResult> execute(std::string_view sql, std::chrono::nanoseconds timeout = {}, int64_t max_rows = 0);

  const QueryOptions& options() const { return options_; }

 private:
  Store* store_;
  QueryOptions options_;
  Counter* queries_ok_;
  Counter* queries_failed_;
  Histogram* latency_;
};

}  // namespace sluice
