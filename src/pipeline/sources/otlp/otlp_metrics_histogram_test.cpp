#include "pipeline/sources/otlp/otlp_metrics_histogram.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sluice {
namespace {

using B = CumulativeBucket;
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(OtlpMetricsHistogram, ExplicitBucketsAreCumulative) {
  const double bounds[] = {0.5, 1, 2.5};
  const uint64_t counts[] = {1, 2, 0, 4};
  std::vector<B> out;
  std::string why;
  ASSERT_TRUE(explicit_cumulative_buckets(bounds, counts, &out, &why)) << why;
  EXPECT_EQ(out, (std::vector<B>{{0.5, 1}, {1, 3}, {2.5, 3}}));
}

TEST(OtlpMetricsHistogram, ExplicitWithoutDistribution) {
  std::vector<B> out{{1, 1}};
  std::string why;
  ASSERT_TRUE(explicit_cumulative_buckets({}, {}, &out, &why));
  EXPECT_TRUE(out.empty());
}

TEST(OtlpMetricsHistogram, ExplicitInfBoundsAndSaturation) {
  const double bounds[] = {-kInf, 0, kInf};
  const uint64_t counts[] = {1, UINT64_MAX, 3, 0};
  std::vector<B> out;
  std::string why;
  ASSERT_TRUE(explicit_cumulative_buckets(bounds, counts, &out, &why)) << why;
  EXPECT_EQ(out, (std::vector<B>{{-kInf, 1}, {0, UINT64_MAX}}));  // +Inf left to the caller
}

TEST(OtlpMetricsHistogram, ExplicitRejectsMismatchAndDisorder) {
  std::vector<B> out;
  std::string why;
  const double bounds[] = {1, 2};
  const uint64_t three[] = {1, 2, 3};
  const uint64_t two[] = {1, 2};
  EXPECT_FALSE(explicit_cumulative_buckets(bounds, two, &out, &why));
  EXPECT_EQ(why, "has 2 bucket counts for 2 explicit bounds; expected 3");
  const uint64_t one[] = {5};  // one bucket, no bounds: all in +Inf
  EXPECT_TRUE(explicit_cumulative_buckets({}, one, &out, &why));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(explicit_cumulative_buckets(bounds, {}, &out, &why));
  EXPECT_EQ(why, "has 0 bucket counts for 2 explicit bounds; expected 3");
  const double disorder[] = {2, 1};
  EXPECT_FALSE(explicit_cumulative_buckets(disorder, three, &out, &why));
  EXPECT_EQ(why, "explicit bound 1 (1) is NaN or not above the previous one");
  const double nan[] = {std::nan(""), 1};
  EXPECT_FALSE(explicit_cumulative_buckets(nan, three, &out, &why));
  EXPECT_TRUE(explicit_cumulative_buckets(bounds, three, &out, &why));
}

TEST(OtlpMetricsHistogram, ExponentialBoundMath) {
  // scale 0: base 2.
  EXPECT_EQ(exponential_bucket_bound(0, 0), 1);
  EXPECT_EQ(exponential_bucket_bound(0, 3), 8);
  EXPECT_EQ(exponential_bucket_bound(0, -2), 0.25);
  // scale 1: base sqrt(2).
  EXPECT_EQ(exponential_bucket_bound(1, 2), 2);
  EXPECT_DOUBLE_EQ(exponential_bucket_bound(1, 1), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(exponential_bucket_bound(1, -1), 1 / std::sqrt(2.0));
  // scale 3: base 2^(1/8).
  EXPECT_DOUBLE_EQ(exponential_bucket_bound(3, 5), std::pow(2.0, 5.0 / 8));
  EXPECT_EQ(exponential_bucket_bound(3, 16), 4);
  // scale -2: base 16.
  EXPECT_EQ(exponential_bucket_bound(-2, 2), 256);
  EXPECT_EQ(exponential_bucket_bound(-2, -1), 1.0 / 16);
  // Extremes: overflow to +Inf, underflow to 0.
  EXPECT_EQ(exponential_bucket_bound(-10, 2), kInf);
  EXPECT_EQ(exponential_bucket_bound(-10, -2), 0);
  EXPECT_EQ(exponential_bucket_bound(0, 1024), kInf);
  EXPECT_EQ(exponential_bucket_bound(0, 1023), std::ldexp(1.0, 1023));
  EXPECT_EQ(exponential_bucket_bound(20, int64_t{1} << 30), kInf);
  EXPECT_EQ(exponential_bucket_bound(0, -1074), std::ldexp(1.0, -1074));
  EXPECT_EQ(exponential_bucket_bound(0, INT32_MIN), 0);
}

TEST(OtlpMetricsHistogram, ExponentialPositiveNegativeAndZero) {
  // scale 0 (base 2): positive offset 1 -> buckets (2,4], (4,8]; negative
  // offset 0 -> [-2,-1), [-4,-2); zero bucket threshold 0.
  const uint64_t pos[] = {3, 1};
  const uint64_t neg[] = {2, 5};
  std::vector<B> out;
  std::string why;
  ASSERT_TRUE(exponential_cumulative_buckets(0, 0, 4, {1, pos}, {0, neg}, &out, &why)) << why;
  EXPECT_EQ(out, (std::vector<B>{{-2, 5}, {-1, 7}, {0, 11}, {4, 14}, {8, 15}}));
}

TEST(OtlpMetricsHistogram, ExponentialZeroThresholdAndEmpty) {
  std::vector<B> out;
  std::string why;
  ASSERT_TRUE(exponential_cumulative_buckets(2, 0.001, 0, {}, {}, &out, &why));
  EXPECT_EQ(out, (std::vector<B>{{0.001, 0}}));
  // A zero threshold reaching past the first positive bounds merges them.
  const uint64_t pos[] = {1, 2, 3};  // scale 0, offset -3: (1/8,1/4], (1/4,1/2], (1/2,1]
  ASSERT_TRUE(exponential_cumulative_buckets(0, 0.3, 10, {-3, pos}, {}, &out, &why));
  EXPECT_EQ(out, (std::vector<B>{{0.3, 11}, {0.5, 13}, {1, 16}}));
}

TEST(OtlpMetricsHistogram, ExponentialOverflowGoesToInf) {
  const uint64_t pos[] = {1, 1, 1};  // scale -10 offset 0: (1, 2^1024]=+Inf ...
  std::vector<B> out;
  std::string why;
  ASSERT_TRUE(exponential_cumulative_buckets(-10, 0, 0, {-1, pos}, {}, &out, &why));
  EXPECT_EQ(out, (std::vector<B>{{0, 0}, {1, 1}}));  // upper bounds 2^0, then +Inf twice (left out)
  const uint64_t neg[] = {1, 1};                     // negative offset 0 at scale -10: [-2^1024, -1), [-inf, -2^1024)
  ASSERT_TRUE(exponential_cumulative_buckets(-10, 0, 0, {}, {0, neg}, &out, &why));
  EXPECT_EQ(out, (std::vector<B>{{-kInf, 1}, {-1, 2}, {0, 2}}));
}

TEST(OtlpMetricsHistogram, ExponentialRejects) {
  std::vector<B> out;
  std::string why;
  EXPECT_FALSE(exponential_cumulative_buckets(21, 0, 0, {}, {}, &out, &why));
  EXPECT_EQ(why, "scale 21 is outside -10..20");
  EXPECT_FALSE(exponential_cumulative_buckets(-11, 0, 0, {}, {}, &out, &why));
  EXPECT_FALSE(exponential_cumulative_buckets(0, -1, 0, {}, {}, &out, &why));
  EXPECT_EQ(why, "zero_threshold -1 is negative or NaN");
  EXPECT_FALSE(exponential_cumulative_buckets(0, std::nan(""), 0, {}, {}, &out, &why));
}

}  // namespace
}  // namespace sluice
