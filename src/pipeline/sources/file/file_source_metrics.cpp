#include "pipeline/sources/file/file_source_metrics.hpp"

#include <utility>

namespace sluice {

namespace {
constexpr char kLag[] = "sluice_file_source_lag_bytes";
constexpr char kLagHelp[] = "Bytes of a followed file not read yet (file size minus read position).";
constexpr char kWatched[] = "sluice_file_source_watched_files";
constexpr char kWatchedHelp[] = "Files the file source has open and follows.";

// Adds `d` to an atomic double (no fetch_add for double before C++20 libs).
void add(std::atomic<double>& a, double d) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}
}  // namespace

FileSourceMetrics::FileSourceMetrics(std::string component, MetricsRegistry& registry)
    : component_(std::move(component)), registry_(registry), watched_(std::make_shared<std::atomic<double>>(0)) {
  // The functions hold their own reference to the value, so a scrape after
  // this object is gone (or after another source with the same name
  // replaced the series) reads a valid atomic.
  auto w = watched_;
  registry_.gauge_fn(kWatched, kWatchedHelp, {{"component", component_}},
                     [w] { return w->load(std::memory_order_relaxed); });
  watched_registered_ = true;
}

FileSourceMetrics::~FileSourceMetrics() { clear(); }

void FileSourceMetrics::clear() {
  for (const auto& [path, s] : paths_) registry_.remove(kLag, labels(path));
  paths_.clear();
  if (watched_registered_) registry_.remove(kWatched, {{"component", component_}});
  watched_registered_ = false;
}

void FileSourceMetrics::add_file(const std::string& path) {
  PathSeries& s = paths_[path];
  if (s.files++ == 0) {
    s.lag = std::make_shared<std::atomic<double>>(0);
    auto v = s.lag;
    registry_.gauge_fn(kLag, kLagHelp, labels(path), [v] { return v->load(std::memory_order_relaxed); });
  }
}

void FileSourceMetrics::remove_file(const std::string& path, uint64_t lag) {
  auto it = paths_.find(path);
  if (it == paths_.end()) return;
  if (--it->second.files > 0) {
    add(*it->second.lag, -static_cast<double>(lag));
    return;
  }
  registry_.remove(kLag, labels(path));
  paths_.erase(it);
}

void FileSourceMetrics::update(const std::string& path, uint64_t old_lag, uint64_t new_lag) {
  if (old_lag == new_lag) return;
  auto it = paths_.find(path);
  if (it == paths_.end()) return;
  add(*it->second.lag, static_cast<double>(new_lag) - static_cast<double>(old_lag));
}

}  // namespace sluice
