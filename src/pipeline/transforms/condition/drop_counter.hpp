// The counter every shaping transform (filter, sample, throttle, dedupe)
// increments for the records it drops on purpose, so /metrics shows how
// much was shaped away: sluice_component_filtered_records_total{component}.
//
// Thread-safety: the returned Counter is thread-safe and lives as long as
// the process-wide MetricsRegistry.
#pragma once

#include <string>

#include "common/metrics.hpp"

namespace sluice {

/// The counter of records dropped by the transform named `component`.
inline Counter& filtered_records_counter(const std::string& component) {
  return MetricsRegistry::global().counter("sluice_component_filtered_records_total",
                                           "Records a filter, sample, throttle or dedupe transform dropped on purpose.",
                                           {{"component", component}});
}

}  // namespace sluice
