// OTLP metrics request bodies -> sluice MetricSamples: the pure decoding
// half of the `otlp` source's metrics path, shared by OTLP/HTTP (protobuf
// and JSON, POST /v1/metrics) and OTLP/gRPC (MetricsService/Export).
//
// Input: an ExportMetricsServiceRequest
// (opentelemetry/proto/collector/metrics/v1/metrics_service.proto) in binary
// protobuf or in OTLP/JSON (as for logs, otlp_logs_decode.hpp).
//
// Mapping (OpenTelemetry specification, "Prometheus and OpenMetrics
// Compatibility", "OTLP Metric points to Prometheus"; docs/protocols/otlp.md
// has the tables), for every data point of every Metric of every
// ScopeMetrics of every ResourceMetrics, in order:
//   name, unit, type -> the Prometheus name (otlp_metrics_names.hpp)
//   Gauge            -> kind gauge (kind unknown when the metric's metadata
//                       has prometheus.type = "unknown")
//   Sum, monotonic   -> kind counter, name ending in _total
//   Sum, not monotonic -> kind gauge
//   Histogram, ExponentialHistogram, Summary -> several samples each
//                       (otlp_metrics_points.hpp)
//   delta aggregation temporality -> the values as sent (the change over the
//                       point's interval, not a running total) with the
//                       label otel_temporality="delta"
//   data point attributes -> labels (Prometheus label names)
//   scope name / version -> labels otel_scope_name / otel_scope_version
//   resource attributes -> resource (values as text, as for logs); also
//                       label job = [service.namespace "/"] service.name and
//                       label instance = service.instance.id, when present
//   time_unix_nano   -> timestamp (0 stays 0: the store's time of append)
//
// Verbatim samples from sluice agents: when `sluice_agent` is set (the
// request came with X-Sluice-Agent, sluice_protocol.hpp), a Metric whose
// metadata has kSluiceMetricKindKey is not mapped: each point of its Gauge
// becomes one sample with the metric's name unchanged, the kind the marker
// names (metric_kind_name), labels = the point's attributes as sent (in
// order, values as text), value = as_double (or as_int) bit for bit,
// timestamp = time_unix_nano and resource = the resource attributes; no
// scope, job, instance or temporality labels are added
// (otlp_metrics_encode.hpp writes such metrics). Its points are rejected
// when the marker's value is not a kind name, the metric is not a Gauge or
// its name is empty. Without `sluice_agent` the marker is ignored and the
// metric is mapped as above, as for every OTLP client.
//
// A data point is rejected (counted in `rejected`, the rest kept: OTLP
// "partial success") for the reasons in otlp_metrics_points.hpp, and every
// point of a metric whose name has no character of [a-zA-Z0-9:], or whose
// Sum/Histogram/ExponentialHistogram has aggregation temporality 0
// (unspecified, which the data model forbids).
//
// Thread-safety: free functions, callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "model/metric_sample.hpp"
#include "pipeline/sources/otlp/otlp_logs_decode.hpp"

namespace sluice {

struct OtlpMetrics {
  std::vector<MetricSample> samples;
  uint64_t data_points = 0;  ///< data points accepted (each made one or more samples)
  uint64_t rejected = 0;     ///< data points refused; the others are in `samples`
  /// Empty when nothing was rejected; else the count and the first reason,
  /// e.g. "1 of 4 data points rejected; first:
  /// resource_metrics[0].scope_metrics[0].metrics[1].histogram.data_points[0]: has 2 bucket counts ...".
  std::string rejected_reason;
  /// Binary requests only: the positions JSON a `sluice` sink put in field
  /// kSluicePositionsField (sluice_protocol.hpp), or "" (other clients).
  std::string sluice_positions;
};

/// Decodes a binary protobuf ExportMetricsServiceRequest. `limits`:
/// max_records bounds the data points of one request, max_values the
/// protobuf messages on the wire and, separately, the samples plus the
/// label and resource key/values they would store.
/// `sluice_agent`: store metrics marked by a sluice agent verbatim (file
/// comment).
/// Errors: InvalidArgument naming the byte offset and field for malformed
/// bytes; ResourceExhausted when `limits` are passed.
Result<OtlpMetrics> decode_otlp_metrics_proto(std::string_view bytes, const OtlpLimits& limits = {},
                                              bool sluice_agent = false);

/// Decodes an OTLP/JSON ExportMetricsServiceRequest; as the proto form,
/// errors name the JSON field path.
Result<OtlpMetrics> decode_otlp_metrics_json(std::string_view text, const OtlpLimits& limits = {},
                                             bool sluice_agent = false);

}  // namespace sluice
