// The OTLP LogRecord -> sluice LogRecord mapping rules shared by the two
// binary decoders of otlp_logs_decode.hpp: the protobuf-library one (also
// used for OTLP/JSON) and the direct wire-format one
// (otlp_logs_wire_decode.hpp). The mapping itself is documented in
// otlp_logs_decode.hpp; keeping the rules here is what makes the two agree.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/log_record.hpp"

namespace sluice::otlp_logs_map {

/// How the request spelled trace and span ids, and its field names (for
/// rejection reasons).
struct Form {
  bool json;  ///< ids hold the hex text as sent (otlp_json_ids.hpp), not the id bytes
  const char* resource_logs;
  const char* scope_logs;
  const char* log_records;
  const char* trace_id;
  const char* span_id;
  const char* time;
  const char* observed_time;
  const char* severity_number;
};
inline constexpr Form kProtoForm{.json = false,
                                 .resource_logs = "resource_logs",
                                 .scope_logs = "scope_logs",
                                 .log_records = "log_records",
                                 .trace_id = "trace_id",
                                 .span_id = "span_id",
                                 .time = "time_unix_nano",
                                 .observed_time = "observed_time_unix_nano",
                                 .severity_number = "severity_number"};
inline constexpr Form kJsonForm{.json = true,
                                .resource_logs = "resourceLogs",
                                .scope_logs = "scopeLogs",
                                .log_records = "logRecords",
                                .trace_id = "traceId",
                                .span_id = "spanId",
                                .time = "timeUnixNano",
                                .observed_time = "observedTimeUnixNano",
                                .severity_number = "severityNumber"};

/// The scalar fields of one OTLP LogRecord as decoded from the wire (views
/// into the request or its parsed message).
struct RecordFields {
  uint64_t time_unix_nano = 0;
  uint64_t observed_time_unix_nano = 0;
  int32_t severity_number = 0;
  std::string_view severity_text;
  std::string_view trace_id;  ///< bytes (binary form) or hex text (JSON form)
  std::string_view span_id;
  std::string_view event_name;
  uint32_t flags = 0;
};

/// Checks `in` and maps its fields into `*r` (timestamps, severity, ids,
/// flags); body and attributes are the caller's, then add_event_name().
/// False with `*why` when the record must be rejected (timestamp past int64,
/// severity outside 0..24, an id of the wrong length).
bool map_record_fields(const RecordFields& in, const Form& form, int64_t received_ns, LogRecord* r, std::string* why);

/// Adds attribute "event.name" = `event_name` unless it is empty or the
/// record already has that attribute.
void add_event_name(std::string_view event_name, LogRecord* r);

/// Appends `n` key/values to `out`, the i-th being (key(i), text(i)); a
/// repeated key keeps its first position and takes the later value. Linear
/// for small lists, hashed for large ones (a request may carry thousands of
/// attributes on one record). `key(i)` returns an AttributeKey or text.
template <typename KeyOf, typename TextOf>
void append_attributes(size_t n, KeyValues& out, KeyOf key, TextOf text) {
  out.reserve(out.size() + n);
  if (out.size() + n <= 32) {
    for (size_t i = 0; i < n; ++i) set_key_value(out, key(i), text(i));
    return;
  }
  // Views of the keys in `out`: their text does not move with the pairs
  // (interned, or on the heap), and `out` does not reallocate below.
  std::unordered_map<std::string_view, size_t> index;
  index.reserve(out.size() + n);
  for (size_t i = 0; i < out.size(); ++i) index.emplace(out[i].first.view(), i);
  for (size_t i = 0; i < n; ++i) {
    AttributeKey k(key(i));
    auto it = index.find(k.view());
    if (it != index.end()) {
      out[it->second].second = text(i);
    } else {
      out.emplace_back(std::move(k), text(i));
      index.emplace(out.back().first.view(), out.size() - 1);
    }
  }
}

}  // namespace sluice::otlp_logs_map
