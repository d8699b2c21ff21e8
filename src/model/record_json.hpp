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
#include "model/metric_sample.hpp"

namespace sluice {

/// Appends `r` as one JSON object (no newline) to `out`.
void append_record_json(std::string& out, const LogRecord& r);

/// Appends `m` as one JSON object (no newline) to `out`:
/// {"timestamp":"<ns>","name":"..","labels":{..},"value":V,"kind":"..",
///  "resource":{..}} where V is a JSON number, or the string "NaN", "+Inf"
/// or "-Inf" (Prometheus' spelling) for values JSON cannot hold.
void append_sample_json(std::string& out, const MetricSample& m);

/// Appends `m` in the Prometheus text exposition line format (no newline):
/// `name{k="v",...} value timestamp_ms`, label values escaped as that
/// format requires (backslash, double quote, newline).
void append_sample_text(std::string& out, const MetricSample& m);

}  // namespace sluice
