#include "pipeline/sources/otlp/otlp_metrics_histogram.hpp"

#include <cmath>

#include "pipeline/sources/otlp/otlp_metrics_names.hpp"

namespace sluice {
namespace {

uint64_t saturating_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

/// Appends cumulative buckets, merging bounds that are not increasing.
class Accumulator {
 public:
  explicit Accumulator(std::vector<CumulativeBucket>* out) : out_(out) {}

  void add(double le, uint64_t n) {
    total_ = saturating_add(total_, n);
    if (le == 0) le = 0;                   // -0 -> 0, so that "-0" never becomes a label
    if (std::isinf(le) && le > 0) return;  // the caller's +Inf bucket covers it
    if (!out_->empty() && !(le > out_->back().le)) {
      out_->back().count = total_;
      return;
    }
    out_->push_back({le, total_});
  }

 private:
  std::vector<CumulativeBucket>* out_;
  uint64_t total_ = 0;
};

}  // namespace

double exponential_bucket_bound(int32_t scale, int64_t index) {
  if (scale <= 0) {
    // base^index = 2^(index * 2^-scale), an integer power of two.
    int64_t exponent = index * (int64_t{1} << -scale);  // |index| < 2^33, so no overflow
    if (exponent > 1024) return INFINITY;
    if (exponent < -1075) return 0;
    return std::ldexp(1.0, static_cast<int>(exponent));
  }
  const int64_t per_octave = int64_t{1} << scale;
  if (index % per_octave == 0) {
    int64_t exponent = index / per_octave;
    if (exponent > 1024) return INFINITY;
    if (exponent < -1075) return 0;
    return std::ldexp(1.0, static_cast<int>(exponent));
  }
  return std::exp2(static_cast<double>(index) / static_cast<double>(per_octave));
}

bool explicit_cumulative_buckets(std::span<const double> bounds, std::span<const uint64_t> counts,
                                 std::vector<CumulativeBucket>* out, std::string* why) {
  out->clear();
  if (bounds.empty() && counts.empty()) return true;
  if (counts.size() != bounds.size() + 1) {
    *why = "has " + std::to_string(counts.size()) + " bucket counts for " + std::to_string(bounds.size()) +
           " explicit bounds; expected " + std::to_string(bounds.size() + 1);
    return false;
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (std::isnan(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1]))) {
      *why = "explicit bound " + std::to_string(i) + " (" + prometheus_float_text(bounds[i]) +
             ") is NaN or not above the previous one";
      return false;
    }
  }
  out->reserve(bounds.size());
  Accumulator acc(out);
  for (size_t i = 0; i < bounds.size(); ++i) acc.add(bounds[i], counts[i]);
  return true;
}

bool exponential_cumulative_buckets(int32_t scale, double zero_threshold, uint64_t zero_count,
                                    const ExponentialBuckets& positive, const ExponentialBuckets& negative,
                                    std::vector<CumulativeBucket>* out, std::string* why) {
  out->clear();
  if (scale < kMinExponentialScale || scale > kMaxExponentialScale) {
    *why = "scale " + std::to_string(scale) + " is outside " + std::to_string(kMinExponentialScale) + ".." +
           std::to_string(kMaxExponentialScale);
    return false;
  }
  if (!(zero_threshold >= 0)) {
    *why = "zero_threshold " + prometheus_float_text(zero_threshold) + " is negative or NaN";
    return false;
  }
  out->reserve(positive.counts.size() + negative.counts.size() + 1);
  Accumulator acc(out);
  for (size_t k = negative.counts.size(); k-- > 0;) {
    acc.add(-exponential_bucket_bound(scale, int64_t{negative.offset} + static_cast<int64_t>(k)), negative.counts[k]);
  }
  acc.add(zero_threshold, zero_count);
  for (size_t k = 0; k < positive.counts.size(); ++k) {
    acc.add(exponential_bucket_bound(scale, int64_t{positive.offset} + static_cast<int64_t>(k) + 1),
            positive.counts[k]);
  }
  return true;
}

}  // namespace sluice
