// OTLP logs request bodies -> sluice LogRecords: the pure decoding half of
// the `otlp` source, shared by OTLP/HTTP (protobuf and JSON) and OTLP/gRPC.
//
// Input: an ExportLogsServiceRequest
// (opentelemetry/proto/collector/logs/v1/logs_service.proto) in binary
// protobuf or in OTLP/JSON (OTLP specification, "JSON Protobuf Encoding":
// lowerCamelCase keys, snake_case accepted too; traceId/spanId as hex
// strings; enums as integers; 64-bit integers as decimal strings or numbers;
// unknown fields ignored).
//
// Mapping (ARCHITECTURE.md "Data model"), for every LogRecord of every
// ScopeLogs of every ResourceLogs, in order:
//   time_unix_nano -> timestamp_ns (0: the observed time)
//   observed_time_unix_nano -> observed_timestamp_ns (0: `received_ns`)
//   severity_number -> severity_number (0 with a severity_text: derived from
//       the text by severity_number_from_text); severity_text as is
//   body -> body (otlp_any_value.hpp: a string as is, other kinds as text)
//   attributes -> attributes; event_name -> attribute "event.name"
//   resource.attributes -> resource; resource "service.name" -> service_name
//   scope.name / scope.version -> scope_name / scope_version
//   trace_id / span_id -> lower-case hex (all-zero ids: absent)
//   flags & 0xff -> trace_flags
// Attribute values become text as for body; a repeated key keeps its first
// position and its last value. Scope attributes and dropped-attribute counts
// are not stored.
//
// A record is rejected (counted in `rejected`, the rest of the request is
// kept: OTLP "partial success") when its trace_id is not 16 bytes or its
// span_id not 8 (in JSON: 32 / 16 hex digits), its severity_number is
// outside 0..24, or a timestamp does not fit int64 nanoseconds.
//
// Thread-safety: free functions, callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

/// Bounds on what one request may make sluice allocate (a two-byte empty
/// message costs a hundred bytes decoded, so bytes alone do not bound it).
struct OtlpLimits {
  /// Log records in one request.
  uint64_t max_records = 100000;
  /// Values in one request: protobuf messages on the wire (attributes,
  /// nested values, scopes, ...), and separately the key/values stored
  /// (each record's attributes plus its copy of the resource attributes).
  uint64_t max_values = 1000000;
};

struct OtlpLogs {
  std::vector<LogRecord> records;
  uint64_t rejected = 0;  ///< records refused; the others are in `records`
  /// Empty when nothing was rejected; else the count and the first reason,
  /// e.g. "1 of 3 log records rejected; first:
  /// resource_logs[0].scope_logs[0].log_records[2]: trace_id is 5 bytes, expected 16".
  std::string rejected_reason;
  /// Binary requests only: the positions JSON a `sluice` sink put in field
  /// kSluicePositionsField (sluice_protocol.hpp), or "" (other clients).
  std::string sluice_positions;
};

/// Decodes a binary protobuf ExportLogsServiceRequest. `received_ns` (ns
/// since the epoch) is the observed time of records that carry none.
/// Errors: InvalidArgument naming the byte offset and field for malformed
/// bytes; ResourceExhausted when `limits` are passed.
Result<OtlpLogs> decode_otlp_logs_proto(std::string_view bytes, int64_t received_ns, const OtlpLimits& limits = {});

/// The same through the protobuf library only: the specification of the
/// fast path decode_otlp_logs_proto takes when it can
/// (otlp_logs_wire_decode.hpp). Tests and fuzz targets compare the two.
Result<OtlpLogs> decode_otlp_logs_proto_reference(std::string_view bytes, int64_t received_ns,
                                                  const OtlpLimits& limits = {});

/// Decodes an OTLP/JSON ExportLogsServiceRequest; as decode_otlp_logs_proto,
/// errors name the JSON field path (protobuf's JSON parser, nesting limit 100).
Result<OtlpLogs> decode_otlp_logs_json(std::string_view text, int64_t received_ns, const OtlpLimits& limits = {});

}  // namespace sluice
