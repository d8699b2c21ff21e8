#include "pipeline/sources/otlp/otlp_logs_map.hpp"

#include <climits>

#include "pipeline/sources/otlp/otlp_ids.hpp"

namespace sluice::otlp_logs_map {

bool map_record_fields(const RecordFields& in, const Form& form, int64_t received_ns, LogRecord* r, std::string* why) {
  constexpr auto kMax = static_cast<uint64_t>(INT64_MAX);
  if (in.time_unix_nano > kMax || in.observed_time_unix_nano > kMax) {
    bool t = in.time_unix_nano > kMax;
    *why = std::string(t ? form.time : form.observed_time) + " " +
           std::to_string(t ? in.time_unix_nano : in.observed_time_unix_nano) +
           " does not fit int64 nanoseconds (after year 2262)";
    return false;
  }
  int severity = in.severity_number;
  if (severity < 0 || severity > 24) {
    *why = std::string(form.severity_number) + " " + std::to_string(severity) + " is outside 0..24";
    return false;
  }
  // Most records carry no ids: no call for them.
  if (in.trace_id.empty()) {
    r->trace_id.clear();
  } else if (!otlp_id_hex(in.trace_id, 16, form.json, form.trace_id, &r->trace_id, why)) {
    return false;
  }
  if (in.span_id.empty()) {
    r->span_id.clear();
  } else if (!otlp_id_hex(in.span_id, 8, form.json, form.span_id, &r->span_id, why)) {
    return false;
  }
  r->observed_timestamp_ns =
      in.observed_time_unix_nano != 0 ? static_cast<int64_t>(in.observed_time_unix_nano) : received_ns;
  r->timestamp_ns = in.time_unix_nano != 0 ? static_cast<int64_t>(in.time_unix_nano) : r->observed_timestamp_ns;
  r->severity_text = in.severity_text;
  r->severity_number = severity != 0 ? static_cast<uint8_t>(severity) : severity_number_from_text(r->severity_text);
  r->trace_flags = in.flags & 0xffu;
  return true;
}

void add_event_name(std::string_view event_name, LogRecord* r) {
  if (!event_name.empty() && find_key_value(r->attributes, "event.name") == nullptr) {
    r->attributes.emplace_back("event.name", std::string(event_name));
  }
}

}  // namespace sluice::otlp_logs_map
