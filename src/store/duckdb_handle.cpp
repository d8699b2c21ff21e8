#include "store/duckdb_handle.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "store/duckdb_loader.hpp"

namespace sluice {

Result<std::unique_ptr<Database>> Database::open(const std::vector<std::pair<std::string, std::string>>& settings) {
  SLUICE_RETURN_IF_ERROR(load_duckdb());
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) != DuckDBSuccess) return Status::Internal("duckdb_create_config failed");
  for (const auto& [k, v] : settings) {
    if (duckdb_set_config(config, k.c_str(), v.c_str()) != DuckDBSuccess) {
      duckdb_destroy_config(&config);
      return Status::InvalidArgument("DuckDB rejected setting " + k + "=" + v);
    }
  }
  std::unique_ptr<Database> db(new Database());  // NOLINT: private constructor
  char* err = nullptr;
  duckdb_state st = duckdb_open_ext(nullptr, &db->db_, config, &err);
  duckdb_destroy_config(&config);
  if (st != DuckDBSuccess) {
    std::string msg = err ? err : "unknown error";
    if (err) duckdb_free(err);
    return Status::Internal("opening DuckDB: " + msg);
  }
  return db;
}

Database::~Database() {
  if (db_) duckdb_close(&db_);
}

Result<std::unique_ptr<Connection>> Database::connect() {
  duckdb_connection con = nullptr;
  if (duckdb_connect(db_, &con) != DuckDBSuccess) return Status::Internal("duckdb_connect failed");
  return std::make_unique<Connection>(con);
}

Status Connection::exec(std::string_view sql) {
  DuckResult r;
  return query(sql, &r);
}

namespace {

Status error_status(const char* message, duckdb_error_type type) {
  std::string msg = message ? message : "unknown DuckDB error";
  if (type == DUCKDB_ERROR_INTERRUPT) return Status::Cancelled(msg);
  if (type == DUCKDB_ERROR_OUT_OF_MEMORY) return Status::ResourceExhausted(msg);
  return Status::InvalidArgument(msg);
}

}  // namespace

Status Connection::exec_background(std::string_view sql) {
  std::string s(sql);
  duckdb_prepared_statement prepared = nullptr;
  if (duckdb_prepare(con_, s.c_str(), &prepared) != DuckDBSuccess) {
    Status st = error_status(duckdb_prepare_error(prepared), DUCKDB_ERROR_INVALID);
    duckdb_destroy_prepare(&prepared);
    return st;
  }
  duckdb_pending_result pending = nullptr;
  if (duckdb_pending_prepared(prepared, &pending) != DuckDBSuccess) {
    Status st = error_status(duckdb_pending_error(pending), DUCKDB_ERROR_INVALID);
    duckdb_destroy_pending(&pending);
    duckdb_destroy_prepare(&prepared);
    return st;
  }
  auto wait = std::chrono::microseconds(100);
  while (true) {
    duckdb_pending_state state = duckdb_pending_execute_task(pending);
    if (state == DUCKDB_PENDING_RESULT_READY || state == DUCKDB_PENDING_ERROR) break;
    if (state == DUCKDB_PENDING_NO_TASKS_AVAILABLE) {
      std::this_thread::sleep_for(wait);
      wait = std::min<std::chrono::microseconds>(wait * 2, std::chrono::milliseconds(2));
    } else {
      wait = std::chrono::microseconds(100);
    }
  }
  DuckResult r;
  duckdb_state st = duckdb_execute_pending(pending, r.raw());
  r.set_valid();
  duckdb_destroy_pending(&pending);
  duckdb_destroy_prepare(&prepared);
  if (st != DuckDBSuccess) return error_status(duckdb_result_error(r.raw()), duckdb_result_error_type(r.raw()));
  return Status::Ok();
}

Status Connection::query(std::string_view sql, DuckResult* out) {
  std::string s(sql);
  duckdb_state st = duckdb_query(con_, s.c_str(), out->raw());
  out->set_valid();
  if (st != DuckDBSuccess) return error_status(duckdb_result_error(out->raw()), duckdb_result_error_type(out->raw()));
  return Status::Ok();
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace sluice
