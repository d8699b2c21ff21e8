// LogRecord -> JSON: one OpenTelemetry-shaped object per record, the shape
// that decode_ndjson (json_records.hpp) reads back into an equal record.
//
// {"timestamp":"<ns>","observed_timestamp":"<ns>","severity_number":N,
//  "severity_text":"..","body":"..","attributes":{..},"resource":{..},
//  "service_name":"..","scope_name":"..","scope_version":"..",
//  "trace_id":"..","span_id":"..","trace_flags":N}
// Timestamps are decimal strings of ns since the epoch (as OTLP/JSON
// encodes uint64); empty optional strings are left out; attributes and
// resource are always present (possibly {}), which marks the line as
// OpenTelemetry-shaped for the decoder.
//
// Thread-safety: free function, no shared state.
#pragma once

#include <string>

#include "model/log_record.hpp"

namespace sluice {

/// Appends `r` as one JSON object (no newline) to `out`.
void append_record_json(std::string& out, const LogRecord& r);

}  // namespace sluice
