// OTLP trace request bodies -> sluice Spans: the pure decoding half of the
// `otlp` source's traces path, shared by OTLP/HTTP (protobuf and JSON, POST
// /v1/traces) and OTLP/gRPC (TraceService/Export).
//
// Input: an ExportTraceServiceRequest
// (opentelemetry/proto/collector/trace/v1/trace_service.proto) in binary
// protobuf or in OTLP/JSON (as for logs, otlp_logs_decode.hpp; traceId,
// spanId and parentSpanId are hex strings).
//
// Mapping (model/span.hpp), for every Span of every ScopeSpans of every
// ResourceSpans, in order: every field of the span:
//   trace_id, span_id, parent_span_id -> lower-case hex (an all-zero or
//       empty parent: a root span, "")
//   trace_state, name, kind, flags (all 32 bits), status.code,
//       status.message -> as sent
//   start_time_unix_nano / end_time_unix_nano -> start / end timestamps
//   attributes -> attributes (values as text, as for logs)
//   events -> time, name, attributes; links -> trace_id, span_id (hex),
//       trace_state, attributes
//   resource.attributes -> resource; resource "service.name" -> service_name
//   scope.name / scope.version -> scope_name / scope_version
// Not stored: dropped_*_count, schema_url, scope attributes, link flags.
//
// A span is rejected (counted in `rejected`, the rest kept: OTLP "partial
// success") when its trace_id is not 16 bytes or is all zero, its span_id not
// 8 bytes or all zero, its parent_span_id neither empty nor 8 bytes (in
// JSON: 32 / 16 hex digits), a link's ids are not 16 / 8 bytes, its kind is
// outside 0..5, its status code outside 0..2, or a timestamp (its own or an
// event's) does not fit int64 nanoseconds.
//
// Thread-safety: free functions, callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "model/span.hpp"
#include "pipeline/sources/otlp/otlp_logs_decode.hpp"

namespace sluice {

struct OtlpTraces {
  std::vector<Span> spans;
  uint64_t rejected = 0;  ///< spans refused; the others are in `spans`
  /// Empty when nothing was rejected; else the count and the first reason,
  /// e.g. "1 of 3 spans rejected; first:
  /// resource_spans[0].scope_spans[0].spans[2]: span_id is 5 bytes, expected 8".
  std::string rejected_reason;
  /// Binary requests only: the positions JSON a `sluice` sink put in field
  /// kSluicePositionsField (sluice_protocol.hpp), or "" (other clients).
  std::string sluice_positions;
};

/// Decodes a binary protobuf ExportTraceServiceRequest. `limits`:
/// max_records bounds the spans of one request, max_values the protobuf
/// messages on the wire and, separately, the key/values to store (each
/// span's attributes, its events' and links' attributes, and its copy of the
/// resource attributes).
/// Errors: InvalidArgument naming the byte offset and field for malformed
/// bytes; ResourceExhausted when `limits` are passed.
Result<OtlpTraces> decode_otlp_traces_proto(std::string_view bytes, const OtlpLimits& limits = {});

/// Decodes an OTLP/JSON ExportTraceServiceRequest; as the proto form, errors
/// name the JSON field path.
Result<OtlpTraces> decode_otlp_traces_json(std::string_view text, const OtlpLimits& limits = {});

}  // namespace sluice
