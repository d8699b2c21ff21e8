#include "pipeline/sources/otlp/otlp_traces_decode.hpp"

#include <google/protobuf/arena.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "pipeline/sources/otlp/otlp_encode_common.hpp"
#include "pipeline/sources/otlp/otlp_ids.hpp"
#include "pipeline/sources/otlp/otlp_metrics_traces_common.hpp"

namespace sluice {
namespace {

namespace pb = google::protobuf;
namespace pt = opentelemetry::proto::trace::v1;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

/// Field names as the request spelled them, and how it carried ids.
struct Form {
  bool json;  ///< the ids hold the hex text as sent (otlp_json_ids.hpp), not the id bytes
  const char* resource_spans;
  const char* scope_spans;
  const char* trace_id;
  const char* span_id;
  const char* parent_span_id;
  const char* start_time;
  const char* end_time;
  const char* time;
};
constexpr Form kProtoForm{false,           "resource_spans", "scope_spans",          "trace_id",
                          "span_id",       "parent_span_id", "start_time_unix_nano", "end_time_unix_nano",
                          "time_unix_nano"};
constexpr Form kJsonForm{true,           "resourceSpans",     "scopeSpans",      "traceId",     "spanId",
                         "parentSpanId", "startTimeUnixNano", "endTimeUnixNano", "timeUnixNano"};

/// A required id: as otlp_id_hex, and also false when it is empty or all zero.
bool required_id_hex(const std::string& raw, size_t want, bool json, const std::string& name, std::string* out,
                     std::string* why) {
  if (!otlp_id_hex(raw, want, json, name, out, why)) return false;
  if (out->empty()) {
    *why = name + " is " + (raw.empty() ? "missing" : "all zero");
    return false;
  }
  return true;
}

bool time_field(uint64_t t, const std::string& name, int64_t* out, std::string* why) {
  if (otlp_time_ns(t, out)) return true;
  *why = name + " " + std::to_string(t) + " does not fit int64 nanoseconds (after year 2262)";
  return false;
}

/// Maps one span's own fields (not resource or scope); false with `*why`
/// when it must be rejected.
bool map_span(const pt::Span& in, const Form& f, Span* s, std::string* why) {
  if (!required_id_hex(in.trace_id(), 16, f.json, f.trace_id, &s->trace_id, why)) return false;
  if (!required_id_hex(in.span_id(), 8, f.json, f.span_id, &s->span_id, why)) return false;
  if (!otlp_id_hex(in.parent_span_id(), 8, f.json, f.parent_span_id, &s->parent_span_id, why)) return false;
  if (!time_field(in.start_time_unix_nano(), f.start_time, &s->start_timestamp_ns, why)) return false;
  if (!time_field(in.end_time_unix_nano(), f.end_time, &s->end_timestamp_ns, why)) return false;
  if (in.kind() < 0 || in.kind() > 5) {
    *why = "kind " + std::to_string(static_cast<int>(in.kind())) + " is outside 0..5";
    return false;
  }
  if (in.status().code() < 0 || in.status().code() > 2) {
    *why = "status.code " + std::to_string(static_cast<int>(in.status().code())) + " is outside 0..2";
    return false;
  }
  s->trace_state = in.trace_state();
  s->name = in.name();
  s->kind = static_cast<uint8_t>(in.kind());
  s->status_code = static_cast<uint8_t>(in.status().code());
  s->status_message = in.status().message();
  s->flags = in.flags();
  append_otlp_attributes(in.attributes(), s->attributes);
  s->events.reserve(static_cast<size_t>(in.events_size()));
  for (int i = 0; i < in.events_size(); ++i) {
    const auto& e = in.events(i);
    SpanEvent ev;
    if (!time_field(e.time_unix_nano(), "events[" + std::to_string(i) + "]." + f.time, &ev.timestamp_ns, why)) {
      return false;
    }
    ev.name = e.name();
    append_otlp_attributes(e.attributes(), ev.attributes);
    s->events.push_back(std::move(ev));
  }
  s->links.reserve(static_cast<size_t>(in.links_size()));
  for (int i = 0; i < in.links_size(); ++i) {
    const auto& l = in.links(i);
    const std::string at = "links[" + std::to_string(i) + "].";
    SpanLink link;
    if (!required_id_hex(l.trace_id(), 16, f.json, at + f.trace_id, &link.trace_id, why)) return false;
    if (!required_id_hex(l.span_id(), 8, f.json, at + f.span_id, &link.span_id, why)) return false;
    link.trace_state = l.trace_state();
    append_otlp_attributes(l.attributes(), link.attributes);
    s->links.push_back(std::move(link));
  }
  return true;
}

/// The key/values a span stores besides its resource copy.
uint64_t span_values(const pt::Span& s) {
  uint64_t n = static_cast<uint64_t>(s.attributes_size());
  for (const auto& e : s.events()) n += static_cast<uint64_t>(e.attributes_size()) + 1;
  for (const auto& l : s.links()) n += static_cast<uint64_t>(l.attributes_size()) + 1;
  return n;
}

Result<OtlpTraces> map_request(const ExportTraceServiceRequest& req, const Form& form, const OtlpLimits& limits) {
  OtlpTraces out;
  uint64_t total = 0;
  uint64_t values = 0;
  for (const auto& rs : req.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) {
      total += static_cast<uint64_t>(ss.spans_size());
      for (const auto& s : ss.spans()) {
        values += static_cast<uint64_t>(rs.resource().attributes_size()) + span_values(s);
      }
    }
  }
  if (values > limits.max_values) {
    return Status::ResourceExhausted("more than " + std::to_string(limits.max_values) +
                                     " attribute and resource values to store for one request "
                                     "(max_values_per_request)");
  }
  out.spans.reserve(total);
  std::string first_reason;
  for (int ri = 0; ri < req.resource_spans_size(); ++ri) {
    const auto& rs = req.resource_spans(ri);
    KeyValues resource;
    append_otlp_attributes(rs.resource().attributes(), resource);
    const std::string* service = find_key_value(resource, "service.name");
    for (int si = 0; si < rs.scope_spans_size(); ++si) {
      const auto& ss = rs.scope_spans(si);
      for (int i = 0; i < ss.spans_size(); ++i) {
        Span s;
        std::string why;
        if (!map_span(ss.spans(i), form, &s, &why)) {
          if (out.rejected++ == 0) {
            first_reason = std::string(form.resource_spans) + "[" + std::to_string(ri) + "]." + form.scope_spans + "[" +
                           std::to_string(si) + "].spans[" + std::to_string(i) + "]: " + why;
          }
          continue;
        }
        s.resource = resource;
        if (service != nullptr) s.service_name = *service;
        s.scope_name = ss.scope().name();
        s.scope_version = ss.scope().version();
        out.spans.push_back(std::move(s));
      }
    }
  }
  if (out.rejected > 0) {
    out.rejected_reason =
        std::to_string(out.rejected) + " of " + std::to_string(total) + " spans rejected; first: " + first_reason;
  }
  return out;
}

Result<OtlpTraces> decode_binary(std::string_view bytes, const Form& form, const OtlpLimits& limits) {
  OtlpParseLimits pl;
  pl.counted = pt::Span::descriptor();
  pl.max_counted = limits.max_records;
  pl.counted_what = "spans";
  pl.max_messages = limits.max_values;
  pb::Arena arena;
  auto* req = pb::Arena::CreateMessage<ExportTraceServiceRequest>(&arena);
  SLUICE_RETURN_IF_ERROR(parse_otlp_proto(bytes, pl, req));
  SLUICE_ASSIGN_OR_RETURN(OtlpTraces out, map_request(*req, form, limits));
  if (!form.json) out.sluice_positions = sluice_positions_field(*req);
  return out;
}

}  // namespace

Result<OtlpTraces> decode_otlp_traces_proto(std::string_view bytes, const OtlpLimits& limits) {
  return decode_binary(bytes, kProtoForm, limits);
}

Result<OtlpTraces> decode_otlp_traces_json(std::string_view text, const OtlpLimits& limits) {
  SLUICE_ASSIGN_OR_RETURN(std::string binary, otlp_json_to_binary(text, ExportTraceServiceRequest::descriptor()));
  auto r = decode_binary(binary, kJsonForm, limits);
  if (!r.ok()) return otlp_json_error(r.status());
  return r;
}

}  // namespace sluice
