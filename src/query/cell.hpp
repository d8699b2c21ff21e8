// Converting DuckDB result vectors into cells that every output format
// (JSON, NDJSON, CSV, text table, PostgreSQL wire later) can print.
#pragma once

#include <duckdb.h>

#include <string>

#include "common/json_text.hpp"

namespace sluice {

/// One result value. `text` is the value's text: for strings the raw
/// characters, for numbers and booleans their literal, for nested types
/// (LIST, STRUCT, MAP) a JSON document.
struct Cell {
  enum class Kind { kNull, kBool, kNumber, kString, kJson };
  Kind kind = Kind::kNull;
  std::string text;
};

/// Reads row `row` of `vec` (of logical type `type`) into a Cell.
/// Timestamps print as "YYYY-MM-DD HH:MM:SS[.fraction]" (UTC), dates as
/// "YYYY-MM-DD"; types without a text form print as "<TYPE>".
Cell read_cell(duckdb_vector vec, duckdb_logical_type type, idx_t row);

/// SQL type name of a logical type ("VARCHAR", "MAP(VARCHAR, VARCHAR)").
std::string type_name(duckdb_logical_type type);

/// Appends a cell as a JSON value (null, true, 12, "x", {...}).
void append_json_cell(std::string& out, const Cell& c);

}  // namespace sluice
