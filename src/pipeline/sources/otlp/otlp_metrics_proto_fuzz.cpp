// libFuzzer target: OTLP/protobuf ExportMetricsServiceRequest decoding
// (wire scan, parse, mapping to samples), each input decoded twice: as from
// an ordinary OTLP client and as from a sluice agent (X-Sluice-Agent: metrics
// marked with sluice.metric.kind are kept verbatim). Invariants: no crash,
// hang or unbounded allocation; the counts agree with the limits; without
// the agent every sample has a Prometheus metric name and label names; with
// it every sample has a name and a valid kind; both decodings succeed or
// fail alike and account for the same number of data points.
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
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto r = sluice::decode_otlp_metrics_proto(bytes, limits);
  auto agent = sluice::decode_otlp_metrics_proto(bytes, limits, /*sluice_agent=*/true);
  if (r.ok() != agent.ok()) abort();
  if (!r.ok()) return 0;
  for (const auto* x : {&*r, &*agent}) {
    if ((x->rejected == 0) != x->rejected_reason.empty()) abort();
    if (x->data_points + x->rejected > limits.max_records) abort();
    if (x->samples.size() > limits.max_values) abort();
    if (x->samples.size() < x->data_points) abort();
  }
  if (r->data_points + r->rejected != agent->data_points + agent->rejected) abort();
  if (r->sluice_positions != agent->sluice_positions) abort();
  for (const auto& s : r->samples) {
    if (!name_ok(s.name, true) || s.timestamp_ns < 0) abort();
    for (const auto& [k, v] : s.labels) {
      if (!name_ok(k, false) && k != "_") abort();
    }
  }
  for (const auto& s : agent->samples) {
    if (s.name.empty() || s.timestamp_ns < 0) abort();
    if (static_cast<uint8_t>(s.kind) > sluice::kMetricKindMax) abort();
  }
  return 0;
}
