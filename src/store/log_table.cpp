#include "store/log_table.hpp"

#include <algorithm>

namespace sluice {

const std::string& log_table_columns_sql() {
  static const std::string kSql =
      "(timestamp TIMESTAMP_NS, observed_timestamp TIMESTAMP_NS, severity_number UTINYINT, severity_text VARCHAR, "
      "body VARCHAR, attributes MAP(VARCHAR, VARCHAR), resource MAP(VARCHAR, VARCHAR), service_name VARCHAR, "
      "scope_name VARCHAR, scope_version VARCHAR, trace_id VARCHAR, span_id VARCHAR, trace_flags UINTEGER, "
      "_offset UBIGINT)";
  return kSql;
}

namespace {
enum Col { kTs, kObs, kSevNum, kSevText, kBody, kAttrs, kRes, kSvc, kScope, kScopeVer, kTrace, kSpan, kFlags, kOffset,
           kNumCols };

void put_string(duckdb_vector v, idx_t row, const std::string& s) {
  duckdb_vector_assign_string_element_len(v, row, s.data(), s.size());
}

// Fills rows [0, n) of a MAP(VARCHAR, VARCHAR) vector from records[begin..].
void put_maps(duckdb_vector v, const std::vector<LogRecord>& records, size_t begin, size_t n, bool resource) {
  size_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto& r = records[begin + i];
    total += resource ? r.resource.size() : r.attributes.size();
  }
  duckdb_list_vector_reserve(v, total);
  duckdb_list_vector_set_size(v, total);
  auto* entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(v));
  duckdb_vector child = duckdb_list_vector_get_child(v);
  duckdb_vector keys = duckdb_struct_vector_get_child(child, 0);
  duckdb_vector values = duckdb_struct_vector_get_child(child, 1);
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto& kvs = resource ? records[begin + i].resource : records[begin + i].attributes;
    entries[i].offset = pos;
    entries[i].length = kvs.size();
    for (const auto& [k, val] : kvs) {
      put_string(keys, pos, k);
      put_string(values, pos, val);
      ++pos;
    }
  }
}
}  // namespace

Result<std::unique_ptr<LogTableAppender>> LogTableAppender::create(duckdb_connection con, const std::string& table) {
  std::unique_ptr<LogTableAppender> a(new LogTableAppender());  // NOLINT: private constructor
  if (duckdb_appender_create(con, nullptr, table.c_str(), &a->appender_) != DuckDBSuccess) {
    std::string msg = a->appender_ ? duckdb_appender_error(a->appender_) : "unknown error";
    return Status::Internal("creating appender on " + table + ": " + msg);
  }
  auto varchar = [] { return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR); };
  auto map = [&] {
    duckdb_logical_type k = varchar(), v = varchar();
    duckdb_logical_type m = duckdb_create_map_type(k, v);
    duckdb_destroy_logical_type(&k);
    duckdb_destroy_logical_type(&v);
    return m;
  };
  a->types_ = {duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_NS), duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_NS),
               duckdb_create_logical_type(DUCKDB_TYPE_UTINYINT), varchar(), varchar(), map(), map(), varchar(),
               varchar(), varchar(), varchar(), varchar(), duckdb_create_logical_type(DUCKDB_TYPE_UINTEGER),
               duckdb_create_logical_type(DUCKDB_TYPE_UBIGINT)};
  return a;
}

LogTableAppender::~LogTableAppender() {
  if (appender_) duckdb_appender_destroy(&appender_);
  for (auto& t : types_) duckdb_destroy_logical_type(&t);
}

Status LogTableAppender::append(const std::vector<LogRecord>& records, uint64_t first_offset) {
  const size_t cap = duckdb_vector_size();
  for (size_t begin = 0; begin < records.size(); begin += cap) {
    size_t n = std::min(cap, records.size() - begin);
    duckdb_data_chunk chunk = duckdb_create_data_chunk(types_.data(), types_.size());
    duckdb_vector v[kNumCols];
    for (int c = 0; c < kNumCols; ++c) v[c] = duckdb_data_chunk_get_vector(chunk, c);
    auto* ts = static_cast<int64_t*>(duckdb_vector_get_data(v[kTs]));
    auto* obs = static_cast<int64_t*>(duckdb_vector_get_data(v[kObs]));
    auto* sev = static_cast<uint8_t*>(duckdb_vector_get_data(v[kSevNum]));
    auto* flags = static_cast<uint32_t*>(duckdb_vector_get_data(v[kFlags]));
    auto* off = static_cast<uint64_t*>(duckdb_vector_get_data(v[kOffset]));
    for (size_t i = 0; i < n; ++i) {
      const LogRecord& r = records[begin + i];
      ts[i] = r.timestamp_ns;
      obs[i] = r.observed_timestamp_ns;
      sev[i] = r.severity_number;
      flags[i] = r.trace_flags;
      off[i] = first_offset + begin + i;
      put_string(v[kSevText], i, r.severity_text);
      put_string(v[kBody], i, r.body);
      put_string(v[kSvc], i, r.service_name);
      put_string(v[kScope], i, r.scope_name);
      put_string(v[kScopeVer], i, r.scope_version);
      put_string(v[kTrace], i, r.trace_id);
      put_string(v[kSpan], i, r.span_id);
    }
    put_maps(v[kAttrs], records, begin, n, false);
    put_maps(v[kRes], records, begin, n, true);
    duckdb_data_chunk_set_size(chunk, n);
    duckdb_state st = duckdb_append_data_chunk(appender_, chunk);
    duckdb_destroy_data_chunk(&chunk);
    if (st != DuckDBSuccess) return Status::Internal(std::string("appending rows: ") + duckdb_appender_error(appender_));
  }
  return Status::Ok();
}

Status LogTableAppender::flush() {
  if (duckdb_appender_flush(appender_) != DuckDBSuccess) {
    return Status::Internal(std::string("flushing appender: ") + duckdb_appender_error(appender_));
  }
  return Status::Ok();
}

}  // namespace sluice
