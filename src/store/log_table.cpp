#include "store/log_table.hpp"

namespace sluice {

const std::vector<std::string>& log_column_names() {
  static const std::vector<std::string> kNames = {
      "timestamp",    "observed_timestamp", "severity_number", "severity_text", "body",    "attributes",  "resource",
      "service_name", "scope_name",         "scope_version",   "trace_id",      "span_id", "trace_flags", "_offset"};
  return kNames;
}

duckdb_logical_type log_column_type(LogColumn c) {
  switch (c) {
    case kColTimestamp:
    case kColObservedTimestamp:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_NS);
    case kColSeverityNumber:
      return duckdb_create_logical_type(DUCKDB_TYPE_UTINYINT);
    case kColTraceFlags:
      return duckdb_create_logical_type(DUCKDB_TYPE_UINTEGER);
    case kColOffset:
      return duckdb_create_logical_type(DUCKDB_TYPE_UBIGINT);
    case kColAttributes:
    case kColResource: {
      duckdb_logical_type k = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
      duckdb_logical_type v = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
      duckdb_logical_type m = duckdb_create_map_type(k, v);
      duckdb_destroy_logical_type(&k);
      duckdb_destroy_logical_type(&v);
      return m;
    }
    default:
      return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  }
}

namespace {

void put_string(duckdb_vector v, idx_t row, const std::string& s) {
  duckdb_vector_assign_string_element_len(v, row, s.data(), s.size());
}

void put_maps(duckdb_vector v, const std::vector<const LogRecord*>& rows, bool resource) {
  size_t total = 0;
  for (const LogRecord* r : rows) total += resource ? r->resource.size() : r->attributes.size();
  duckdb_list_vector_reserve(v, total);
  duckdb_list_vector_set_size(v, total);
  auto* entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(v));
  duckdb_vector child = duckdb_list_vector_get_child(v);
  duckdb_vector keys = duckdb_struct_vector_get_child(child, 0);
  duckdb_vector values = duckdb_struct_vector_get_child(child, 1);
  size_t pos = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const KeyValues& kvs = resource ? rows[i]->resource : rows[i]->attributes;
    entries[i].offset = pos;
    entries[i].length = kvs.size();
    for (const auto& [k, val] : kvs) {
      put_string(keys, pos, k);
      put_string(values, pos, val);
      ++pos;
    }
  }
}

template <class T, class F>
void put_fixed(duckdb_vector v, const std::vector<const LogRecord*>& rows, F get) {
  auto* data = static_cast<T*>(duckdb_vector_get_data(v));
  for (size_t i = 0; i < rows.size(); ++i) data[i] = get(*rows[i]);
}

template <class F>
void put_strings(duckdb_vector v, const std::vector<const LogRecord*>& rows, F get) {
  for (size_t i = 0; i < rows.size(); ++i) put_string(v, i, get(*rows[i]));
}

}  // namespace

void fill_log_column(duckdb_vector vec, LogColumn c, const std::vector<const LogRecord*>& rows,
                     const std::vector<uint64_t>& offsets) {
  switch (c) {
    case kColTimestamp:
      put_fixed<int64_t>(vec, rows, [](const LogRecord& r) { return r.timestamp_ns; });
      break;
    case kColObservedTimestamp:
      put_fixed<int64_t>(vec, rows, [](const LogRecord& r) { return r.observed_timestamp_ns; });
      break;
    case kColSeverityNumber:
      put_fixed<uint8_t>(vec, rows, [](const LogRecord& r) { return r.severity_number; });
      break;
    case kColTraceFlags:
      put_fixed<uint32_t>(vec, rows, [](const LogRecord& r) { return r.trace_flags; });
      break;
    case kColOffset: {
      auto* data = static_cast<uint64_t*>(duckdb_vector_get_data(vec));
      for (size_t i = 0; i < rows.size(); ++i) data[i] = offsets[i];
      break;
    }
    case kColSeverityText:
      put_strings(vec, rows, [](const LogRecord& r) -> const std::string& { return r.severity_text; });
      break;
    case kColBody:
      put_strings(vec, rows, [](const LogRecord& r) -> const std::string& { return r.body; });
      break;
    case kColServiceName:
      put_strings(vec, rows, [](const LogRecord& r) -> const std::string& { return r.service_name; });
      break;
    case kColScopeName:
      put_strings(vec, rows, [](const LogRecord& r) -> const std::string& { return r.scope_name; });
      break;
    case kColScopeVersion:
      put_strings(vec, rows, [](const LogRecord& r) -> const std::string& { return r.scope_version; });
      break;
    case kColTraceId:
      put_strings(vec, rows, [](const LogRecord& r) -> const std::string& { return r.trace_id; });
      break;
    case kColSpanId:
      put_strings(vec, rows, [](const LogRecord& r) -> const std::string& { return r.span_id; });
      break;
    case kColAttributes:
      put_maps(vec, rows, false);
      break;
    case kColResource:
      put_maps(vec, rows, true);
      break;
    default:
      break;
  }
}

}  // namespace sluice
