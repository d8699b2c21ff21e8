// TokenBucket: the per-file byte rate limit of the file source
// (max_read_bytes_per_second).
#pragma once

#include <algorithm>
#include <cstdint>

namespace sluice {

/// A token bucket of bytes: `rate` tokens per second accrue up to `burst`;
/// a reader takes what it consumed, and may overdraw by less than one line
/// (a line is never cut short by the limit), which later refills repay.
/// Time is passed in, in steady-clock nanoseconds, so tests need no clock.
///
/// Owner: one TailedFile. Threads: the file source's reader thread only.
/// Invariant: tokens_ <= burst_; tokens_ may be negative (debt).
class TokenBucket {
 public:
  /// `rate` > 0 bytes per second; `burst` >= 1 byte. Starts full at `now_ns`.
  TokenBucket(uint64_t rate, uint64_t burst, int64_t now_ns)
      : rate_(static_cast<double>(rate)),
        burst_(static_cast<double>(std::max<uint64_t>(burst, 1))),
        tokens_(burst_),
        last_ns_(now_ns) {}

  /// Adds the tokens accrued since the last refill (time never goes back).
  void refill(int64_t now_ns) {
    if (now_ns <= last_ns_) return;
    tokens_ = std::min(burst_, tokens_ + rate_ * static_cast<double>(now_ns - last_ns_) / 1e9);
    last_ns_ = now_ns;
  }
  /// Whole bytes that may be read now (0 while in debt).
  uint64_t available() const { return tokens_ >= 1 ? static_cast<uint64_t>(tokens_) : 0; }
  /// Takes `n` bytes (may overdraw).
  void take(uint64_t n) { tokens_ -= static_cast<double>(n); }
  /// Steady-clock time at which available() will be at least `want` bytes
  /// (capped at burst), given the last refill time.
  int64_t ready_at_ns(uint64_t want) const {
    double target = std::min(burst_, static_cast<double>(std::max<uint64_t>(want, 1)));
    if (tokens_ >= target) return last_ns_;
    return last_ns_ + static_cast<int64_t>((target - tokens_) * 1e9 / rate_) + 1;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  int64_t last_ns_;
};

}  // namespace sluice
