#include "pipeline/sources/prometheus/metric_kind_rules.hpp"

#include <array>

namespace sluice {
namespace {

/// The kind a series with `suffix` ("" = the family name itself) has in a
/// family of type `type`; nullopt when such a series does not belong to
/// such a family (then the lookup goes on).
std::optional<MetricKind> kind_in_family(PromMetricType type, std::string_view suffix) {
  using K = MetricKind;
  if (suffix == "_created") {
    bool has_created = type == PromMetricType::kCounter || type == PromMetricType::kHistogram ||
                       type == PromMetricType::kGaugeHistogram || type == PromMetricType::kSummary;
    return has_created ? std::optional<K>(K::kGauge) : std::nullopt;
  }
  switch (type) {
    case PromMetricType::kCounter:
      if (suffix.empty() || suffix == "_total") return K::kCounter;
      break;
    case PromMetricType::kGauge:
    case PromMetricType::kStateSet:
      if (suffix.empty()) return K::kGauge;
      break;
    case PromMetricType::kInfo:
      if (suffix.empty() || suffix == "_info") return K::kGauge;
      break;
    case PromMetricType::kHistogram:
      if (suffix == "_bucket") return K::kHistogramBucket;
      if (suffix == "_sum") return K::kHistogramSum;
      if (suffix == "_count") return K::kHistogramCount;
      break;
    case PromMetricType::kGaugeHistogram:
      if (suffix == "_bucket") return K::kHistogramBucket;
      if (suffix == "_gsum") return K::kHistogramSum;
      if (suffix == "_gcount") return K::kHistogramCount;
      break;
    case PromMetricType::kSummary:
      if (suffix.empty()) return K::kSummaryQuantile;
      if (suffix == "_sum") return K::kSummarySum;
      if (suffix == "_count") return K::kSummaryCount;
      break;
    case PromMetricType::kUnknown:
      break;
  }
  return std::nullopt;
}

std::optional<PromMetricType> find_type(std::string_view family, const MetricTypes* request,
                                        const MetricTypes* remembered) {
  // C++20 unordered_map has no heterogeneous find without a transparent hash; families are short.
  const std::string key(family);
  for (const MetricTypes* m : {request, remembered}) {
    if (m == nullptr) continue;
    auto it = m->find(key);
    if (it != m->end() && it->second != PromMetricType::kUnknown) return it->second;
  }
  return std::nullopt;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

MetricKind metric_kind_for(std::string_view name, const KeyValues& labels, const MetricTypes* request,
                           const MetricTypes* remembered) {
  if (request != nullptr || remembered != nullptr) {
    if (auto t = find_type(name, request, remembered)) {
      if (auto k = kind_in_family(*t, "")) return *k;
    }
    static constexpr std::array<std::string_view, 8> kSuffixes = {"_total",   "_bucket", "_sum",  "_count",
                                                                  "_created", "_info",   "_gsum", "_gcount"};
    for (std::string_view suffix : kSuffixes) {
      if (!ends_with(name, suffix)) continue;
      if (auto t = find_type(name.substr(0, name.size() - suffix.size()), request, remembered)) {
        if (auto k = kind_in_family(*t, suffix)) return *k;
      }
    }
  }
  if (ends_with(name, "_total")) return MetricKind::kCounter;
  if (ends_with(name, "_bucket") && find_key_value(labels, "le") != nullptr) return MetricKind::kHistogramBucket;
  return MetricKind::kUnknown;
}

}  // namespace sluice
