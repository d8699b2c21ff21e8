#include "pipeline/sources/prometheus/metric_kind_rules.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

using K = MetricKind;
using T = PromMetricType;

TEST(MetricKindRulesTest, WithoutMetadataOnlyUnambiguousSuffixes) {
  EXPECT_EQ(metric_kind_for("http_requests_total", {}, nullptr, nullptr), K::kCounter);
  EXPECT_EQ(metric_kind_for("latency_seconds_bucket", {{"le", "0.5"}}, nullptr, nullptr), K::kHistogramBucket);
  // _bucket without le, _sum, _count and plain names say too little.
  EXPECT_EQ(metric_kind_for("latency_seconds_bucket", {}, nullptr, nullptr), K::kUnknown);
  EXPECT_EQ(metric_kind_for("latency_seconds_sum", {}, nullptr, nullptr), K::kUnknown);
  EXPECT_EQ(metric_kind_for("latency_seconds_count", {}, nullptr, nullptr), K::kUnknown);
  EXPECT_EQ(metric_kind_for("up", {}, nullptr, nullptr), K::kUnknown);
  EXPECT_EQ(metric_kind_for("_total", {}, nullptr, nullptr), K::kUnknown);
}

TEST(MetricKindRulesTest, FromMetadataBySuffix) {
  MetricTypes m = {{"http_requests_total", T::kCounter},
                   {"rpc", T::kCounter},
                   {"temp", T::kGauge},
                   {"lat", T::kHistogram},
                   {"q", T::kSummary},
                   {"build", T::kInfo},
                   {"gh", T::kGaugeHistogram},
                   {"sets", T::kStateSet}};
  EXPECT_EQ(metric_kind_for("http_requests_total", {}, &m, nullptr), K::kCounter);
  EXPECT_EQ(metric_kind_for("rpc_total", {}, &m, nullptr), K::kCounter);
  EXPECT_EQ(metric_kind_for("rpc_created", {}, &m, nullptr), K::kGauge);
  EXPECT_EQ(metric_kind_for("temp", {}, &m, nullptr), K::kGauge);
  EXPECT_EQ(metric_kind_for("lat_bucket", {{"le", "1"}}, &m, nullptr), K::kHistogramBucket);
  EXPECT_EQ(metric_kind_for("lat_sum", {}, &m, nullptr), K::kHistogramSum);
  EXPECT_EQ(metric_kind_for("lat_count", {}, &m, nullptr), K::kHistogramCount);
  EXPECT_EQ(metric_kind_for("q", {{"quantile", "0.9"}}, &m, nullptr), K::kSummaryQuantile);
  EXPECT_EQ(metric_kind_for("q_sum", {}, &m, nullptr), K::kSummarySum);
  EXPECT_EQ(metric_kind_for("q_count", {}, &m, nullptr), K::kSummaryCount);
  EXPECT_EQ(metric_kind_for("build_info", {}, &m, nullptr), K::kGauge);
  EXPECT_EQ(metric_kind_for("gh_bucket", {}, &m, nullptr), K::kHistogramBucket);
  EXPECT_EQ(metric_kind_for("gh_gsum", {}, &m, nullptr), K::kHistogramSum);
  EXPECT_EQ(metric_kind_for("gh_gcount", {}, &m, nullptr), K::kHistogramCount);
  EXPECT_EQ(metric_kind_for("sets", {}, &m, nullptr), K::kGauge);
}

TEST(MetricKindRulesTest, ASuffixThatDoesNotFitTheFamilyFallsBackToInference) {
  MetricTypes m = {{"temp", T::kGauge}, {"lat", T::kHistogram}, {"odd_total", T::kGauge}};
  // temp is a gauge; temp_count is some other metric.
  EXPECT_EQ(metric_kind_for("temp_count", {}, &m, nullptr), K::kUnknown);
  EXPECT_EQ(metric_kind_for("temp_total", {}, &m, nullptr), K::kCounter);  // inferred
  EXPECT_EQ(metric_kind_for("lat", {}, &m, nullptr), K::kUnknown);         // a histogram has no plain series
  // Metadata beats the name.
  EXPECT_EQ(metric_kind_for("odd_total", {}, &m, nullptr), K::kGauge);
}

TEST(MetricKindRulesTest, RequestMetadataBeatsRememberedAndUnknownTypesAreIgnored) {
  MetricTypes request = {{"a", T::kGauge}, {"c", T::kUnknown}};
  MetricTypes remembered = {{"a", T::kCounter}, {"b", T::kCounter}, {"c", T::kGauge}};
  EXPECT_EQ(metric_kind_for("a", {}, &request, &remembered), K::kGauge);
  EXPECT_EQ(metric_kind_for("b", {}, &request, &remembered), K::kCounter);
  EXPECT_EQ(metric_kind_for("c", {}, &request, &remembered), K::kGauge);
  EXPECT_EQ(metric_kind_for("b", {}, nullptr, &remembered), K::kCounter);
}

}  // namespace
}  // namespace sluice
