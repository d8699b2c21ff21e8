// sluice Spans -> an OTLP traces request body: the inverse of
// otlp_traces_decode.hpp's binary mapping, used by the `sluice` sink to ship
// an agent's spans to a sluice server (src/pipeline/sinks/sluice/).
//
// Output: a binary protobuf ExportTraceServiceRequest
// (opentelemetry/proto/collector/trace/v1/trace_service.proto). Consecutive
// spans with equal resource (and service_name) share one ResourceSpans, and
// within it consecutive spans with equal scope_name/scope_version share one
// ScopeSpans, so span order is kept. Per span, every field of model/span.hpp:
//   trace_id / span_id / parent_span_id (hex) -> 16 / 8 / 8 bytes; an id
//       that is not 32 / 16 hex digits is left out (the server then rejects
//       the span, or for the parent takes it as a root span)
//   trace_state, name, kind, flags (32 bits), status.code, status.message
//   start / end timestamps -> start_time_unix_nano / end_time_unix_nano
//       (values <= 0 are sent as 0)
//   attributes (string values); events -> time, name, attributes; links ->
//       trace_id, span_id (bytes), trace_state, attributes
//   resource -> resource.attributes, with "service.name" set to service_name
//       when service_name is not empty
//   scope_name / scope_version -> scope.name / scope.version
// Text that is not valid UTF-8 is repaired (U+FFFD per maximal subpart).
// The dropped_*_count fields are not modelled and are sent as 0.
//
// So decode(encode(s)) == s for every span that the decoder accepts and
// produced (valid ids, positive times, unique keys, valid UTF-8, resource
// "service.name" equal to service_name or absent).
//
// Thread-safety: a pure function.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "model/span.hpp"

namespace sluice {

/// Encodes `spans` as a binary ExportTraceServiceRequest. A non-empty
/// `sluice_positions` (positions JSON, sluice_protocol.hpp) is added as
/// field kSluicePositionsField.
std::string encode_otlp_traces_proto(std::span<const Span> spans, std::string_view sluice_positions = {});

}  // namespace sluice
