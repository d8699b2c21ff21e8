// OtlpSignalReceiver: the metrics and traces half of the `otlp` source
// (docs/protocols/otlp.md), for both transports (OTLP specification,
// "OTLP/HTTP" and "OTLP/gRPC"):
//
//   POST /v1/metrics, MetricsService/Export -> MetricSamples
//       (otlp_metrics_decode.hpp) in the `metrics_stream` stream
//   POST /v1/traces, TraceService/Export -> Spans (otlp_traces_decode.hpp)
//       in the `traces_stream` stream
//
// Each answers like the logs path (otlp_http_receiver.hpp): only after the
// batch is durable; 200 / OK with an ExportMetricsServiceResponse or
// ExportTraceServiceResponse in the request's encoding, `partial_success`
// (rejected_data_points / rejected_spans and the first reason) when some
// points or spans were rejected; 400 / INVALID_ARGUMENT for an undecodable
// body or a batch a sink refused for good; 405 for a method other than
// POST; 413 / RESOURCE_EXHAUSTED over the size and request limits; 415 for
// another Content-Type or Content-Encoding; 503 / UNAVAILABLE when not
// durable within ack_timeout. Error bodies are google.rpc.Status.
//
// Over HTTP, requests from `sluice` agents (sluice_protocol.hpp) carry
// positions in X-Sluice-Positions or in the body (kSluicePositionsField):
// handle_http() passes the body's to its HttpDeliver, which stores the batch
// exactly once (OtlpHttpReceiver), and answers a duplicate with success
// without counting it. With X-Sluice-Agent, metrics the agent marked are
// decoded verbatim (otlp_metrics_decode.hpp, otlp_metrics_encode.hpp).
//
// Counters: sluice_otlp_data_points_total and sluice_otlp_spans_total
// {source, transport, result="accepted"|"rejected"}.
//
// Thread-safety: handle_http() and the gRPC handlers run concurrently on
// connection and gRPC threads; the object is immutable after construction.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics.hpp"
#include "net/http_types.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sources/otlp/otlp_grpc_server.hpp"
#include "pipeline/sources/otlp/otlp_options.hpp"
#include "pipeline/sources/otlp/otlp_response.hpp"

namespace sluice {

enum class OtlpSignal { kMetrics, kTraces };

/// The gRPC method paths (OTLP/gRPC service definitions).
inline constexpr char kOtlpMetricsExportMethod[] = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
inline constexpr char kOtlpTraceExportMethod[] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/// An ExportMetricsServiceResponse or ExportTraceServiceResponse in encoding
/// `e`; `partial_success` is set only when `rejected` > 0.
std::string encode_export_signal_response(OtlpSignal s, OtlpEncoding e, uint64_t rejected, const std::string& message);

class OtlpSignalReceiver {
 public:
  /// `transport` ("http" or "grpc") labels the counters.
  OtlpSignalReceiver(std::string source_name, const OtlpSourceOptions& options, const std::string& transport);

  using ReadBody = std::function<Result<std::string>(const HttpRequest&)>;
  using Deliver = std::function<Status(LogBatch&&)>;
  /// Delivers a decoded HTTP batch: `body_positions` is the positions JSON
  /// the body carried ("" when none); sets `*duplicate` when the batch was
  /// stored before. Errors as deliver() (delivery.hpp), plus InvalidArgument
  /// (400) and ResourceExhausted (413) for bad positions.
  using HttpDeliver = std::function<Status(LogBatch&& batch, const std::string& body_positions, bool* duplicate)>;

  /// Answers a request to /v1/metrics or /v1/traces. `read_body` is the
  /// HTTP listener's (http_listener.hpp); `deliver` is called when the batch
  /// has data or the request carries positions (header or body).
  HttpResponse handle_http(const HttpRequest& request, OtlpSignal s, const ReadBody& read_body,
                           const HttpDeliver& deliver) const;

  /// One MetricsService or TraceService Export call: `request` is the
  /// serialized request; on Ok `*response` the serialized response. Errors
  /// as OtlpGrpcHandler documents.
  Status grpc_export(OtlpSignal s, std::string_view request, std::string* response, const Deliver& deliver) const;

 private:
  struct Decoded;
  /// `sluice_agent`: the request came with X-Sluice-Agent (verbatim metrics).
  Result<Decoded> decode(OtlpSignal s, std::string_view body, OtlpEncoding e, bool sluice_agent) const;
  void count(OtlpSignal s, uint64_t accepted, uint64_t rejected) const;

  std::string name_;
  std::string metrics_stream_;
  std::string traces_stream_;
  OtlpLimits limits_;
  Counter* points_accepted_;
  Counter* points_rejected_;
  Counter* spans_accepted_;
  Counter* spans_rejected_;
};

/// The gRPC methods MetricsService/Export and TraceService/Export of source
/// `name`, delivering through `ctx` (which must outlive the server) with
/// options.ack_timeout; for OtlpGrpcServer beside LogsService/Export.
std::vector<OtlpGrpcMethod> otlp_signal_grpc_methods(const std::string& name, const OtlpSourceOptions& options,
                                                     SourceContext* ctx);

}  // namespace sluice
