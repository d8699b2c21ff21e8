#include "query/cell.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "model/timestamp.hpp"

namespace sluice {
namespace {

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string format_date(int64_t days) {
  CivilDate c = civil_from_days(days);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

// `ticks` units per second; `digits` fraction digits for that unit.
std::string format_timestamp(int64_t ticks, int64_t per_second, int digits) {
  int64_t secs = floor_div(ticks, per_second);
  int64_t frac = ticks - secs * per_second;
  int64_t days = floor_div(secs, 86400);
  int64_t sod = secs - days * 86400;
  std::string out = format_date(days) + fmt::format(" {:02}:{:02}:{:02}", sod / 3600, (sod / 60) % 60, sod % 60);
  if (frac != 0) {
    std::string f = fmt::format("{:0{}}", frac, digits);
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

std::string format_time_us(int64_t us) {
  int64_t s = us / 1000000;
  std::string out = fmt::format("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  if (us % 1000000) out += fmt::format(".{:06}", us % 1000000);
  return out;
}

std::string format_u128(unsigned __int128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v > 0) {
    s += static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  return std::string(s.rbegin(), s.rend());
}

std::string format_i128(duckdb_hugeint h) {
  __int128 v = (static_cast<__int128>(h.upper) << 64) | static_cast<__int128>(h.lower);
  if (v < 0) return "-" + format_u128(static_cast<unsigned __int128>(-v));
  return format_u128(static_cast<unsigned __int128>(v));
}

std::string format_decimal(__int128 v, int scale) {
  bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-v) : static_cast<unsigned __int128>(v);
  std::string digits = format_u128(u);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale))
      digits.insert(0, static_cast<size_t>(scale) - digits.size() + 1, '0');
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  return neg ? "-" + digits : digits;
}

std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", v);
}

struct TypeHolder {
  duckdb_logical_type t;
  explicit TypeHolder(duckdb_logical_type x) : t(x) {}
  ~TypeHolder() { duckdb_destroy_logical_type(&t); }
  TypeHolder(const TypeHolder&) = delete;
  TypeHolder& operator=(const TypeHolder&) = delete;
};

Cell number(std::string s) { return {Cell::Kind::kNumber, std::move(s)}; }
Cell str(std::string s) { return {Cell::Kind::kString, std::move(s)}; }

}  // namespace

void append_json_cell(std::string& out, const Cell& c) {
  switch (c.kind) {
    case Cell::Kind::kNull:
      out += "null";
      break;
    case Cell::Kind::kBool:
    case Cell::Kind::kJson:
      out += c.text;
      break;
    case Cell::Kind::kNumber:
      // NaN and infinities are not JSON numbers.
      if (c.text == "NaN" || c.text == "Infinity" || c.text == "-Infinity") {
        append_json_string(out, c.text);
      } else {
        out += c.text;
      }
      break;
    case Cell::Kind::kString:
      append_json_string(out, c.text);
      break;
  }
}

std::string type_name(duckdb_logical_type type) {
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_ENUM:
      return "ENUM";
    case DUCKDB_TYPE_DECIMAL:
      return fmt::format("DECIMAL({}, {})", duckdb_decimal_width(type), duckdb_decimal_scale(type));
    case DUCKDB_TYPE_LIST: {
      TypeHolder c(duckdb_list_type_child_type(type));
      return type_name(c.t) + "[]";
    }
    case DUCKDB_TYPE_MAP: {
      TypeHolder k(duckdb_map_type_key_type(type)), v(duckdb_map_type_value_type(type));
      return "MAP(" + type_name(k.t) + ", " + type_name(v.t) + ")";
    }
    case DUCKDB_TYPE_STRUCT: {
      std::string s = "STRUCT(";
      idx_t n = duckdb_struct_type_child_count(type);
      for (idx_t i = 0; i < n; ++i) {
        char* name = duckdb_struct_type_child_name(type, i);
        TypeHolder c(duckdb_struct_type_child_type(type, i));
        if (i) s += ", ";
        s += std::string(name) + " " + type_name(c.t);
        duckdb_free(name);
      }
      return s + ")";
    }
    default:
      return "UNKNOWN";
  }
}

Cell read_cell(duckdb_vector vec, duckdb_logical_type type, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vec);
  if (validity && !duckdb_validity_row_is_valid(validity, row)) return {};
  void* data = duckdb_vector_get_data(vec);
  duckdb_type id = duckdb_get_type_id(type);
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
      return {Cell::Kind::kBool, static_cast<bool*>(data)[row] ? "true" : "false"};
    case DUCKDB_TYPE_TINYINT:
      return number(std::to_string(static_cast<int8_t*>(data)[row]));
    case DUCKDB_TYPE_SMALLINT:
      return number(std::to_string(static_cast<int16_t*>(data)[row]));
    case DUCKDB_TYPE_INTEGER:
      return number(std::to_string(static_cast<int32_t*>(data)[row]));
    case DUCKDB_TYPE_BIGINT:
      return number(std::to_string(static_cast<int64_t*>(data)[row]));
    case DUCKDB_TYPE_UTINYINT:
      return number(std::to_string(static_cast<uint8_t*>(data)[row]));
    case DUCKDB_TYPE_USMALLINT:
      return number(std::to_string(static_cast<uint16_t*>(data)[row]));
    case DUCKDB_TYPE_UINTEGER:
      return number(std::to_string(static_cast<uint32_t*>(data)[row]));
    case DUCKDB_TYPE_UBIGINT:
      return number(std::to_string(static_cast<uint64_t*>(data)[row]));
    case DUCKDB_TYPE_HUGEINT:
      return number(format_i128(static_cast<duckdb_hugeint*>(data)[row]));
    case DUCKDB_TYPE_UHUGEINT: {
      auto h = static_cast<duckdb_uhugeint*>(data)[row];
      return number(format_u128((static_cast<unsigned __int128>(h.upper) << 64) | h.lower));
    }
    case DUCKDB_TYPE_FLOAT:
      return number(format_double(static_cast<float*>(data)[row]));
    case DUCKDB_TYPE_DOUBLE:
      return number(format_double(static_cast<double*>(data)[row]));
    case DUCKDB_TYPE_DECIMAL: {
      int scale = duckdb_decimal_scale(type);
      __int128 v = 0;
      switch (duckdb_decimal_internal_type(type)) {
        case DUCKDB_TYPE_SMALLINT:
          v = static_cast<int16_t*>(data)[row];
          break;
        case DUCKDB_TYPE_INTEGER:
          v = static_cast<int32_t*>(data)[row];
          break;
        case DUCKDB_TYPE_BIGINT:
          v = static_cast<int64_t*>(data)[row];
          break;
        default: {
          auto h = static_cast<duckdb_hugeint*>(data)[row];
          v = (static_cast<__int128>(h.upper) << 64) | static_cast<__int128>(h.lower);
        }
      }
      return number(format_decimal(v, scale));
    }
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB: {
      auto* s = &static_cast<duckdb_string_t*>(data)[row];
      std::string v(duckdb_string_t_data(s), duckdb_string_t_length(*s));
      if (id == DUCKDB_TYPE_BLOB) {
        std::string hex = "\\x";
        for (unsigned char c : v) hex += fmt::format("{:02X}", c);
        return str(hex);
      }
      return str(std::move(v));
    }
    case DUCKDB_TYPE_DATE:
      return str(format_date(static_cast<int32_t*>(data)[row]));
    case DUCKDB_TYPE_TIME:
      return str(format_time_us(static_cast<int64_t*>(data)[row]));
    case DUCKDB_TYPE_TIMESTAMP:
      return str(format_timestamp(static_cast<int64_t*>(data)[row], 1000000, 6));
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return str(format_timestamp(static_cast<int64_t*>(data)[row], 1000000, 6) + "+00");
    case DUCKDB_TYPE_TIMESTAMP_S:
      return str(format_timestamp(static_cast<int64_t*>(data)[row], 1, 0));
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return str(format_timestamp(static_cast<int64_t*>(data)[row], 1000, 3));
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return str(format_timestamp(static_cast<int64_t*>(data)[row], 1000000000, 9));
    case DUCKDB_TYPE_INTERVAL: {
      auto iv = static_cast<duckdb_interval*>(data)[row];
      std::string s;
      if (iv.months) s += fmt::format("{} months ", iv.months);
      if (iv.days) s += fmt::format("{} days ", iv.days);
      s += format_time_us(iv.micros);
      return str(s);
    }
    case DUCKDB_TYPE_UUID: {
      auto h = static_cast<duckdb_hugeint*>(data)[row];
      uint64_t hi = static_cast<uint64_t>(h.upper) ^ (1ULL << 63);
      std::string x = fmt::format("{:016x}{:016x}", hi, h.lower);
      return str(x.substr(0, 8) + "-" + x.substr(8, 4) + "-" + x.substr(12, 4) + "-" + x.substr(16, 4) + "-" +
                 x.substr(20));
    }
    case DUCKDB_TYPE_ENUM: {
      uint64_t idx = 0;
      switch (duckdb_enum_internal_type(type)) {
        case DUCKDB_TYPE_UTINYINT:
          idx = static_cast<uint8_t*>(data)[row];
          break;
        case DUCKDB_TYPE_USMALLINT:
          idx = static_cast<uint16_t*>(data)[row];
          break;
        default:
          idx = static_cast<uint32_t*>(data)[row];
      }
      char* v = duckdb_enum_dictionary_value(type, idx);
      std::string s = v ? v : "";
      duckdb_free(v);
      return str(std::move(s));
    }
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_MAP: {
      auto entry = static_cast<duckdb_list_entry*>(data)[row];
      duckdb_vector child = duckdb_list_vector_get_child(vec);
      std::string out;
      if (id == DUCKDB_TYPE_MAP) {
        TypeHolder kt(duckdb_map_type_key_type(type)), vt(duckdb_map_type_value_type(type));
        duckdb_vector keys = duckdb_struct_vector_get_child(child, 0);
        duckdb_vector vals = duckdb_struct_vector_get_child(child, 1);
        out += '{';
        for (idx_t i = 0; i < entry.length; ++i) {
          if (i) out += ',';
          Cell k = read_cell(keys, kt.t, entry.offset + i);
          append_json_string(out, k.text);
          out += ':';
          append_json_cell(out, read_cell(vals, vt.t, entry.offset + i));
        }
        out += '}';
      } else {
        TypeHolder ct(duckdb_list_type_child_type(type));
        out += '[';
        for (idx_t i = 0; i < entry.length; ++i) {
          if (i) out += ',';
          append_json_cell(out, read_cell(child, ct.t, entry.offset + i));
        }
        out += ']';
      }
      return {Cell::Kind::kJson, std::move(out)};
    }
    case DUCKDB_TYPE_STRUCT: {
      std::string out = "{";
      idx_t n = duckdb_struct_type_child_count(type);
      for (idx_t i = 0; i < n; ++i) {
        char* name = duckdb_struct_type_child_name(type, i);
        TypeHolder ct(duckdb_struct_type_child_type(type, i));
        if (i) out += ',';
        append_json_string(out, name);
        duckdb_free(name);
        out += ':';
        append_json_cell(out, read_cell(duckdb_struct_vector_get_child(vec, i), ct.t, row));
      }
      return {Cell::Kind::kJson, out + "}"};
    }
    default:
      return str("<" + type_name(type) + ">");
  }
}

}  // namespace sluice
