#include "model/metric_sample.hpp"

#include <array>
#include <cstring>

namespace sluice {

namespace {
constexpr std::array<std::string_view, kMetricKindMax + 1> kKindNames = {
    "unknown",          "gauge",       "counter",       "histogram_bucket", "histogram_sum", "histogram_count",
    "summary_quantile", "summary_sum", "summary_count",
};
}  // namespace

std::string_view metric_kind_name(MetricKind k) {
  auto i = static_cast<size_t>(k);
  return i < kKindNames.size() ? kKindNames[i] : "unknown";
}

std::optional<MetricKind> metric_kind_from_name(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<MetricKind>(i);
  }
  return std::nullopt;
}

bool MetricSample::operator==(const MetricSample& o) const {
  // Bitwise on the value so that NaN samples (staleness markers) compare equal to themselves.
  return timestamp_ns == o.timestamp_ns && name == o.name && labels == o.labels &&
         std::memcmp(&value, &o.value, sizeof value) == 0 && kind == o.kind && resource == o.resource;
}

}  // namespace sluice
