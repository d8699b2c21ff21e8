#include "pipeline/sources/host_metrics/collection.hpp"

#include <spdlog/spdlog.h>

#include "common/metrics.hpp"
#include "model/utf8.hpp"

namespace sluice {

void SampleBuilder::add(std::string_view name, MetricKind kind, double value, KeyValues labels) {
  for (auto& [k, v] : labels) make_valid_utf8(v);
  MetricSample s;
  s.timestamp_ns = timestamp_ns_;
  s.name = std::string(name);
  s.labels = std::move(labels);
  s.value = value;
  s.kind = kind;
  s.resource = resource_;
  out_->push_back(std::move(s));
}

void ProblemLog::report(std::string_view collector, const std::string& key, const std::string& message) {
  ++count_;
  MetricsRegistry::global()
      .counter("sluice_host_metrics_problems_total",
               "Files of /proc and /sys a host_metrics source could not read or parse (the values concerned are "
               "skipped; each kind of problem is logged once).",
               {{"component", component_}, {"collector", std::string(collector)}})
      .inc();
  if (seen_.size() >= kMaxKeys || !seen_.insert(key).second) return;
  spdlog::warn("host_metrics source {}: {} collector: {} (skipped; logged once)", component_, collector, message);
}

}  // namespace sluice
