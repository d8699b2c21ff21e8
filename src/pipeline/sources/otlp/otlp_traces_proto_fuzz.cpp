// libFuzzer target: OTLP/protobuf ExportTraceServiceRequest decoding
// (wire scan, parse, mapping to Spans). Invariants: no crash, hang or unbounded
// allocation; ids are lower-case hex of the right length; kind and status
// are in range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pipeline/sources/otlp/otlp_traces_decode.hpp"

namespace {

void check_hex(const std::string& s, size_t want, bool required) {
  if (s.empty() && !required) return;
  if (s.size() != want) abort();
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::OtlpLimits limits;
  limits.max_records = 1000;
  limits.max_values = 20000;
  auto r = sluice::decode_otlp_traces_proto(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!r.ok()) return 0;
  if ((r->rejected == 0) != r->rejected_reason.empty()) abort();
  if (r->spans.size() + r->rejected > limits.max_records) abort();
  for (const auto& s : r->spans) {
    check_hex(s.trace_id, 32, true);
    check_hex(s.span_id, 16, true);
    check_hex(s.parent_span_id, 16, false);
    for (const auto& l : s.links) {
      check_hex(l.trace_id, 32, true);
      check_hex(l.span_id, 16, true);
    }
    if (s.kind > 5 || s.status_code > 2 || s.start_timestamp_ns < 0 || s.end_timestamp_ns < 0) abort();
  }
  return 0;
}
