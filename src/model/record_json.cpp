#include "model/record_json.hpp"

#include <fmt/format.h>

#include <cmath>

#include "common/json_text.hpp"

namespace sluice {

namespace {

void append_member(std::string& out, const char* name, const std::string& value) {
  if (value.empty()) return;
  out += ",\"";
  out += name;
  out += "\":";
  append_json_string(out, value);
}

void append_object(std::string& out, const char* name, const KeyValues& kvs) {
  out += ",\"";
  out += name;
  out += "\":{";
  bool first = true;
  for (const auto& [k, v] : kvs) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, k);
    out += ':';
    append_json_string(out, v);
  }
  out += '}';
}

std::string value_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);  // shortest form that reads back to the same double
}

}  // namespace

void append_sample_json(std::string& out, const MetricSample& m) {
  out += "{\"timestamp\":\"";
  out += std::to_string(m.timestamp_ns);
  out += "\",\"name\":";
  append_json_string(out, m.name);
  append_object(out, "labels", m.labels);
  out += ",\"value\":";
  std::string v = value_text(m.value);
  if (std::isfinite(m.value)) {
    out += v;
  } else {
    append_json_string(out, v);
  }
  out += ",\"kind\":\"";
  out += metric_kind_name(m.kind);
  out += '"';
  append_object(out, "resource", m.resource);
  out += '}';
}

void append_sample_text(std::string& out, const MetricSample& m) {
  out += m.name;
  if (!m.labels.empty()) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : m.labels) {
      if (!first) out += ',';
      first = false;
      out += k;
      out += "=\"";
      for (char c : v) {
        if (c == '\\' || c == '"') {
          out += '\\';
          out += c;
        } else if (c == '\n') {
          out += "\\n";
        } else {
          out += c;
        }
      }
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += value_text(m.value);
  out += ' ';
  out += std::to_string(m.timestamp_ns / 1000000);
}

void append_record_json(std::string& out, const LogRecord& r) {
  out += "{\"timestamp\":\"";
  out += std::to_string(r.timestamp_ns);
  out += "\",\"observed_timestamp\":\"";
  out += std::to_string(r.observed_timestamp_ns);
  out += "\",\"severity_number\":";
  out += std::to_string(r.severity_number);
  append_member(out, "severity_text", r.severity_text);
  out += ",\"body\":";
  append_json_string(out, r.body);
  append_object(out, "attributes", r.attributes);
  append_object(out, "resource", r.resource);
  append_member(out, "service_name", r.service_name);
  append_member(out, "scope_name", r.scope_name);
  append_member(out, "scope_version", r.scope_version);
  append_member(out, "trace_id", r.trace_id);
  append_member(out, "span_id", r.span_id);
  if (r.trace_flags != 0) {
    out += ",\"trace_flags\":";
    out += std::to_string(r.trace_flags);
  }
  out += '}';
}

}  // namespace sluice
