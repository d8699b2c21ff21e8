// OtlpGrpcServer: the OTLP/gRPC endpoint (OTLP specification, "OTLP/gRPC"):
// the unary rpc opentelemetry.proto.collector.logs.v1.LogsService/Export on
// a gRPC C++ synchronous server, and the Export methods of MetricsService and
// TraceService (otlp_metrics_traces_export.hpp) when given as `more`.
//
// The method is registered with raw bytes (grpc::ByteBuffer) rather than the
// generated message types, so that the request is decoded by sluice's own
// checks (otlp_logs_decode.hpp) and a malformed one gets INVALID_ARGUMENT
// with a message naming the byte and field, where gRPC's own parsing would
// answer INTERNAL. gRPC itself decompresses (gzip, deflate) and refuses
// messages over `max_receive_bytes` with RESOURCE_EXHAUSTED.
//
// Thread-safety: start()/stop() from one thread; the handler runs
// concurrently on gRPC's threads (at most `max_threads`).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace sluice {

struct OtlpGrpcServerOptions {
  std::string name;                          ///< the component name, for logs
  std::string listen;                        ///< "host:port"; port 0 picks a free one
  uint64_t max_receive_bytes = 64ULL << 20;  ///< after decompression; capped at 2 GiB - 1
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(60);
  int64_t max_threads = 256;  ///< concurrent calls; past it clients get RESOURCE_EXHAUSTED
};

/// Handles one Export call: `request` is the serialized
/// ExportLogsServiceRequest; on Ok `*response` is the serialized
/// ExportLogsServiceResponse. A non-Ok status becomes the gRPC status with
/// the same meaning (InvalidArgument -> INVALID_ARGUMENT, ResourceExhausted
/// -> RESOURCE_EXHAUSTED, Unavailable -> UNAVAILABLE, other -> INTERNAL).
using OtlpGrpcHandler = std::function<Status(std::string_view request, std::string* response)>;

/// Another unary method served like LogsService/Export (raw bytes, the same
/// status mapping), by its full path, e.g.
/// "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export".
struct OtlpGrpcMethod {
  std::string path;
  OtlpGrpcHandler handler;
};

class OtlpGrpcServer {
 public:
  /// Serves LogsService/Export with `handler`, and `more` beside it.
  OtlpGrpcServer(OtlpGrpcServerOptions options, OtlpGrpcHandler handler, std::vector<OtlpGrpcMethod> more = {});
  ~OtlpGrpcServer();
  /// Binds and starts serving. IOError when the address cannot be bound.
  Status start();
  /// Stops accepting, cancels calls in flight after a short grace period,
  /// joins gRPC's threads. Idempotent.
  void stop();
  /// The bound port (after start).
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
