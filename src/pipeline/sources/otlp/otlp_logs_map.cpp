#include "pipeline/sources/otlp/otlp_logs_map.hpp"

#include <climits>

namespace sluice::otlp_logs_map {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// A trace or span id as lower-case hex ("" when absent or all zero), or
/// false with `*why` when it is not `want` bytes (in JSON: 2 * `want` hex
/// digits, which `raw` holds as text).
bool id_hex(std::string_view raw, size_t want, const Form& form, const char* name, std::string* out, std::string* why) {
  out->clear();
  if (raw.empty()) return true;
  static constexpr char kHex[] = "0123456789abcdef";
  bool zero = true;
  if (!form.json) {
    if (raw.size() != want) {
      *why = std::string(name) + " is " + std::to_string(raw.size()) + " bytes, expected " + std::to_string(want);
      return false;
    }
    out->reserve(2 * want);
    for (char ch : raw) {
      auto c = static_cast<unsigned char>(ch);
      zero = zero && c == 0;
      *out += kHex[c >> 4];
      *out += kHex[c & 15];
    }
  } else {
    bool ok = raw.size() == 2 * want;
    for (size_t i = 0; ok && i < raw.size(); ++i) ok = hex_value(raw[i]) >= 0;
    if (!ok) {
      std::string shown(raw.substr(0, 64));
      for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '"') c = '?';
      }
      *why = std::string(name) + " \"" + shown + (raw.size() > 64 ? "...\"" : "\"") + " is not " +
             std::to_string(2 * want) + " hex digits";
      return false;
    }
    out->reserve(2 * want);
    for (char c : raw) {
      int v = hex_value(c);
      zero = zero && v == 0;
      *out += kHex[v];
    }
  }
  if (zero) out->clear();
  return true;
}

}  // namespace

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
  if (!id_hex(in.trace_id, 16, form, form.trace_id, &r->trace_id, why)) return false;
  if (!id_hex(in.span_id, 8, form, form.span_id, &r->span_id, why)) return false;
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
