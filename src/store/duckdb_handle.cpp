#include "store/duckdb_handle.hpp"

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

Status Connection::query(std::string_view sql, DuckResult* out) {
  std::string s(sql);
  duckdb_state st = duckdb_query(con_, s.c_str(), out->raw());
  out->set_valid();
  if (st != DuckDBSuccess) {
    const char* e = duckdb_result_error(out->raw());
    std::string msg = e ? e : "unknown DuckDB error";
    if (duckdb_result_error_type(out->raw()) == DUCKDB_ERROR_INTERRUPT) return Status::Cancelled(msg);
    if (duckdb_result_error_type(out->raw()) == DUCKDB_ERROR_OUT_OF_MEMORY) return Status::ResourceExhausted(msg);
    return Status::InvalidArgument(msg);
  }
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
