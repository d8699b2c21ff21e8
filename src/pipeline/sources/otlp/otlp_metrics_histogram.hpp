// OTLP histogram buckets -> Prometheus cumulative `le` buckets
// (OpenTelemetry specification, "Prometheus and OpenMetrics
// Compatibility": "Histograms"; Metrics Data Model: "Histogram",
// "ExponentialHistogram").
//
// Explicit bounds: bucket i of n+1 counts values in (bounds[i-1],
// bounds[i]]; the result has one bucket per finite-or-(-Inf) bound with the
// count of all values <= it. A +Inf bound is left out (the caller's `+Inf`
// bucket, the point's count, covers it).
//
// Exponential: base = 2^(2^-scale); the positive bucket at index i counts
// values in (base^i, base^(i+1)], the negative bucket at index i values in
// [-base^(i+1), -base^i), and zero_count values in [-zero_threshold,
// zero_threshold]. The result has, in ascending order, one bucket per
// negative bucket (le = -base^i, from the largest magnitude down), one for
// the zero bucket (le = zero_threshold, also when its count is 0), and one
// per positive bucket (le = base^(i+1)). Every value of a bucket is <= its
// `le`, so each cumulative count is exact for its bound; only the
// resolution between bounds is lost. A bound that is not above the previous
// one (a zero_threshold reaching into the positive buckets; bounds that
// overflow to +-Inf or underflow to 0 at extreme indexes) is merged into the
// previous bucket, whose cumulative count then includes it, which stays
// correct since its values are <= the previous bound too. Bounds that
// overflow to +Inf are left out like explicit +Inf bounds.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sluice {

/// The scales the OpenTelemetry data model allows for exponential histograms.
inline constexpr int32_t kMinExponentialScale = -10;
inline constexpr int32_t kMaxExponentialScale = 20;

/// A cumulative bucket: `count` values are <= `le`.
struct CumulativeBucket {
  double le = 0;
  uint64_t count = 0;

  bool operator==(const CumulativeBucket&) const = default;
};

/// base^index for base = 2^(2^-scale), scale in [kMinExponentialScale,
/// kMaxExponentialScale]; +Inf or 0 where a double cannot hold it. Exact
/// where the result is a power of two.
double exponential_bucket_bound(int32_t scale, int64_t index);

/// Cumulative buckets of an explicit-bounds histogram. False with `*why`
/// when `counts` is not one longer than `bounds` (unless both are empty: no
/// distribution, no buckets) or the bounds are not strictly increasing or
/// are NaN. Cumulative counts saturate at UINT64_MAX.
bool explicit_cumulative_buckets(std::span<const double> bounds, std::span<const uint64_t> counts,
                                 std::vector<CumulativeBucket>* out, std::string* why);

/// The dense buckets of one sign of an exponential histogram.
struct ExponentialBuckets {
  int32_t offset = 0;  ///< index of counts[0]
  std::span<const uint64_t> counts;
};

/// Cumulative buckets of an exponential histogram (see the file comment).
/// False with `*why` when the scale is outside the allowed range or
/// zero_threshold is negative or NaN.
bool exponential_cumulative_buckets(int32_t scale, double zero_threshold, uint64_t zero_count,
                                    const ExponentialBuckets& positive, const ExponentialBuckets& negative,
                                    std::vector<CumulativeBucket>* out, std::string* why);

}  // namespace sluice
