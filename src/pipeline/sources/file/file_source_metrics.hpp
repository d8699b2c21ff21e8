// Prometheus series of one file source (GET /metrics):
//   sluice_file_source_lag_bytes{component,path}  bytes of the file not read yet (size - read position)
//   sluice_file_source_watched_files{component}   files open and followed
// A path's series exists only while a followed file has that path, so
// thousands of short-lived files do not leave thousands of series behind.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/metrics.hpp"

namespace sluice {

/// The lag and file-count gauges of one file source.
///
/// Owner: FileSource. Threads: the source's reader thread (or start()'s
/// thread before it) makes every call; scrapes read the values through
/// MetricsRegistry::gauge_fn from any thread (atomics).
/// Invariant: a path has a series iff files_ counts at least one file at
/// it, and its value is the sum of the lags reported for those files.
class FileSourceMetrics {
 public:
  FileSourceMetrics(std::string component, MetricsRegistry& registry);
  /// Removes every series this object registered.
  ~FileSourceMetrics();

  FileSourceMetrics(const FileSourceMetrics&) = delete;
  FileSourceMetrics& operator=(const FileSourceMetrics&) = delete;

  /// A followed file is now at `path`, with lag 0.
  void add_file(const std::string& path);
  /// A file at `path` whose last reported lag was `lag` is no longer
  /// followed there (closed, or renamed: then add_file with the new path).
  void remove_file(const std::string& path, uint64_t lag);
  /// A file at `path` now lags by `new_lag` bytes instead of `old_lag`.
  void update(const std::string& path, uint64_t old_lag, uint64_t new_lag);
  /// Sets the followed-files gauge.
  void set_watched_files(size_t n) { watched_->store(static_cast<double>(n), std::memory_order_relaxed); }
  /// Removes every series now (the destructor does it too).
  void clear();

 private:
  struct PathSeries {
    std::shared_ptr<std::atomic<double>> lag;
    int files = 0;
  };
  Labels labels(const std::string& path) const { return {{"component", component_}, {"path", path}}; }

  const std::string component_;
  MetricsRegistry& registry_;
  std::shared_ptr<std::atomic<double>> watched_;
  bool watched_registered_ = false;
  std::unordered_map<std::string, PathSeries> paths_;
};

}  // namespace sluice
