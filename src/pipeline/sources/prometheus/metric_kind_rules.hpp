// The `kind` of a remote_write sample: from the type that MetricMetadata
// gives its metric family, or guessed from the name where the Prometheus
// naming conventions (https://prometheus.io/docs/practices/naming/) leave no
// doubt. docs/protocols/prometheus.md "Kinds" has the table.
//
// Thread-safety: free functions; a MetricTypes map is a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/metric_sample.hpp"

namespace sluice {

/// MetricMetadata.MetricType (proto/prometheus/types.proto), same numbers.
enum class PromMetricType : uint8_t {
  kUnknown = 0,
  kCounter = 1,
  kGauge = 2,
  kHistogram = 3,
  kGaugeHistogram = 4,
  kSummary = 5,
  kInfo = 6,
  kStateSet = 7,
};
inline constexpr uint64_t kPromMetricTypeMax = 7;

/// Metric family name -> type, as learned from MetricMetadata.
using MetricTypes = std::unordered_map<std::string, PromMetricType>;

/// The kind of the samples of one series named `name` (the `__name__` value)
/// with `labels` (without the name).
///
/// The family is looked up in `request` (the metadata of the same request),
/// then in `remembered` (either may be null): first `name` itself, then
/// `name` without one of the suffixes _total, _bucket, _sum, _count,
/// _created, _info, _gsum, _gcount; a family counts only when the suffix
/// fits its type (a counter's _total, a histogram's _bucket/_sum/_count, a
/// summary's _sum/_count, ...). Then:
///   counter -> counter; gauge, info, stateset -> gauge; histogram and
///   gaugehistogram -> histogram_bucket/_sum/_count by suffix (_gsum,
///   _gcount for gauge histograms); summary -> summary_quantile (the family
///   name itself), summary_sum, summary_count; a `_created` series -> gauge
///   (it holds a timestamp).
/// Without a fitting family: `_total` -> counter, `_bucket` with an `le`
/// label -> histogram_bucket, anything else -> unknown.
MetricKind metric_kind_for(std::string_view name, const KeyValues& labels, const MetricTypes* request,
                           const MetricTypes* remembered);

}  // namespace sluice
