// sluice MetricSamples -> an OTLP metrics request body that a sluice server
// stores verbatim: used by the `sluice` sink to ship an agent's samples
// (src/pipeline/sinks/sluice/).
//
// An agent's samples are already final Prometheus-shaped samples (names
// with unit suffixes and `_total`, histograms split into `_bucket{le}`,
// `_sum` and `_count`), so they must not go through the OpenTelemetry ->
// Prometheus mapping (otlp_metrics_decode.hpp) a second time. Each sample
// becomes a Gauge NumberDataPoint of a Metric that carries the marker
// kSluiceMetricKindKey (sluice_protocol.hpp) in `Metric.metadata`, whose
// string value is the sample's kind name (metric_kind_name: "counter",
// "histogram_bucket", ...). A sluice server decodes such a metric verbatim
// when the request comes from an agent (X-Sluice-Agent); any other OTLP
// receiver sees ordinary gauges with the samples' names.
//
// Output: a binary protobuf ExportMetricsServiceRequest
// (opentelemetry/proto/collector/metrics/v1/metrics_service.proto).
// Consecutive samples with equal resource share one ResourceMetrics (with
// one ScopeMetrics without a scope), and within it consecutive samples with
// equal name and kind share one Metric, so sample order is kept. Per sample:
//   name -> Metric.name; kind -> Metric.metadata[kSluiceMetricKindKey]
//   value -> as_double (every bit kept: NaN staleness markers survive)
//   timestamp_ns -> time_unix_nano (values <= 0 are sent as 0: "now" at the
//       server's store)
//   labels -> attributes (string values, in order)
//   resource -> resource.attributes
// Text that is not valid UTF-8 is repaired (U+FFFD per maximal subpart).
//
// So decode_verbatim(encode(s)) == s for every sample with a positive
// timestamp, unique label and resource keys and valid UTF-8 text.
//
// Thread-safety: a pure function.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "model/metric_sample.hpp"

namespace sluice {

/// Encodes `samples` as a binary ExportMetricsServiceRequest (file
/// comment). A non-empty `sluice_positions` (positions JSON,
/// sluice_protocol.hpp) is added as field kSluicePositionsField.
std::string encode_otlp_metrics_proto(std::span<const MetricSample> samples, std::string_view sluice_positions = {});

}  // namespace sluice
