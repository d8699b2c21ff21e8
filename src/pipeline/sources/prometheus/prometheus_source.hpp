// The `prometheus_remote_write` source: a Prometheus remote_write 1.0
// receiver, so that Prometheus, Grafana Alloy, vmagent, the OpenTelemetry
// Collector's prometheusremotewrite exporter and other senders can ship
// metric samples to sluice (docs/protocols/prometheus.md).
//
// Endpoints (Prometheus Remote-Write 1.0 specification, "Protocol"):
//   POST /api/v1/write   Snappy-compressed WriteRequest; 204 once every
//                        sample is durable
//   GET  /-/healthy, /-/ready   200 (probes, as Prometheus answers them)
// Each request becomes one batch of samples for `stream` (a metrics
// stream); see remote_write_decoder.hpp for the mapping.
//
// Status codes, chosen so that the sender retries exactly what can succeed
// later (the spec: retry on 5xx, never on other 4xx): 204 stored; 400
// (text/plain reason naming the series, its labels and the field) for a body
// that does not decode or breaks the label rules, or when a sink rejected
// the batch; 404 for other paths; 405 for another method on the write path;
// 413 for a body larger than max_body_bytes, one that inflates past
// max_decompressed_bytes, or samples that would take more than
// kSampleBytesPerBodyByte times max_decompressed_bytes of memory; 415 for a
// Content-Encoding other than snappy, a Content-Type other than
// application/x-protobuf, or a remote_write 2.0 request (so that a 2.0
// sender falls back to 1.0); 503 when the samples were not durable in time.
//
// Not derived from HttpListenerSource: its deliver() skips batches without
// log records. The listener options are the same (add_http_listener_options).
//
// Thread-safety: requests are handled concurrently on connection threads;
// the remembered metric types are guarded by a shared mutex; start() and
// stop() are called by the pipeline from one thread.
#pragma once

#include <atomic>
#include <shared_mutex>
#include <string>

#include "common/metrics.hpp"
#include "config/options.hpp"
#include "pipeline/sources/http_listener.hpp"
#include "pipeline/sources/prometheus/metric_kind_rules.hpp"

namespace sluice {

/// Memory the decoded samples of one request may take, per byte of
/// max_decompressed_bytes (each sample holds a copy of its series' labels).
inline constexpr size_t kSampleBytesPerBodyByte = 8;

struct PrometheusSourceOptions : HttpListenerOptions {
  std::string stream = "metrics";         ///< the (metrics) stream every sample goes to
  std::string name_validation = "utf8";   ///< "utf8" or "legacy", see series_labels.hpp
  int64_t max_metadata_families = 10000;  ///< metric families whose type is remembered; 0 = none
};

/// The option table of the `prometheus_remote_write` source. Built once; thread-safe.
const OptionTable<PrometheusSourceOptions>& prometheus_source_option_table();

/// Checks `stream` is a valid stream name ([a-z0-9_.-]{1,64}); InvalidArgument otherwise.
Status validate_prometheus_source_options(const PrometheusSourceOptions& options);

class PrometheusSource final : public HttpListenerSource {
 public:
  PrometheusSource(std::string name, PrometheusSourceOptions options);
  ~PrometheusSource() override;

  /// Answers one request (public so tests can call it without a socket;
  /// a write still needs start() first, for delivery).
  HttpResponse handle(const HttpRequest& request) override;

 private:
  HttpResponse write(const HttpRequest& request);
  /// Adds the request's metadata to the remembered types (cleared when full).
  void remember(const MetricTypes& metadata);

  PrometheusSourceOptions options_;

  mutable std::shared_mutex types_mu_;
  MetricTypes remembered_;  ///< guarded by types_mu_

  std::atomic<bool> warned_histograms_{false};
  Counter* skipped_histograms_;
  Counter* skipped_exemplars_;
};

/// Factory for the registry.
Result<std::unique_ptr<Source>> make_prometheus_source(const std::string& name, const PrometheusSourceOptions& options);

}  // namespace sluice
