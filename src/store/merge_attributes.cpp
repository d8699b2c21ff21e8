#include "store/merge_attributes.hpp"

#include <duckdb.h>

#include <string_view>
#include <vector>

#include "store/vector_write.hpp"

namespace sluice {
namespace {

std::string_view view_of(duckdb_string_t* s) { return {duckdb_string_t_data(s), duckdb_string_t_length(*s)}; }

bool valid(uint64_t* validity, idx_t row) { return validity == nullptr || duckdb_validity_row_is_valid(validity, row); }

// DuckDB hands a C API function flat vectors (it flattens the chunk first).
void merge(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  const idx_t rows = duckdb_data_chunk_get_size(input);
  const idx_t nvalues = duckdb_data_chunk_get_column_count(input) - 2;
  duckdb_vector rest = duckdb_data_chunk_get_vector(input, 0);
  duckdb_vector keys = duckdb_data_chunk_get_vector(input, 1);
  auto* rest_entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(rest));
  uint64_t* rest_valid = duckdb_vector_get_validity(rest);
  duckdb_vector rest_kv = duckdb_list_vector_get_child(rest);
  auto* rest_keys = static_cast<duckdb_string_t*>(duckdb_vector_get_data(duckdb_struct_vector_get_child(rest_kv, 0)));
  duckdb_vector rest_values_v = duckdb_struct_vector_get_child(rest_kv, 1);
  auto* rest_values = static_cast<duckdb_string_t*>(duckdb_vector_get_data(rest_values_v));
  uint64_t* rest_values_valid = duckdb_vector_get_validity(rest_values_v);
  auto* key_entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(keys));
  uint64_t* keys_valid = duckdb_vector_get_validity(keys);
  auto* key_strings = static_cast<duckdb_string_t*>(duckdb_vector_get_data(duckdb_list_vector_get_child(keys)));
  std::vector<duckdb_string_t*> values(nvalues);
  std::vector<uint64_t*> values_valid(nvalues);
  for (idx_t j = 0; j < nvalues; ++j) {
    duckdb_vector v = duckdb_data_chunk_get_vector(input, 2 + j);
    values[j] = static_cast<duckdb_string_t*>(duckdb_vector_get_data(v));
    values_valid[j] = duckdb_vector_get_validity(v);
  }

  size_t total = 0;
  for (idx_t r = 0; r < rows; ++r) {
    if (!valid(keys_valid, r) || key_entries[r].length < nvalues) {
      duckdb_scalar_function_set_error(
          info, "sluice_merge_attributes: the keys list must name every value (a non-NULL VARCHAR[] at least as long)");
      return;
    }
    if (valid(rest_valid, r)) total += rest_entries[r].length;
    for (idx_t j = 0; j < nvalues; ++j) total += valid(values_valid[j], r) ? 1 : 0;
  }
  // Not a structured binding: the lambda below captures the parts.
  const vector_write::MapParts out = vector_write::reserve_map_entries(output, total);
  duckdb_list_entry* out_entries = out.entries;
  duckdb_vector out_keys = out.keys;
  duckdb_vector out_values = out.values;
  uint64_t* out_values_valid = nullptr;
  auto put = [&](size_t pos, std::string_view k, duckdb_string_t* v, bool v_valid) {
    duckdb_vector_assign_string_element_len(out_keys, pos, k.data(), k.size());
    if (v_valid) {
      std::string_view s = view_of(v);
      duckdb_vector_assign_string_element_len(out_values, pos, s.data(), s.size());
      return;
    }
    if (out_values_valid == nullptr) {
      duckdb_vector_ensure_validity_writable(out_values);
      out_values_valid = duckdb_vector_get_validity(out_values);
    }
    duckdb_validity_set_row_invalid(out_values_valid, pos);
  };
  size_t pos = 0;
  for (idx_t r = 0; r < rows; ++r) {
    out_entries[r].offset = pos;
    // A column holds a key's first entry; a later one (a key set twice)
    // stayed in `rest`, so the columns go first and lookups still find the
    // first.
    for (idx_t j = 0; j < nvalues; ++j) {
      if (!valid(values_valid[j], r)) continue;
      put(pos++, view_of(&key_strings[key_entries[r].offset + j]), &values[j][r], true);
    }
    if (valid(rest_valid, r)) {
      const duckdb_list_entry& e = rest_entries[r];
      for (idx_t i = e.offset; i < e.offset + e.length; ++i) {
        put(pos++, view_of(&rest_keys[i]), &rest_values[i], valid(rest_values_valid, i));
      }
    }
    out_entries[r].length = pos - out_entries[r].offset;
  }
}

}  // namespace

Status register_merge_attributes(Connection* con) {
  duckdb_scalar_function f = duckdb_create_scalar_function();
  duckdb_scalar_function_set_name(f, "sluice_merge_attributes");
  duckdb_logical_type map = vector_write::string_map_type();
  duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_logical_type list = duckdb_create_list_type(varchar);
  duckdb_scalar_function_add_parameter(f, map);
  duckdb_scalar_function_add_parameter(f, list);
  duckdb_scalar_function_set_varargs(f, varchar);
  duckdb_scalar_function_set_return_type(f, map);
  // NULL values are absent keys, not a NULL result.
  duckdb_scalar_function_set_special_handling(f);
  duckdb_scalar_function_set_function(f, merge);
  duckdb_state st = duckdb_register_scalar_function(con->raw(), f);
  duckdb_destroy_logical_type(&map);
  duckdb_destroy_logical_type(&varchar);
  duckdb_destroy_logical_type(&list);
  duckdb_destroy_scalar_function(&f);
  if (st != DuckDBSuccess) return Status::Internal("registering the sluice_merge_attributes function failed");
  return Status::Ok();
}

}  // namespace sluice
