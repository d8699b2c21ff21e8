// Metrics registry rendered as the Prometheus text exposition format 0.0.4
// on GET /metrics.
//
// Metrics are created once (registration takes a lock) and then updated
// lock-free from any thread. Returned references stay valid for the life of
// the registry. Names follow Prometheus conventions: `_total` counters,
// `_seconds` and `_bytes` units.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sluice {

using Labels = std::vector<std::pair<std::string, std::string>>;

/// Monotonic counter. Thread-safe.
class Counter {
 public:
  void inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

/// Value that goes up and down. Thread-safe.
class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void add(double d);
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

/// Cumulative histogram with fixed upper bounds. Thread-safe.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  /// Per-bucket (non-cumulative) counts; the last is +Inf.
  std::vector<uint64_t> bucket_counts() const;
  double sum() const { return sum_.value(); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  Gauge sum_;
  std::atomic<uint64_t> count_{0};
};

/// Buckets for latencies in seconds: 100us .. 10s.
std::vector<double> latency_buckets_seconds();

class MetricsRegistry {
 public:
  /// The process-wide registry.
  static MetricsRegistry& global();

  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels,
                       const std::vector<double>& bounds);
  /// A gauge whose value is computed at scrape time by `fn`, called under
  /// the registry lock from the scraping thread. `fn` must not call back into
  /// the registry, nor take any lock that a thread may hold while it
  /// registers metrics (that would deadlock a scrape against the
  /// registration). Replaces an earlier function with the same name and labels.
  void gauge_fn(const std::string& name, const std::string& help, const Labels& labels, std::function<double()> fn);
  /// Removes every series with this name and labels (e.g. a deleted stream).
  void remove(const std::string& name, const Labels& labels);

  /// Prometheus text format, families sorted by name.
  std::string render() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> fn;
  };
  struct Family {
    Kind kind;
    std::string help;
    std::map<Labels, Series> series;
  };
  Family& family(const std::string& name, const std::string& help, Kind kind);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

}  // namespace sluice
