// libFuzzer target: OTLP/protobuf ExportMetricsServiceRequest decoding
// (wire scan, parse, mapping to samples). Invariants: no crash, hang or unbounded
// allocation; every sample has a Prometheus metric name and label names;
// the counts agree with the limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pipeline/sources/otlp/otlp_metrics_decode.hpp"

namespace {

bool name_ok(const std::string& s, bool colon) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || (colon && c == ':');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::OtlpLimits limits;
  limits.max_records = 1000;
  limits.max_values = 20000;
  auto r = sluice::decode_otlp_metrics_proto(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!r.ok()) return 0;
  if ((r->rejected == 0) != r->rejected_reason.empty()) abort();
  if (r->data_points + r->rejected > limits.max_records) abort();
  if (r->samples.size() > limits.max_values) abort();
  if (r->samples.size() < r->data_points) abort();
  for (const auto& s : r->samples) {
    if (!name_ok(s.name, true) || s.timestamp_ns < 0) abort();
    for (const auto& [k, v] : s.labels) {
      if (!name_ok(k, false) && k != "_") abort();
    }
  }
  return 0;
}
