// The invariants the OTLP decoders' fuzz targets check (*_fuzz.cpp in this
// folder), shared by the protobuf and the JSON target of each signal: each
// aborts (a libFuzzer crash) when a decoded result breaks one.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdlib>
#include <string>

#include "pipeline/sources/otlp/otlp_logs_decode.hpp"
#include "pipeline/sources/otlp/otlp_traces_decode.hpp"

namespace sluice::fuzz {

/// An id is lower-case hex of `want` digits (or empty when not `required`).
inline void check_hex_id(const std::string& s, size_t want, bool required) {
  if (s.empty() && !required) return;
  if (s.size() != want) abort();
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) abort();
  }
}

/// Rejections are explained; records within the limit; ids hex; severity,
/// flags and timestamps in range.
inline void check_logs(const OtlpLogs& r, const OtlpLimits& limits) {
  if ((r.rejected == 0) != r.rejected_reason.empty()) abort();
  if (r.records.size() + r.rejected > limits.max_records) abort();
  for (const auto& rec : r.records) {
    check_hex_id(rec.trace_id, 32, false);
    check_hex_id(rec.span_id, 16, false);
    if (rec.severity_number > 24 || rec.trace_flags > 0xff || rec.timestamp_ns < 0) abort();
  }
}

/// Rejections are explained; spans within the limit; ids hex (trace and
/// span ids required); kind, status and timestamps in range.
inline void check_traces(const OtlpTraces& r, const OtlpLimits& limits) {
  if ((r.rejected == 0) != r.rejected_reason.empty()) abort();
  if (r.spans.size() + r.rejected > limits.max_records) abort();
  for (const auto& s : r.spans) {
    check_hex_id(s.trace_id, 32, true);
    check_hex_id(s.span_id, 16, true);
    check_hex_id(s.parent_span_id, 16, false);
    for (const auto& l : s.links) {
      check_hex_id(l.trace_id, 32, true);
      check_hex_id(l.span_id, 16, true);
    }
    if (s.kind > 5 || s.status_code > 2 || s.start_timestamp_ns < 0 || s.end_timestamp_ns < 0) abort();
  }
}

}  // namespace sluice::fuzz
