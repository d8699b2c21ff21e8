// MetricSample: one value of one time series at one instant
// (ARCHITECTURE.md "Data model", metric sample), the shape Prometheus stores
// and remote_write sends. Richer metric points (OpenTelemetry histograms,
// summaries) are flattened into several samples the way Prometheus exposes
// them: `<name>_bucket` with an `le` label per cumulative bucket, `<name>_sum`
// and `<name>_count`; summary quantiles carry a `quantile` label.
//
// A metrics stream is a SQL table with the columns timestamp, name, labels,
// value, kind, resource, _offset (store/metric_table.hpp).
//
// Thread-safety: a plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/log_record.hpp"

namespace sluice {

/// What a sample measures, after Prometheus' metric types (the `kind` column).
enum class MetricKind : uint8_t {
  kUnknown = 0,          ///< no type information (e.g. remote_write v1 without metadata)
  kGauge = 1,            ///< a value that goes up and down (OTel gauge, non-monotonic sum)
  kCounter = 2,          ///< a monotonic cumulative total (OTel monotonic sum)
  kHistogramBucket = 3,  ///< cumulative count of observations <= label `le`
  kHistogramSum = 4,     ///< sum of observations of a histogram
  kHistogramCount = 5,   ///< number of observations of a histogram
  kSummaryQuantile = 6,  ///< the value at label `quantile` (0..1)
  kSummarySum = 7,
  kSummaryCount = 8,
};
inline constexpr uint8_t kMetricKindMax = 8;

/// The `kind` column text: "unknown", "gauge", "counter", "histogram_bucket",
/// "histogram_sum", "histogram_count", "summary_quantile", "summary_sum",
/// "summary_count".
std::string_view metric_kind_name(MetricKind k);
/// The inverse of metric_kind_name, or nullopt for any other text.
std::optional<MetricKind> metric_kind_from_name(std::string_view name);

struct MetricSample {
  int64_t timestamp_ns = 0;  ///< when the value was observed, ns since Unix epoch (0 = now, set by the store)
  std::string name;          ///< Prometheus-style metric name, e.g. "system_cpu_time_seconds_total"
  KeyValues labels;          ///< series labels, without the name
  double value = 0;          ///< the value; NaN and +-Inf are kept (Prometheus staleness markers are NaN)
  MetricKind kind = MetricKind::kUnknown;
  KeyValues resource;  ///< OpenTelemetry resource attributes (host.name, service.name, ...)

  bool operator==(const MetricSample& o) const;
};

}  // namespace sluice
