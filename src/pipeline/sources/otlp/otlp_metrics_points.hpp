// One OTLP metric data point -> Prometheus-shaped MetricSamples, the
// per-point half of otlp_metrics_decode.hpp (OpenTelemetry specification,
// "Prometheus and OpenMetrics Compatibility", "OTLP Metric points to
// Prometheus"):
//
//   NumberDataPoint      -> 1 sample `<name>`, kind from the metric (gauge,
//                           counter, or unknown), value as_double or as_int
//   HistogramDataPoint   -> `<name>_bucket` per explicit bound (label `le`,
//                           cumulative count), `<name>_bucket{le="+Inf"}`
//                           (the point's count), `<name>_sum` (when the
//                           point has a sum), `<name>_count`
//   ExponentialHistogramDataPoint -> the same, with the `le` buckets of
//                           otlp_metrics_histogram.hpp
//   SummaryDataPoint     -> `<name>` per quantile (label `quantile`),
//                           `<name>_sum`, `<name>_count`
//
// Labels: the point's attributes with their keys as Prometheus label names
// (otlp_metrics_names.hpp), sorted by name; attributes whose names collide
// after renaming give one label whose value is theirs joined with ';' in the
// order of their original keys (the specification's rule); then the
// metric's extra labels (scope, job, instance, temporality), which replace
// attributes of the same name. A point flagged NoRecordedValue
// (DataPointFlags) gives the same series with the Prometheus staleness
// marker (a NaN) as every value; exponential histograms then only
// `+Inf`, `_sum` and `_count`. Exemplars, start_time_unix_nano, min and max
// are not stored.
//
// A point is rejected (false with a reason, nothing appended) when its time
// does not fit int64 nanoseconds, a number point has no value, a histogram's
// buckets do not match its bounds or its bounds are not increasing, an
// exponential histogram's scale is outside -10..20 or its zero_threshold is
// negative, or a quantile is outside 0..1.
//
// Thread-safety: pure functions.
#pragma once

#include <google/protobuf/repeated_field.h>

#include <string>
#include <vector>

#include "model/metric_sample.hpp"
#include "opentelemetry/proto/metrics/v1/metrics.pb.h"

namespace sluice {

/// The Prometheus staleness marker: the NaN whose bits are
/// 0x7ff0000000000002 (Prometheus' value.StaleNaN).
double prometheus_stale_nan();

/// What every sample of one metric shares.
struct OtlpPointContext {
  std::string name;                             ///< base Prometheus name (otlp_metrics_names.hpp)
  MetricKind number_kind = MetricKind::kGauge;  ///< the kind of number points
  const KeyValues* resource = nullptr;          ///< the resource column
  const KeyValues* extra_labels = nullptr;      ///< labels after the attributes (replace them)
  bool json = false;                            ///< name fields the OTLP/JSON way in reasons
};

/// The labels of a point (see the file comment), sorted by name.
KeyValues otlp_point_labels(
    const google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>& attributes,
    const KeyValues& extra);

/// Sets `key` in `labels`, which are sorted by name, keeping them sorted.
void set_sorted_label(KeyValues& labels, std::string_view key, std::string value);

/// Appends the samples of one point to `*out`; false with `*why` when the
/// point is rejected (then nothing is appended).
bool add_number_point(const opentelemetry::proto::metrics::v1::NumberDataPoint& p, const OtlpPointContext& c,
                      std::vector<MetricSample>* out, std::string* why);
bool add_histogram_point(const opentelemetry::proto::metrics::v1::HistogramDataPoint& p, const OtlpPointContext& c,
                         std::vector<MetricSample>* out, std::string* why);
bool add_exponential_histogram_point(const opentelemetry::proto::metrics::v1::ExponentialHistogramDataPoint& p,
                                     const OtlpPointContext& c, std::vector<MetricSample>* out, std::string* why);
bool add_summary_point(const opentelemetry::proto::metrics::v1::SummaryDataPoint& p, const OtlpPointContext& c,
                       std::vector<MetricSample>* out, std::string* why);

/// A sluice agent's verbatim sample (otlp_metrics_decode.hpp): one sample
/// named c.name exactly, of kind c.number_kind, labels = the point's
/// attributes in order (values as text; a repeated key keeps its first
/// position and takes the later value), value = as_double bit for bit (or
/// as_int), no labels added and the point's flags ignored. Rejected when
/// it has no value or its time does not fit int64 nanoseconds.
bool add_verbatim_point(const opentelemetry::proto::metrics::v1::NumberDataPoint& p, const OtlpPointContext& c,
                        std::vector<MetricSample>* out, std::string* why);

/// How many samples the add_*_point functions make of a point at most
/// (for the request's limits, before any is made).
size_t otlp_point_sample_count(const opentelemetry::proto::metrics::v1::NumberDataPoint& p);
size_t otlp_point_sample_count(const opentelemetry::proto::metrics::v1::HistogramDataPoint& p);
size_t otlp_point_sample_count(const opentelemetry::proto::metrics::v1::ExponentialHistogramDataPoint& p);
size_t otlp_point_sample_count(const opentelemetry::proto::metrics::v1::SummaryDataPoint& p);

}  // namespace sluice
