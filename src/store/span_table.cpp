#include "store/span_table.hpp"

#include "common/json_text.hpp"
#include "store/vector_write.hpp"

namespace sluice {

using vector_write::put_fixed;
using vector_write::put_maps;
using vector_write::put_strings;

const std::vector<std::string>& span_column_names() {
  static const std::vector<std::string> kNames = {"timestamp",     "end_timestamp",  "duration_ns",    "trace_id",
                                                  "span_id",       "parent_span_id", "trace_state",    "name",
                                                  "span_kind",     "status_code",    "status_message", "trace_flags",
                                                  "attributes",    "resource",       "service_name",   "scope_name",
                                                  "scope_version", "events",         "links",          "_offset"};
  return kNames;
}

duckdb_logical_type span_column_type(SpanColumn c) {
  switch (c) {
    case kSpanColTimestamp:
    case kSpanColEndTimestamp:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_NS);
    case kSpanColDuration:
      return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    case kSpanColTraceFlags:
      return duckdb_create_logical_type(DUCKDB_TYPE_UINTEGER);
    case kSpanColOffset:
      return duckdb_create_logical_type(DUCKDB_TYPE_UBIGINT);
    case kSpanColAttributes:
    case kSpanColResource:
      return vector_write::string_map_type();
    default:
      return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  }
}

namespace {

void append_object(std::string& out, const KeyValues& kvs) {
  out += '{';
  for (size_t i = 0; i < kvs.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, kvs[i].first);
    out += ':';
    append_json_string(out, kvs[i].second);
  }
  out += '}';
}

std::string events_json(const Span& x) {
  std::string out = "[";
  for (size_t i = 0; i < x.events.size(); ++i) {
    const SpanEvent& e = x.events[i];
    if (i) out += ',';
    out += "{\"timestamp\":\"" + std::to_string(e.timestamp_ns) + "\",\"name\":";
    append_json_string(out, e.name);
    out += ",\"attributes\":";
    append_object(out, e.attributes);
    out += '}';
  }
  return out + "]";
}

std::string links_json(const Span& x) {
  std::string out = "[";
  for (size_t i = 0; i < x.links.size(); ++i) {
    const SpanLink& l = x.links[i];
    if (i) out += ',';
    out += "{\"trace_id\":";
    append_json_string(out, l.trace_id);
    out += ",\"span_id\":";
    append_json_string(out, l.span_id);
    out += ",\"trace_state\":";
    append_json_string(out, l.trace_state);
    out += ",\"attributes\":";
    append_object(out, l.attributes);
    out += '}';
  }
  return out + "]";
}

}  // namespace

void fill_span_column(duckdb_vector vec, SpanColumn c, const std::vector<const Span*>& rows,
                      const std::vector<uint64_t>& offsets) {
  using S = const std::string&;
  switch (c) {
    case kSpanColTimestamp:
      put_fixed<int64_t>(vec, rows, [](const Span& x) { return x.start_timestamp_ns; });
      break;
    case kSpanColEndTimestamp:
      put_fixed<int64_t>(vec, rows, [](const Span& x) { return x.end_timestamp_ns; });
      break;
    case kSpanColDuration:
      // Unsigned difference: no overflow on hostile timestamps.
      put_fixed<int64_t>(vec, rows, [](const Span& x) {
        return static_cast<int64_t>(static_cast<uint64_t>(x.end_timestamp_ns) -
                                    static_cast<uint64_t>(x.start_timestamp_ns));
      });
      break;
    case kSpanColTraceId:
      put_strings(vec, rows, [](const Span& x) -> S { return x.trace_id; });
      break;
    case kSpanColSpanId:
      put_strings(vec, rows, [](const Span& x) -> S { return x.span_id; });
      break;
    case kSpanColParentSpanId:
      put_strings(vec, rows, [](const Span& x) -> S { return x.parent_span_id; });
      break;
    case kSpanColTraceState:
      put_strings(vec, rows, [](const Span& x) -> S { return x.trace_state; });
      break;
    case kSpanColName:
      put_strings(vec, rows, [](const Span& x) -> S { return x.name; });
      break;
    case kSpanColKind:
      put_strings(vec, rows, [](const Span& x) { return span_kind_name(x.kind); });
      break;
    case kSpanColStatusCode:
      put_strings(vec, rows, [](const Span& x) { return span_status_name(x.status_code); });
      break;
    case kSpanColStatusMessage:
      put_strings(vec, rows, [](const Span& x) -> S { return x.status_message; });
      break;
    case kSpanColTraceFlags:
      put_fixed<uint32_t>(vec, rows, [](const Span& x) { return x.flags; });
      break;
    case kSpanColAttributes:
      put_maps(vec, rows, [](const Span& x) -> const KeyValues& { return x.attributes; });
      break;
    case kSpanColResource:
      put_maps(vec, rows, [](const Span& x) -> const KeyValues& { return x.resource; });
      break;
    case kSpanColServiceName:
      put_strings(vec, rows, [](const Span& x) -> S { return x.service_name; });
      break;
    case kSpanColScopeName:
      put_strings(vec, rows, [](const Span& x) -> S { return x.scope_name; });
      break;
    case kSpanColScopeVersion:
      put_strings(vec, rows, [](const Span& x) -> S { return x.scope_version; });
      break;
    case kSpanColEvents:
      put_strings(vec, rows, [](const Span& x) { return events_json(x); });
      break;
    case kSpanColLinks:
      put_strings(vec, rows, [](const Span& x) { return links_json(x); });
      break;
    case kSpanColOffset:
      vector_write::put_offsets(vec, offsets);
      break;
    default:
      break;
  }
}

}  // namespace sluice
