// libFuzzer target: OTLP/JSON ExportLogsServiceRequest decoding (protobuf's
// JSON parser, then the protobuf path with hex ids). Invariants: no crash,
// hang or unbounded allocation; decoded ids are lower-case hex of the right
// length.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pipeline/sources/otlp/otlp_logs_decode.hpp"

namespace {

void check_hex(const std::string& s, size_t want) {
  if (s.empty()) return;
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
  auto r = sluice::decode_otlp_logs_json(std::string_view(reinterpret_cast<const char*>(data), size), 1, limits);
  if (!r.ok()) return 0;
  if ((r->rejected == 0) != r->rejected_reason.empty()) abort();
  if (r->records.size() + r->rejected > limits.max_records) abort();
  for (const auto& rec : r->records) {
    check_hex(rec.trace_id, 32);
    check_hex(rec.span_id, 16);
    if (rec.severity_number > 24 || rec.trace_flags > 0xff || rec.timestamp_ns < 0) abort();
  }
  return 0;
}
