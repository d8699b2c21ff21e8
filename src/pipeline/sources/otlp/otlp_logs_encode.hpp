// sluice LogRecords -> an OTLP logs request body: the exact inverse of
// otlp_logs_decode.hpp's binary mapping, used by the `sluice` sink to ship
// an agent's records to a sluice server (src/pipeline/sinks/sluice/).
//
// Output: a binary protobuf ExportLogsServiceRequest
// (opentelemetry/proto/collector/logs/v1/logs_service.proto). Consecutive
// records with equal resource (and service_name) share one ResourceLogs, and
// within it consecutive records with equal scope_name/scope_version share one
// ScopeLogs, so record order is kept. Per record:
//   timestamp_ns -> time_unix_nano; observed_timestamp_ns ->
//       observed_time_unix_nano (values <= 0 are sent as 0, "unknown")
//   severity_number (0..24; above: 0), severity_text
//   body -> body.string_value
//   attributes -> attributes (string values)
//   resource -> resource.attributes, with "service.name" set to service_name
//       when service_name is not empty
//   scope_name / scope_version -> scope.name / scope.version
//   trace_id / span_id (hex) -> 16 / 8 bytes; an id that is not 32 / 16 hex
//       digits is left out (the server would reject the whole record)
//   trace_flags -> flags
// Text that is not valid UTF-8 is repaired (U+FFFD per maximal subpart, as
// everywhere in sluice): protobuf `string` fields must be UTF-8.
//
// So decode(encode(r)) == r for every record whose timestamps are positive,
// whose severity_number is set when severity_text is, whose resource's
// "service.name" equals service_name (or is absent), whose keys are unique,
// whose ids are valid lower-case hex and whose text is valid UTF-8 — which
// is what sluice's sources and transforms produce.
//
// Thread-safety: a pure function.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "model/log_record.hpp"

namespace sluice {

/// Encodes `records` as a binary ExportLogsServiceRequest. A non-empty
/// `sluice_positions` (positions JSON, sluice_protocol.hpp) is added as field
/// kSluicePositionsField.
std::string encode_otlp_logs_proto(std::span<const LogRecord> records, std::string_view sluice_positions = {});
/// The same into `*out`, replacing its content; the direct writer reuses
/// its capacity, the library path (invalid UTF-8 to repair) replaces it.
void encode_otlp_logs_proto(std::span<const LogRecord> records, std::string_view sluice_positions, std::string* out);

/// The same through the protobuf library only: the specification of the
/// direct writer encode_otlp_logs_proto uses when it can
/// (otlp_logs_wire_encode.hpp); a unit test compares their bytes.
std::string encode_otlp_logs_proto_reference(std::span<const LogRecord> records, std::string_view sluice_positions);

}  // namespace sluice
