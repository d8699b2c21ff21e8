// The `otlp` source: receives OpenTelemetry logs over OTLP/HTTP
// (otlp_http_receiver.hpp, default port 4318) and OTLP/gRPC
// (otlp_grpc_server.hpp, default port 4317) and stores them in one stream
// (docs/protocols/otlp.md). Both transports decode with
// otlp_logs_decode.hpp and answer only after the records are durable.
// Metrics and traces go the same way to their own streams
// (otlp_metrics_traces_export.hpp).
//
// Thread-safety: start()/stop() from the pipeline's thread; requests are
// handled concurrently on HTTP connection threads and gRPC threads.
#pragma once

#include <memory>
#include <string>

#include "common/metrics.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sources/otlp/otlp_options.hpp"

namespace sluice {

class OtlpHttpReceiver;
class OtlpGrpcServer;

class OtlpSource : public Source {
 public:
  OtlpSource(std::string name, OtlpSourceOptions options);
  ~OtlpSource() override;
  /// Starts the HTTP listener, then the gRPC one (unless grpc_listen is "").
  Status start(SourceContext* ctx) override;
  void stop() override;
  /// Bound ports after start (0 when not listening).
  uint16_t http_port() const;
  uint16_t grpc_port() const;

 private:
  /// One OTLP/gRPC Export call (see OtlpGrpcHandler).
  Status grpc_export(std::string_view request, std::string* response);

  std::string name_;
  OtlpSourceOptions options_;
  SourceContext* ctx_ = nullptr;
  std::unique_ptr<OtlpHttpReceiver> http_;
  std::unique_ptr<OtlpGrpcServer> grpc_;
  Counter* grpc_accepted_;
  Counter* grpc_rejected_;
};

/// Factory for the registry: validates `options` first.
Result<std::unique_ptr<Source>> make_otlp_source(const std::string& name, const OtlpSourceOptions& options);

}  // namespace sluice
