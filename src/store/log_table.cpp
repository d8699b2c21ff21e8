#include "store/log_table.hpp"

#include <algorithm>

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

void locate_attribute_entries(const std::vector<std::string_view>& keys, const std::vector<const LogRecord*>& rows,
                              std::vector<int32_t>* found) {
  const size_t m = keys.size();
  found->assign(rows.size() * m, -1);
  // Parsed records repeat their keys in the same order: the entry at index i
  // usually has the key it had in the previous row, so one comparison
  // confirms the column it matched then (or that it matched none).
  constexpr int kUnknown = -2, kNone = -1;
  std::vector<int> hint;
  const KeyValues* prev = nullptr;
  for (size_t r = 0; r < rows.size(); ++r) {
    const KeyValues& kvs = rows[r]->attributes;
    int32_t* row_found = found->data() + r * m;
    if (hint.size() < kvs.size()) hint.resize(kvs.size(), kUnknown);
    for (size_t i = 0; i < kvs.size(); ++i) {
      const std::string& k = kvs[i].first;
      int col = hint[i];
      bool known = (col >= 0 && keys[col] == k) ||
                   (col == kNone && prev != nullptr && i < prev->size() && (*prev)[i].first == k);
      if (!known) {
        col = kNone;
        for (size_t j = 0; j < m; ++j) {
          if (keys[j] == k) {
            col = static_cast<int>(j);
            break;
          }
        }
        hint[i] = col;
      }
      if (col >= 0 && row_found[col] < 0) row_found[col] = static_cast<int32_t>(i);  // the first entry wins
    }
    prev = &kvs;
  }
}

void fill_attribute_columns(const std::vector<duckdb_vector>& vecs, const std::vector<size_t>& columns, size_t m,
                            const std::vector<const LogRecord*>& rows, const std::vector<int32_t>& found) {
  for (size_t c = 0; c < vecs.size(); ++c) {
    duckdb_vector v = vecs[c];
    duckdb_vector_ensure_validity_writable(v);
    uint64_t* validity = duckdb_vector_get_validity(v);
    for (size_t r = 0; r < rows.size(); ++r) {
      int32_t i = found[r * m + columns[c]];
      if (i >= 0) {
        duckdb_validity_set_row_valid(validity, r);
        vector_write::put_string(v, r, rows[r]->attributes[i].second);
      } else {
        duckdb_validity_set_row_invalid(validity, r);
      }
    }
  }
}

void fill_attributes_without_columns(duckdb_vector vec, size_t m, const std::vector<const LogRecord*>& rows,
                                     const std::vector<int32_t>& found) {
  // Each row's located entries are marked and skipped as the map is written.
  std::vector<bool> skip;
  size_t total = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    total += rows[r]->attributes.size();
    for (size_t j = 0; j < m; ++j) total -= found[r * m + j] >= 0 ? 1 : 0;
  }
  auto [entries, keys, values] = vector_write::reserve_map_entries(vec, total);
  size_t pos = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    const KeyValues& kvs = rows[r]->attributes;
    skip.assign(kvs.size(), false);
    for (size_t j = 0; j < m; ++j) {
      if (int32_t i = found[r * m + j]; i >= 0) skip[static_cast<size_t>(i)] = true;
    }
    entries[r].offset = pos;
    for (size_t i = 0; i < kvs.size(); ++i) {
      if (skip[i]) continue;
      vector_write::put_string(keys, pos, kvs[i].first);
      vector_write::put_string(values, pos, kvs[i].second);
      ++pos;
    }
    entries[r].length = pos - entries[r].offset;
  }
}

}  // namespace sluice
