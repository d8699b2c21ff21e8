// Span: one span of a trace in the OpenTelemetry trace data model
// (opentelemetry-proto trace/v1 Span), as stored in a stream of kind
// `traces` (ARCHITECTURE.md "Data model"; the OTLP receiver's `spans`
// stream). Column names follow the OpenTelemetry ClickHouse exporter's
// otel_traces table in snake_case (store/span_table.hpp).
//
// Thread-safety: a plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/log_record.hpp"

namespace sluice {

/// A time-stamped event within a span (Span.Event).
struct SpanEvent {
  int64_t timestamp_ns = 0;  ///< ns since Unix epoch
  std::string name;
  KeyValues attributes;

  bool operator==(const SpanEvent&) const = default;
};

/// A link to another span (Span.Link).
struct SpanLink {
  std::string trace_id;  ///< lower-case hex, 32 chars
  std::string span_id;   ///< lower-case hex, 16 chars
  std::string trace_state;
  KeyValues attributes;

  bool operator==(const SpanLink&) const = default;
};

struct Span {
  int64_t start_timestamp_ns = 0;  ///< the `timestamp` column; ns since Unix epoch (0 = now, set by the store)
  int64_t end_timestamp_ns = 0;
  std::string trace_id;        ///< lower-case hex, 32 chars
  std::string span_id;         ///< lower-case hex, 16 chars
  std::string parent_span_id;  ///< lower-case hex, 16 chars or empty for a root span
  std::string trace_state;     ///< W3C tracestate
  std::string name;
  uint8_t kind = 0;         ///< OTel SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer
  uint8_t status_code = 0;  ///< OTel Status.StatusCode: 0 unset, 1 ok, 2 error
  std::string status_message;
  uint32_t flags = 0;  ///< W3C trace flags (low 8 bits) and OTLP span flags
  KeyValues attributes;
  KeyValues resource;
  std::string service_name;  ///< from resource `service.name`
  std::string scope_name;
  std::string scope_version;
  std::vector<SpanEvent> events;
  std::vector<SpanLink> links;

  bool operator==(const Span&) const = default;
};

/// "unspecified", "internal", "server", "client", "producer", "consumer"
/// (the `span_kind` column), or "unspecified" for out-of-range values.
std::string_view span_kind_name(uint8_t kind);
/// "unset", "ok", "error" (the `status_code` column).
std::string_view span_status_name(uint8_t code);

}  // namespace sluice
