#include "store/log_table.hpp"

#include "store/vector_write.hpp"

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
    case kColResource:
      return vector_write::string_map_type();
    default:
      return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  }
}

using vector_write::put_fixed;
using vector_write::put_maps;
using vector_write::put_strings;

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
    case kColOffset:
      vector_write::put_offsets(vec, offsets);
      break;
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
      put_maps(vec, rows, [](const LogRecord& r) -> const KeyValues& { return r.attributes; });
      break;
    case kColResource:
      put_maps(vec, rows, [](const LogRecord& r) -> const KeyValues& { return r.resource; });
      break;
    default:
      break;
  }
}

void fill_attribute_column(duckdb_vector vec, std::string_view key, const std::vector<const LogRecord*>& rows) {
  duckdb_vector_ensure_validity_writable(vec);
  uint64_t* validity = duckdb_vector_get_validity(vec);
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string* v = find_key_value(rows[i]->attributes, key);
    if (v) {
      duckdb_validity_set_row_valid(validity, i);
      vector_write::put_string(vec, i, *v);
    } else {
      duckdb_validity_set_row_invalid(validity, i);
    }
  }
}

}  // namespace sluice
