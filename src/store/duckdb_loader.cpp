#include "store/duckdb_loader.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#ifndef SLUICE_DUCKDB_LIBRARY
#define SLUICE_DUCKDB_LIBRARY "libduckdb.so"
#endif

// Every DuckDB C API function sluice calls (see the header).
#define SLUICE_DUCKDB_FUNCTIONS(X)                      \
  X(duckdb_bind_add_result_column)                      \
  X(duckdb_bind_get_extra_info)                         \
  X(duckdb_bind_get_named_parameter)                    \
  X(duckdb_bind_get_parameter)                          \
  X(duckdb_bind_set_bind_data)                          \
  X(duckdb_close)                                       \
  X(duckdb_column_count)                                \
  X(duckdb_column_logical_type)                         \
  X(duckdb_column_name)                                 \
  X(duckdb_connect)                                     \
  X(duckdb_create_config)                               \
  X(duckdb_create_list_type)                            \
  X(duckdb_create_logical_type)                         \
  X(duckdb_create_map_type)                             \
  X(duckdb_create_scalar_function)                      \
  X(duckdb_create_table_function)                       \
  X(duckdb_data_chunk_get_column_count)                 \
  X(duckdb_data_chunk_get_size)                         \
  X(duckdb_data_chunk_get_vector)                       \
  X(duckdb_data_chunk_set_size)                         \
  X(duckdb_decimal_internal_type)                       \
  X(duckdb_decimal_scale)                               \
  X(duckdb_decimal_width)                               \
  X(duckdb_destroy_config)                              \
  X(duckdb_destroy_data_chunk)                          \
  X(duckdb_destroy_extracted)                           \
  X(duckdb_destroy_logical_type)                        \
  X(duckdb_destroy_pending)                             \
  X(duckdb_destroy_prepare)                             \
  X(duckdb_destroy_result)                              \
  X(duckdb_destroy_scalar_function)                     \
  X(duckdb_destroy_table_function)                      \
  X(duckdb_destroy_value)                               \
  X(duckdb_disconnect)                                  \
  X(duckdb_enum_dictionary_value)                       \
  X(duckdb_enum_internal_type)                          \
  X(duckdb_execute_pending)                             \
  X(duckdb_execute_prepared_streaming)                  \
  X(duckdb_extract_statements)                          \
  X(duckdb_extract_statements_error)                    \
  X(duckdb_fetch_chunk)                                 \
  X(duckdb_free)                                        \
  X(duckdb_function_get_bind_data)                      \
  X(duckdb_function_get_init_data)                      \
  X(duckdb_function_set_error)                          \
  X(duckdb_get_bool)                                    \
  X(duckdb_get_int64)                                   \
  X(duckdb_get_list_child)                              \
  X(duckdb_get_list_size)                               \
  X(duckdb_get_type_id)                                 \
  X(duckdb_get_uint64)                                  \
  X(duckdb_get_varchar)                                 \
  X(duckdb_init_get_bind_data)                          \
  X(duckdb_init_get_column_count)                       \
  X(duckdb_init_get_column_index)                       \
  X(duckdb_init_set_error)                              \
  X(duckdb_init_set_init_data)                          \
  X(duckdb_init_set_max_threads)                        \
  X(duckdb_interrupt)                                   \
  X(duckdb_is_null_value)                               \
  X(duckdb_list_type_child_type)                        \
  X(duckdb_list_vector_get_child)                       \
  X(duckdb_list_vector_reserve)                         \
  X(duckdb_list_vector_set_size)                        \
  X(duckdb_map_type_key_type)                           \
  X(duckdb_map_type_value_type)                         \
  X(duckdb_nparams)                                     \
  X(duckdb_open_ext)                                    \
  X(duckdb_pending_error)                               \
  X(duckdb_pending_execute_task)                        \
  X(duckdb_pending_prepared)                            \
  X(duckdb_prepare)                                     \
  X(duckdb_prepare_error)                               \
  X(duckdb_prepare_extracted_statement)                 \
  X(duckdb_prepared_statement_type)                     \
  X(duckdb_query)                                       \
  X(duckdb_register_scalar_function)                    \
  X(duckdb_register_table_function)                     \
  X(duckdb_result_error)                                \
  X(duckdb_result_error_type)                           \
  X(duckdb_row_count)                                   \
  X(duckdb_scalar_function_add_parameter)               \
  X(duckdb_scalar_function_set_error)                   \
  X(duckdb_scalar_function_set_function)                \
  X(duckdb_scalar_function_set_name)                    \
  X(duckdb_scalar_function_set_return_type)             \
  X(duckdb_scalar_function_set_special_handling)        \
  X(duckdb_scalar_function_set_varargs)                 \
  X(duckdb_set_config)                                  \
  X(duckdb_string_t_data)                               \
  X(duckdb_string_t_length)                             \
  X(duckdb_struct_type_child_count)                     \
  X(duckdb_struct_type_child_name)                      \
  X(duckdb_struct_type_child_type)                      \
  X(duckdb_struct_vector_get_child)                     \
  X(duckdb_table_function_add_named_parameter)          \
  X(duckdb_table_function_add_parameter)                \
  X(duckdb_table_function_set_bind)                     \
  X(duckdb_table_function_set_extra_info)               \
  X(duckdb_table_function_set_function)                 \
  X(duckdb_table_function_set_init)                     \
  X(duckdb_table_function_set_name)                     \
  X(duckdb_table_function_supports_projection_pushdown) \
  X(duckdb_validity_row_is_valid)                       \
  X(duckdb_validity_set_row_invalid)                    \
  X(duckdb_validity_set_row_valid)                      \
  X(duckdb_value_int64)                                 \
  X(duckdb_value_varchar)                               \
  X(duckdb_vector_assign_string_element_len)            \
  X(duckdb_vector_ensure_validity_writable)             \
  X(duckdb_vector_get_data)                             \
  X(duckdb_vector_get_validity)                         \
  X(duckdb_vector_size)                                 \
  /* end */

#if defined(SLUICE_DUCKDB_LAZY)

extern "C" {
/// Where every trampoline points until load_duckdb() succeeds.
[[noreturn]] void sluice_duckdb_not_loaded() {
  std::fputs("sluice: a DuckDB function was called before load_duckdb() (store/duckdb_loader.hpp)\n", stderr);
  std::abort();
}
#define X(name) void* sluice_duckdb_fn_##name = reinterpret_cast<void*>(&sluice_duckdb_not_loaded);
SLUICE_DUCKDB_FUNCTIONS(X)
#undef X
}

// The trampolines: the symbol duckdb_x jumps through sluice_duckdb_fn_duckdb_x.
#define X(name)                                                                                                     \
  ".globl " #name "\n.type " #name ", @function\n" #name ":\n\tjmp *sluice_duckdb_fn_" #name "(%rip)\n.size " #name \
  ", .-" #name "\n"
__asm__(".text\n" SLUICE_DUCKDB_FUNCTIONS(X) ".previous\n");
#undef X

namespace sluice {

Status load_duckdb() {
  static std::once_flag once;
  static Status result;
  std::call_once(once, [] {
    const char* path = std::getenv("SLUICE_DUCKDB_LIBRARY");
    if (path == nullptr || *path == '\0') path = SLUICE_DUCKDB_LIBRARY;
    void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = dlerror();
      result = Status::Unavailable(std::string("cannot load DuckDB from ") + path + ": " + (why ? why : "?") +
                                   " (set SLUICE_DUCKDB_LIBRARY to libduckdb.so's path)");
      return;
    }
    void* found = nullptr;
#define X(name)                                                                                      \
  found = dlsym(lib, #name);                                                                         \
  if (found == nullptr) {                                                                            \
    result = Status::Unavailable(std::string("DuckDB library ") + path + " has no function " #name); \
    return;                                                                                          \
  }                                                                                                  \
  __atomic_store_n(&sluice_duckdb_fn_##name, found, __ATOMIC_RELEASE);
    SLUICE_DUCKDB_FUNCTIONS(X)
#undef X
    result = Status::Ok();
  });
  return result;
}

}  // namespace sluice

#else  // linked against libduckdb.so

namespace sluice {
Status load_duckdb() { return Status::Ok(); }
}  // namespace sluice

#endif
