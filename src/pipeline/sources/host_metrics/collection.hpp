// What the host_metrics collectors write to during one collection: the
// samples (SampleBuilder) and the problems met while reading (ProblemLog).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "model/metric_sample.hpp"

namespace sluice {

/// Appends samples of one collection: same timestamp and resource on
/// each, label values repaired to valid UTF-8 (device names, mount points
/// and process names come from the kernel as arbitrary bytes).
///
/// Owner: the collection in progress; one thread. `resource` and `out` must
/// outlive the builder.
class SampleBuilder {
 public:
  SampleBuilder(int64_t timestamp_ns, const KeyValues& resource, std::vector<MetricSample>* out)
      : timestamp_ns_(timestamp_ns), resource_(resource), out_(out) {}

  /// A value that goes up and down (OTel gauge or non-monotonic sum).
  void gauge(std::string_view name, double value, KeyValues labels = {}) {
    add(name, MetricKind::kGauge, value, std::move(labels));
  }
  /// A monotonic cumulative total (OTel monotonic sum); `name` ends in _total.
  void counter(std::string_view name, double value, KeyValues labels = {}) {
    add(name, MetricKind::kCounter, value, std::move(labels));
  }

 private:
  void add(std::string_view name, MetricKind kind, double value, KeyValues labels);

  int64_t timestamp_ns_;
  const KeyValues& resource_;
  std::vector<MetricSample>* out_;
};

/// Counts problems met while reading /proc and /sys, and logs each kind of
/// problem once (a warning naming the file and what was wrong), so an odd
/// kernel or a broken mount does not flood the log every interval.
///
/// Owner: one host_metrics source; one thread (its collection thread).
/// Invariant: at most kMaxKeys distinct keys are remembered; past that,
/// problems are still counted but no longer logged.
class ProblemLog {
 public:
  static constexpr size_t kMaxKeys = 1024;

  explicit ProblemLog(std::string component) : component_(std::move(component)) {}

  /// Counts one problem of `collector` in sluice_host_metrics_problems_total
  /// and logs `message` if `key` (e.g. "cpu:/proc/stat") was not seen before.
  void report(std::string_view collector, const std::string& key, const std::string& message);
  uint64_t count() const { return count_; }

 private:
  std::string component_;
  std::unordered_set<std::string> seen_;
  uint64_t count_ = 0;
};

}  // namespace sluice
