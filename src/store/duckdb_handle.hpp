// Thin RAII wrappers over the DuckDB C API (duckdb.h, DuckDB 1.4).
//
// Database owns a duckdb_database; Connection owns a duckdb_connection and is
// used by one thread at a time (DuckDB connections are not thread-safe, the
// database is). Errors come back as Status with DuckDB's message.
#pragma once

#include <duckdb.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.hpp"

namespace sluice {

/// A materialized or streaming duckdb_result, destroyed on scope exit.
class DuckResult {
 public:
  DuckResult() = default;
  ~DuckResult() {
    if (valid_) duckdb_destroy_result(&res_);
  }
  DuckResult(const DuckResult&) = delete;
  DuckResult& operator=(const DuckResult&) = delete;
  duckdb_result* raw() { return &res_; }
  void set_valid() { valid_ = true; }

 private:
  duckdb_result res_{};
  bool valid_ = false;
};

/// Owns a duckdb_data_chunk.
struct DuckChunk {
  duckdb_data_chunk chunk = nullptr;
  explicit DuckChunk(duckdb_data_chunk c) : chunk(c) {}
  ~DuckChunk() {
    if (chunk) duckdb_destroy_data_chunk(&chunk);
  }
  DuckChunk(const DuckChunk&) = delete;
  DuckChunk& operator=(const DuckChunk&) = delete;
};

class Connection;

/// An in-memory DuckDB database. Thread-safe; outlives its Connections.
class Database {
 public:
  /// Opens an in-memory database with the given settings applied at open
  /// (e.g. {"memory_limit", "2GB"}, {"threads", "2"}).
  static Result<std::unique_ptr<Database>> open(const std::vector<std::pair<std::string, std::string>>& settings);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  Result<std::unique_ptr<Connection>> connect();
  duckdb_database raw() const { return db_; }

 private:
  Database() = default;
  duckdb_database db_ = nullptr;
};

/// One DuckDB connection. Used by one thread at a time, except interrupt(),
/// which any thread may call to cancel the running query.
class Connection {
 public:
  explicit Connection(duckdb_connection c) : con_(c) {}
  ~Connection() { duckdb_disconnect(&con_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs SQL that returns nothing of interest (DDL, COPY, SET).
  Status exec(std::string_view sql);
  /// Runs one long background statement (compaction's COPY) like exec(),
  /// but sleeps while only DuckDB's worker threads have work: DuckDB's own
  /// loop (duckdb_query) polls for tasks without pausing, so with a
  /// single-threaded source its calling thread spins on a core the whole
  /// time a worker runs the pipeline. Waits start at 100 us and double up
  /// to 2 ms; a finished statement is noticed within that. Same errors as
  /// exec(); one statement only.
  Status exec_background(std::string_view sql);
  /// Runs SQL and materializes the result into `out`.
  Status query(std::string_view sql, DuckResult* out);
  /// Cancels the query running on this connection (thread-safe).
  void interrupt() { duckdb_interrupt(con_); }
  duckdb_connection raw() const { return con_; }

 private:
  duckdb_connection con_;
};

/// Quotes an SQL identifier: abc -> "abc", a"b -> "a""b".
std::string quote_identifier(std::string_view name);
/// Quotes an SQL string literal: it's -> 'it''s'.
std::string quote_literal(std::string_view text);

}  // namespace sluice
