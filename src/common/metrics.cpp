#include "common/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/assert.hpp"

namespace sluice {

void Gauge::add(double d) {
  double cur = v_.load(std::memory_order_relaxed);
  while (!v_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  SLUICE_ASSERT(std::is_sorted(bounds_.begin(), bounds_.end()), "histogram bounds must be sorted");
}

void Histogram::observe(double v) {
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.add(v);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::bucket_counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

std::vector<double> latency_buckets_seconds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry& MetricsRegistry::global() {
  static MetricsRegistry r;
  return r;
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, const std::string& help, Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end()) it = families_.emplace(name, Family{kind, help, {}}).first;
  SLUICE_ASSERT(it->second.kind == kind, "metric " + name + " registered with two kinds");
  return it->second;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard<std::mutex> l(mu_);
  Series& s = family(name, help, Kind::kCounter).series[labels];
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard<std::mutex> l(mu_);
  Series& s = family(name, help, Kind::kGauge).series[labels];
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help, const Labels& labels,
                                      const std::vector<double>& bounds) {
  std::lock_guard<std::mutex> l(mu_);
  Series& s = family(name, help, Kind::kHistogram).series[labels];
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(bounds);
  return *s.histogram;
}

void MetricsRegistry::gauge_fn(const std::string& name, const std::string& help, const Labels& labels,
                               std::function<double()> fn) {
  std::lock_guard<std::mutex> l(mu_);
  family(name, help, Kind::kGauge).series[labels].fn = std::move(fn);
}

void MetricsRegistry::remove(const std::string& name, const Labels& labels) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second.series.erase(labels);
}

namespace {
std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string label_text(const Labels& labels, const std::string& extra_key = "", const std::string& extra_val = "") {
  if (labels.empty() && extra_key.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + escape_label(v) + "\"";
  }
  if (!extra_key.empty()) {
    if (!first) out += ',';
    out += extra_key + "=\"" + extra_val + "\"";
  }
  return out + "}";
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}
}  // namespace

std::string MetricsRegistry::render() const {
  std::lock_guard<std::mutex> l(mu_);
  std::string out;
  for (const auto& [name, fam] : families_) {
    if (fam.series.empty()) continue;
    const char* type = fam.kind == Kind::kCounter ? "counter" : fam.kind == Kind::kGauge ? "gauge" : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, fam.help, name, type);
    for (const auto& [labels, s] : fam.series) {
      if (s.counter) {
        out += name + label_text(labels) + " " + std::to_string(s.counter->value()) + "\n";
      } else if (s.fn) {
        out += name + label_text(labels) + " " + number(s.fn()) + "\n";
      } else if (s.gauge) {
        out += name + label_text(labels) + " " + number(s.gauge->value()) + "\n";
      } else if (s.histogram) {
        auto counts = s.histogram->bucket_counts();
        uint64_t cum = 0;
        const auto& b = s.histogram->bounds();
        for (size_t i = 0; i < counts.size(); ++i) {
          cum += counts[i];
          std::string le = i < b.size() ? number(b[i]) : "+Inf";
          out += name + "_bucket" + label_text(labels, "le", le) + " " + std::to_string(cum) + "\n";
        }
        out += name + "_sum" + label_text(labels) + " " + number(s.histogram->sum()) + "\n";
        out += name + "_count" + label_text(labels) + " " + std::to_string(s.histogram->count()) + "\n";
      }
    }
  }
  return out;
}

}  // namespace sluice
