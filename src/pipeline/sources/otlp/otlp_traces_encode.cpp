#include "pipeline/sources/otlp/otlp_traces_encode.hpp"

#include <google/protobuf/arena.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "pipeline/sources/otlp/otlp_encode_common.hpp"

namespace sluice {
namespace {

namespace pb = google::protobuf;
namespace pt = opentelemetry::proto::trace::v1;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

uint64_t time_field(int64_t ns) { return ns > 0 ? static_cast<uint64_t>(ns) : 0; }

void fill_span(const Span& s, pt::Span* out) {
  if (std::string id = otlp_id_bytes(s.trace_id, 16); !id.empty()) out->set_trace_id(std::move(id));
  if (std::string id = otlp_id_bytes(s.span_id, 8); !id.empty()) out->set_span_id(std::move(id));
  if (std::string id = otlp_id_bytes(s.parent_span_id, 8); !id.empty()) out->set_parent_span_id(std::move(id));
  set_otlp_text(out->mutable_trace_state(), s.trace_state);
  set_otlp_text(out->mutable_name(), s.name);
  out->set_kind(static_cast<pt::Span::SpanKind>(s.kind));
  out->set_flags(s.flags);
  out->set_start_time_unix_nano(time_field(s.start_timestamp_ns));
  out->set_end_time_unix_nano(time_field(s.end_timestamp_ns));
  add_otlp_attributes(out->mutable_attributes(), s.attributes);
  out->mutable_events()->Reserve(static_cast<int>(s.events.size()));
  for (const SpanEvent& e : s.events) {
    pt::Span::Event* ev = out->add_events();
    ev->set_time_unix_nano(time_field(e.timestamp_ns));
    set_otlp_text(ev->mutable_name(), e.name);
    add_otlp_attributes(ev->mutable_attributes(), e.attributes);
  }
  out->mutable_links()->Reserve(static_cast<int>(s.links.size()));
  for (const SpanLink& l : s.links) {
    pt::Span::Link* link = out->add_links();
    if (std::string id = otlp_id_bytes(l.trace_id, 16); !id.empty()) link->set_trace_id(std::move(id));
    if (std::string id = otlp_id_bytes(l.span_id, 8); !id.empty()) link->set_span_id(std::move(id));
    set_otlp_text(link->mutable_trace_state(), l.trace_state);
    add_otlp_attributes(link->mutable_attributes(), l.attributes);
  }
  if (s.status_code != 0 || !s.status_message.empty()) {
    out->mutable_status()->set_code(static_cast<pt::Status::StatusCode>(s.status_code));
    set_otlp_text(out->mutable_status()->mutable_message(), s.status_message);
  }
}

}  // namespace

std::string encode_otlp_traces_proto(std::span<const Span> spans, std::string_view sluice_positions) {
  pb::Arena arena;
  auto* req = pb::Arena::CreateMessage<ExportTraceServiceRequest>(&arena);
  pt::ResourceSpans* rs = nullptr;
  pt::ScopeSpans* ss = nullptr;
  const Span* prev = nullptr;
  for (const Span& s : spans) {
    if (prev == nullptr || s.resource != prev->resource || s.service_name != prev->service_name) {
      rs = req->add_resource_spans();
      fill_otlp_resource(s.resource, s.service_name, rs->mutable_resource());
      ss = nullptr;
    }
    if (ss == nullptr || s.scope_name != prev->scope_name || s.scope_version != prev->scope_version) {
      ss = rs->add_scope_spans();
      if (!s.scope_name.empty()) set_otlp_text(ss->mutable_scope()->mutable_name(), s.scope_name);
      if (!s.scope_version.empty()) set_otlp_text(ss->mutable_scope()->mutable_version(), s.scope_version);
    }
    fill_span(s, ss->add_spans());
    prev = &s;
  }
  add_sluice_positions_field(req, sluice_positions);
  return req->SerializeAsString();
}

}  // namespace sluice
