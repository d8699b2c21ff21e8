// Writing C++ values into DuckDB result vectors, shared by the log and the
// metric table shapes (log_table.cpp, metric_table.cpp).
//
// DuckDB requires VARCHAR values to be valid UTF-8 (its JSON output and the
// Parquet writer rely on it), while records may hold any bytes read from a
// file; put_string() therefore repairs ill-formed sequences (U+FFFD per
// maximal subpart, model/utf8.hpp) on the way out. Valid strings, the usual
// case, are validated and copied once.
//
// Thread-safety: free functions; each call writes only the vector it is given.
#pragma once

#include <duckdb.h>

#include <string>
#include <string_view>
#include <vector>

#include "model/log_record.hpp"
#include "model/utf8.hpp"

namespace sluice::vector_write {

/// Sets row `row` of VARCHAR vector `v` to `s`, repaired to valid UTF-8.
inline void put_string(duckdb_vector v, idx_t row, std::string_view s) {
  if (is_valid_utf8(s)) [[likely]] {
    duckdb_vector_assign_string_element_len(v, row, s.data(), s.size());
    return;
  }
  thread_local std::string repaired;
  repaired.clear();
  append_valid_utf8(repaired, s);
  duckdb_vector_assign_string_element_len(v, row, repaired.data(), repaired.size());
}

/// A MAP(VARCHAR, VARCHAR) result vector made ready for `total` entries
/// over all its rows: row i's entries are [entries[i].offset, + length) of
/// the `keys` and `values` VARCHAR vectors.
struct MapParts {
  duckdb_list_entry* entries;
  duckdb_vector keys;
  duckdb_vector values;
};
inline MapParts reserve_map_entries(duckdb_vector v, size_t total) {
  duckdb_list_vector_reserve(v, total);
  duckdb_list_vector_set_size(v, total);
  duckdb_vector child = duckdb_list_vector_get_child(v);
  return {static_cast<duckdb_list_entry*>(duckdb_vector_get_data(v)), duckdb_struct_vector_get_child(child, 0),
          duckdb_struct_vector_get_child(child, 1)};
}

/// Fills MAP(VARCHAR, VARCHAR) vector `v` with `get(*rows[i])` for every
/// row; the whole chunk in one call (list offsets are chunk-relative).
template <class Row, class Get>
void put_maps(duckdb_vector v, const std::vector<const Row*>& rows, Get get) {
  size_t total = 0;
  for (const Row* r : rows) total += get(*r).size();
  auto [entries, keys, values] = reserve_map_entries(v, total);
  size_t pos = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const KeyValues& kvs = get(*rows[i]);
    entries[i].offset = pos;
    entries[i].length = kvs.size();
    for (const auto& [k, val] : kvs) {
      put_string(keys, pos, k);
      put_string(values, pos, val);
      ++pos;
    }
  }
}

/// Fills fixed-width vector `v` of C type T with `get(*rows[i])`.
template <class T, class Row, class Get>
void put_fixed(duckdb_vector v, const std::vector<const Row*>& rows, Get get) {
  auto* data = static_cast<T*>(duckdb_vector_get_data(v));
  for (size_t i = 0; i < rows.size(); ++i) data[i] = get(*rows[i]);
}

/// Fills VARCHAR vector `v` with `get(*rows[i])`.
template <class Row, class Get>
void put_strings(duckdb_vector v, const std::vector<const Row*>& rows, Get get) {
  for (size_t i = 0; i < rows.size(); ++i) put_string(v, i, get(*rows[i]));
}

/// Fills UBIGINT vector `v` with the stream offsets.
inline void put_offsets(duckdb_vector v, const std::vector<uint64_t>& offsets) {
  auto* data = static_cast<uint64_t*>(duckdb_vector_get_data(v));
  for (size_t i = 0; i < offsets.size(); ++i) data[i] = offsets[i];
}

/// A new MAP(VARCHAR, VARCHAR) logical type (caller destroys it).
inline duckdb_logical_type string_map_type() {
  duckdb_logical_type k = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_logical_type v = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_logical_type m = duckdb_create_map_type(k, v);
  duckdb_destroy_logical_type(&k);
  duckdb_destroy_logical_type(&v);
  return m;
}

}  // namespace sluice::vector_write
