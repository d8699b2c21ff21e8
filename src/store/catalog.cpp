#include "store/catalog.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "common/json_text.hpp"
#include "store/attribute_columns.hpp"

namespace sluice {

const char* stream_kind_name(StreamKind k) {
  switch (k) {
    case StreamKind::kMetrics:
      return "metrics";
    case StreamKind::kTraces:
      return "traces";
    default:
      return "logs";
  }
}

std::optional<StreamKind> batch_kind(const LogBatch& batch) {
  int kinds = !batch.records.empty() + !batch.samples.empty() + !batch.spans.empty();
  if (kinds != 1) return std::nullopt;
  if (!batch.samples.empty()) return StreamKind::kMetrics;
  return batch.spans.empty() ? StreamKind::kLogs : StreamKind::kTraces;
}

std::string encode_catalog(const Catalog& c) {
  std::string out = fmt::format("{{\"version\":1,\"kind\":\"{}\",\"compacted_offset\":{},\"segments\":[",
                                stream_kind_name(c.kind), c.compacted_offset);
  for (size_t i = 0; i < c.segments.size(); ++i) {
    const auto& s = c.segments[i];
    if (i) out += ',';
    out += "\n{\"path\":";
    append_json_string(out, s.path);
    out += fmt::format(
        ",\"first_offset\":{},\"last_offset\":{},\"min_timestamp_ns\":{},\"max_timestamp_ns\":{},\"rows\":{},"
        "\"bytes\":{}",
        s.first_offset, s.last_offset, s.min_timestamp_ns, s.max_timestamp_ns, s.rows, s.bytes);
    if (s.attribute_columns > 0) out += fmt::format(",\"attribute_columns\":{}", s.attribute_columns);
    if (s.attributes_split) out += ",\"attributes_split\":true";
    out += '}';
  }
  out += "],";
  if (!c.attribute_columns.empty()) {
    out += "\"attribute_columns\":";
    append_json_string_array(out, c.attribute_columns);
    out += ',';
  }
  out += "\"positions\":[";
  for (size_t i = 0; i < c.positions.size(); ++i) {
    const auto& p = c.positions[i];
    if (i) out += ',';
    out += "\n{\"source\":";
    append_json_string(out, p.source);
    out += ",\"key\":";
    append_json_string(out, p.key);
    out += fmt::format(",\"offset\":{},\"path\":", p.offset);
    append_json_string(out, p.path);
    out += '}';
  }
  out += "]}\n";
  return out;
}

Result<Catalog> decode_catalog(std::string_view json, std::string_view path) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  auto err = parser.parse(padded).get(root);
  std::string where(path);
  if (err) return Status::Corruption(where + ": catalog is not valid JSON: " + simdjson::error_message(err));
  Catalog c;
  auto need_u64 = [&](simdjson::dom::element e, const char* field, uint64_t* out) -> Status {
    if (e[field].get_uint64().get(*out)) {
      return Status::Corruption(where + ": expected an unsigned integer field \"" + field + "\"");
    }
    return Status::Ok();
  };
  auto need_i64 = [&](simdjson::dom::element e, const char* field, int64_t* out) -> Status {
    if (e[field].get_int64().get(*out))
      return Status::Corruption(where + ": expected an integer field \"" + field + "\"");
    return Status::Ok();
  };
  auto need_str = [&](simdjson::dom::element e, const char* field, std::string* out) -> Status {
    std::string_view v;
    if (e[field].get_string().get(v)) return Status::Corruption(where + ": expected a string field \"" + field + "\"");
    *out = std::string(v);
    return Status::Ok();
  };
  std::string_view kind = "logs";
  if (root["kind"].error() != simdjson::NO_SUCH_FIELD && root["kind"].get_string().get(kind)) {
    return Status::Corruption(where + ": expected a string field \"kind\"");
  }
  if (kind == "metrics") {
    c.kind = StreamKind::kMetrics;
  } else if (kind == "traces") {
    c.kind = StreamKind::kTraces;
  } else if (kind != "logs") {
    return Status::Corruption(where + ": expected \"kind\" to be \"logs\", \"metrics\" or \"traces\", found \"" +
                              std::string(kind) + "\"");
  }
  SLUICE_RETURN_IF_ERROR(need_u64(root, "compacted_offset", &c.compacted_offset));
  if (root["attribute_columns"].error() != simdjson::NO_SUCH_FIELD) {
    simdjson::dom::array keys;
    if (root["attribute_columns"].get_array().get(keys)) {
      return Status::Corruption(where + ": expected an array of strings \"attribute_columns\"");
    }
    for (simdjson::dom::element k : keys) {
      std::string_view key;
      if (k.get_string().get(key)) {
        return Status::Corruption(where + ": expected an array of strings \"attribute_columns\"");
      }
      if (!attribute_column_admissible(c.attribute_columns, key)) {
        return Status::Corruption(where + ": \"attribute_columns\" key \"" + std::string(key) +
                                  "\" is not a valid column name or clashes with an earlier key");
      }
      c.attribute_columns.emplace_back(key);
    }
  }
  simdjson::dom::array segs, poss;
  if (root["segments"].get_array().get(segs)) return Status::Corruption(where + ": expected an array \"segments\"");
  for (simdjson::dom::element s : segs) {
    SegmentInfo si;
    SLUICE_RETURN_IF_ERROR(need_str(s, "path", &si.path));
    SLUICE_RETURN_IF_ERROR(need_u64(s, "first_offset", &si.first_offset));
    SLUICE_RETURN_IF_ERROR(need_u64(s, "last_offset", &si.last_offset));
    SLUICE_RETURN_IF_ERROR(need_i64(s, "min_timestamp_ns", &si.min_timestamp_ns));
    SLUICE_RETURN_IF_ERROR(need_i64(s, "max_timestamp_ns", &si.max_timestamp_ns));
    SLUICE_RETURN_IF_ERROR(need_u64(s, "rows", &si.rows));
    SLUICE_RETURN_IF_ERROR(need_u64(s, "bytes", &si.bytes));
    if (s["attribute_columns"].error() != simdjson::NO_SUCH_FIELD) {
      SLUICE_RETURN_IF_ERROR(need_u64(s, "attribute_columns", &si.attribute_columns));
      if (si.attribute_columns > c.attribute_columns.size()) {
        return Status::Corruption(fmt::format("{}: segment \"{}\" has {} attribute columns but the catalog lists {}",
                                              where, si.path, si.attribute_columns, c.attribute_columns.size()));
      }
    }
    if (s["attributes_split"].error() != simdjson::NO_SUCH_FIELD) {
      if (s["attributes_split"].get_bool().get(si.attributes_split)) {
        return Status::Corruption(where + ": segment \"" + si.path + "\": expected a boolean \"attributes_split\"");
      }
    }
    if (si.path.find("..") != std::string::npos || (!si.path.empty() && si.path[0] == '/')) {
      return Status::Corruption(where + ": segment path \"" + si.path + "\" leaves the stream directory");
    }
    c.segments.push_back(std::move(si));
  }
  if (root["positions"].get_array().get(poss)) return Status::Corruption(where + ": expected an array \"positions\"");
  for (simdjson::dom::element p : poss) {
    SourcePosition sp;
    SLUICE_RETURN_IF_ERROR(need_str(p, "source", &sp.source));
    SLUICE_RETURN_IF_ERROR(need_str(p, "key", &sp.key));
    SLUICE_RETURN_IF_ERROR(need_u64(p, "offset", &sp.offset));
    SLUICE_RETURN_IF_ERROR(need_str(p, "path", &sp.path));
    c.positions.push_back(std::move(sp));
  }
  return c;
}

Result<Catalog> load_catalog(Env* env, const std::string& path) {
  if (!env->exists(path)) return Catalog{};
  SLUICE_ASSIGN_OR_RETURN(std::string text, env->read_file(path, 256ULL << 20));
  return decode_catalog(text, path);
}

Status save_catalog(Env* env, const std::string& path, const Catalog& c) {
  return env->write_file_atomic(path, encode_catalog(c));
}

}  // namespace sluice
