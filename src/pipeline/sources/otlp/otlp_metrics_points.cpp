#include "pipeline/sources/otlp/otlp_metrics_points.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <tuple>

#include "pipeline/sources/otlp/otlp_any_value.hpp"
#include "pipeline/sources/otlp/otlp_metrics_histogram.hpp"
#include "pipeline/sources/otlp/otlp_metrics_names.hpp"
#include "pipeline/sources/otlp/otlp_metrics_traces_common.hpp"

namespace sluice {
namespace {

namespace pm = opentelemetry::proto::metrics::v1;
using opentelemetry::proto::common::v1::KeyValue;

constexpr uint32_t kNoRecordedValue = pm::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK;

const char* field(const OtlpPointContext& c, const char* proto, const char* json) { return c.json ? json : proto; }

/// Builds the samples of one point: the shared labels, time and resource.
/// Lives on the stack for one point, on one thread; `c` and `out` outlive it.
class Samples {
 public:
  Samples(const OtlpPointContext& c, KeyValues labels, int64_t time_ns, std::vector<MetricSample>* out)
      : c_(c), labels_(std::move(labels)), time_ns_(time_ns), out_(out) {}

  void add(const char* suffix, MetricKind kind, double value) { add_labeled(suffix, kind, value, {}, {}); }

  /// A sample with one more label (`le`, `quantile`).
  void add_labeled(const char* suffix, MetricKind kind, double value, std::string_view key, std::string label) {
    MetricSample s;
    s.timestamp_ns = time_ns_;
    s.name = c_.name + suffix;
    s.labels = labels_;
    if (!key.empty()) set_sorted_label(s.labels, key, std::move(label));
    s.value = value;
    s.kind = kind;
    s.resource = *c_.resource;
    out_->push_back(std::move(s));
  }

 private:
  const OtlpPointContext& c_;
  KeyValues labels_;
  int64_t time_ns_;
  std::vector<MetricSample>* out_;
};

/// The point's time, or false with `*why`.
bool point_time(uint64_t t, const OtlpPointContext& c, int64_t* out, std::string* why) {
  if (otlp_time_ns(t, out)) return true;
  *why = std::string(field(c, "time_unix_nano", "timeUnixNano")) + " " + std::to_string(t) +
         " does not fit int64 nanoseconds (after year 2262)";
  return false;
}

/// The le buckets, +Inf, _sum and _count of a histogram of either kind.
void add_histogram_samples(Samples& s, const std::vector<CumulativeBucket>& buckets, uint64_t count, bool has_sum,
                           double sum, bool stale) {
  const double nan = prometheus_stale_nan();
  uint64_t inf = count;
  for (const auto& b : buckets) {
    s.add_labeled("_bucket", MetricKind::kHistogramBucket, stale ? nan : static_cast<double>(b.count), "le",
                  prometheus_float_text(b.le));
    inf = std::max(inf, b.count);  // a sender whose buckets add up past its count: keep +Inf the largest
  }
  s.add_labeled("_bucket", MetricKind::kHistogramBucket, stale ? nan : static_cast<double>(inf), "le", "+Inf");
  if (has_sum || stale) s.add("_sum", MetricKind::kHistogramSum, stale ? nan : sum);
  s.add("_count", MetricKind::kHistogramCount, stale ? nan : static_cast<double>(count));
}

}  // namespace

double prometheus_stale_nan() { return std::bit_cast<double>(uint64_t{0x7ff0000000000002}); }

void set_sorted_label(KeyValues& labels, std::string_view key, std::string value) {
  auto it = std::lower_bound(labels.begin(), labels.end(), key,
                             [](const KeyValues::value_type& kv, std::string_view k) { return kv.first < k; });
  if (it != labels.end() && it->first == key) {
    it->second = std::move(value);
  } else {
    labels.emplace(it, std::string(key), std::move(value));
  }
}

KeyValues otlp_point_labels(const google::protobuf::RepeatedPtrField<KeyValue>& attributes, const KeyValues& extra) {
  // (label name, original key, input position, value): sorted by name, then
  // original key, then position, so that a repeated key's last value is the
  // last of its run.
  std::vector<std::tuple<std::string, const std::string*, int, std::string>> v;
  v.reserve(static_cast<size_t>(attributes.size()));
  for (int i = 0; i < attributes.size(); ++i) {
    const KeyValue& kv = attributes[i];
    v.emplace_back(prometheus_label_name(kv.key()), &kv.key(), i, any_value_text(kv.value()));
  }
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    int c = std::get<0>(a).compare(std::get<0>(b));
    if (c != 0) return c < 0;
    c = std::get<1>(a)->compare(*std::get<1>(b));
    if (c != 0) return c < 0;
    return std::get<2>(a) < std::get<2>(b);
  });
  KeyValues out;
  out.reserve(v.size() + extra.size());
  for (size_t i = 0; i < v.size(); ++i) {
    // Skip all but the last value of a repeated key.
    if (i + 1 < v.size() && std::get<0>(v[i + 1]) == std::get<0>(v[i]) &&
        *std::get<1>(v[i + 1]) == *std::get<1>(v[i])) {
      continue;
    }
    if (!out.empty() && out.back().first == std::get<0>(v[i])) {
      out.back().second += ';';
      out.back().second += std::get<3>(v[i]);
    } else {
      out.emplace_back(std::move(std::get<0>(v[i])), std::move(std::get<3>(v[i])));
    }
  }
  for (const auto& [k, val] : extra) set_sorted_label(out, k, val);
  return out;
}

bool add_number_point(const pm::NumberDataPoint& p, const OtlpPointContext& c, std::vector<MetricSample>* out,
                      std::string* why) {
  int64_t t = 0;
  if (!point_time(p.time_unix_nano(), c, &t, why)) return false;
  const bool stale = (p.flags() & kNoRecordedValue) != 0;
  double value = 0;
  if (stale) {
    value = prometheus_stale_nan();
  } else if (p.value_case() == pm::NumberDataPoint::kAsDouble) {
    value = p.as_double();
  } else if (p.value_case() == pm::NumberDataPoint::kAsInt) {
    value = static_cast<double>(p.as_int());
  } else {
    *why = std::string("has no value (") + field(c, "as_double or as_int", "asDouble or asInt") + ")";
    return false;
  }
  Samples s(c, otlp_point_labels(p.attributes(), *c.extra_labels), t, out);
  s.add("", c.number_kind, value);
  return true;
}

bool add_verbatim_point(const pm::NumberDataPoint& p, const OtlpPointContext& c, std::vector<MetricSample>* out,
                        std::string* why) {
  MetricSample s;
  if (!point_time(p.time_unix_nano(), c, &s.timestamp_ns, why)) return false;
  if (p.value_case() == pm::NumberDataPoint::kAsDouble) {
    s.value = p.as_double();
  } else if (p.value_case() == pm::NumberDataPoint::kAsInt) {
    s.value = static_cast<double>(p.as_int());
  } else {
    *why = std::string("has no value (") + field(c, "as_double or as_int", "asDouble or asInt") + ")";
    return false;
  }
  s.name = c.name;
  s.kind = c.number_kind;
  append_otlp_attributes(p.attributes(), s.labels);
  s.resource = *c.resource;
  out->push_back(std::move(s));
  return true;
}

bool add_histogram_point(const pm::HistogramDataPoint& p, const OtlpPointContext& c, std::vector<MetricSample>* out,
                         std::string* why) {
  int64_t t = 0;
  if (!point_time(p.time_unix_nano(), c, &t, why)) return false;
  std::vector<CumulativeBucket> buckets;
  if (!explicit_cumulative_buckets(std::span<const double>(p.explicit_bounds().data(), p.explicit_bounds().size()),
                                   std::span<const uint64_t>(p.bucket_counts().data(), p.bucket_counts().size()),
                                   &buckets, why)) {
    return false;
  }
  Samples s(c, otlp_point_labels(p.attributes(), *c.extra_labels), t, out);
  add_histogram_samples(s, buckets, p.count(), p.has_sum(), p.sum(), (p.flags() & kNoRecordedValue) != 0);
  return true;
}

bool add_exponential_histogram_point(const pm::ExponentialHistogramDataPoint& p, const OtlpPointContext& c,
                                     std::vector<MetricSample>* out, std::string* why) {
  int64_t t = 0;
  if (!point_time(p.time_unix_nano(), c, &t, why)) return false;
  const bool stale = (p.flags() & kNoRecordedValue) != 0;
  std::vector<CumulativeBucket> buckets;
  ExponentialBuckets pos{p.positive().offset(), std::span<const uint64_t>(p.positive().bucket_counts().data(),
                                                                          p.positive().bucket_counts().size())};
  ExponentialBuckets neg{p.negative().offset(), std::span<const uint64_t>(p.negative().bucket_counts().data(),
                                                                          p.negative().bucket_counts().size())};
  if (!exponential_cumulative_buckets(p.scale(), p.zero_threshold(), p.zero_count(), pos, neg, &buckets, why)) {
    return false;
  }
  if (stale) buckets.clear();
  Samples s(c, otlp_point_labels(p.attributes(), *c.extra_labels), t, out);
  add_histogram_samples(s, buckets, p.count(), p.has_sum(), p.sum(), stale);
  return true;
}

bool add_summary_point(const pm::SummaryDataPoint& p, const OtlpPointContext& c, std::vector<MetricSample>* out,
                       std::string* why) {
  int64_t t = 0;
  if (!point_time(p.time_unix_nano(), c, &t, why)) return false;
  for (int i = 0; i < p.quantile_values_size(); ++i) {
    double q = p.quantile_values(i).quantile();
    if (!(q >= 0 && q <= 1)) {
      *why = std::string(field(c, "quantile_values", "quantileValues")) + "[" + std::to_string(i) + "].quantile " +
             prometheus_float_text(q) + " is outside 0..1";
      return false;
    }
  }
  const bool stale = (p.flags() & kNoRecordedValue) != 0;
  const double nan = prometheus_stale_nan();
  Samples s(c, otlp_point_labels(p.attributes(), *c.extra_labels), t, out);
  for (const auto& q : p.quantile_values()) {
    s.add_labeled("", MetricKind::kSummaryQuantile, stale ? nan : q.value(), "quantile",
                  prometheus_float_text(q.quantile()));
  }
  s.add("_sum", MetricKind::kSummarySum, stale ? nan : p.sum());
  s.add("_count", MetricKind::kSummaryCount, stale ? nan : static_cast<double>(p.count()));
  return true;
}

size_t otlp_point_sample_count(const pm::NumberDataPoint&) { return 1; }

size_t otlp_point_sample_count(const pm::HistogramDataPoint& p) {
  return static_cast<size_t>(p.explicit_bounds_size()) + 3;
}

size_t otlp_point_sample_count(const pm::ExponentialHistogramDataPoint& p) {
  return static_cast<size_t>(p.positive().bucket_counts_size()) +
         static_cast<size_t>(p.negative().bucket_counts_size()) + 4;
}

size_t otlp_point_sample_count(const pm::SummaryDataPoint& p) {
  return static_cast<size_t>(p.quantile_values_size()) + 2;
}

}  // namespace sluice
