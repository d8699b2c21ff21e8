// The `host_metrics` source: reads host health from /proc and /sys every
// `interval` and emits it as metric samples (the OpenTelemetry Collector's
// hostmetrics receiver, Prometheus node_exporter, Telegraf's system inputs).
//
// Each collection becomes one batch of LogBatch::samples, all stamped with
// the collection's time and carrying the resource host.name (gethostname)
// and os.type ("linux"). A `store` sink keeps them in a metrics stream:
//   [sources.host]  type = "host_metrics"
//   [sinks.m]       type = "store"  stream = "host"  inputs = ["host"]
// host_collector.hpp and docs/user-guide.md list the metrics.
//
// Schedule: the first collection starts at once; collection k starts at
// start + k * interval; a collection that overruns skips the start times it
// missed (collections never overlap or queue up).
//
// The source has no positions: samples in flight at a crash are lost, and
// the next collection reads fresh values.
//
// Metrics: sluice_host_metrics_collections_total{component},
// sluice_host_metrics_collection_cpu_seconds{component} (CPU time of the
// last collection, on the collecting thread), and
// sluice_host_metrics_problems_total{component, collector}.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/metrics.hpp"
#include "common/status.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sources/host_metrics/host_collector.hpp"
#include "pipeline/sources/host_metrics/host_metrics_options.hpp"

namespace sluice {

/// Collects on its own thread.
///
/// Owner: the pipeline engine (through make_host_metrics_source). Threads:
/// start() and stop() from the engine's thread; the collection thread owns
/// the HostCollector. The SourceContext passed to start() must stay live
/// until stop() returns. Invariant: at most one collection runs at a time.
class HostMetricsSource final : public Source {
 public:
  HostMetricsSource(std::string name, std::chrono::nanoseconds interval, HostCollectorConfig config);
  ~HostMetricsSource() override;

  HostMetricsSource(const HostMetricsSource&) = delete;
  HostMetricsSource& operator=(const HostMetricsSource&) = delete;

  /// Starts the collection thread. InvalidArgument when `ctx` has no emit
  /// function or the source was already started.
  Status start(SourceContext* ctx) override;
  /// Stops the thread (after the collection in progress, if any); idempotent.
  void stop() override;

  /// Collections done so far (for tests).
  uint64_t collections() const { return collections_.load(std::memory_order_acquire); }

 private:
  void loop();
  bool stopping() const { return stop_.load(std::memory_order_acquire); }

  const std::string name_;
  const std::chrono::nanoseconds interval_;
  HostCollector collector_;
  SourceContext* ctx_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> collections_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  Counter* collections_total_;
  Gauge* collection_cpu_seconds_;
};

/// Builds the collector configuration from `options` and this host (host
/// name, USER_HZ, page size). InvalidArgument naming the option when a
/// collector name is unknown or a path is empty or relative.
Result<HostCollectorConfig> host_collector_config(const std::string& name, const HostMetricsOptions& options);

/// The factory the registry calls.
Result<std::unique_ptr<Source>> make_host_metrics_source(std::string name, const HostMetricsOptions& options);

}  // namespace sluice
