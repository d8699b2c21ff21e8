#include "pipeline/sources/otlp/otlp_source.hpp"

#include <spdlog/spdlog.h>

#include "pipeline/sources/delivery.hpp"
#include "pipeline/sources/otlp/otlp_grpc_server.hpp"
#include "pipeline/sources/otlp/otlp_http_receiver.hpp"
#include "pipeline/sources/otlp/otlp_logs_decode.hpp"
#include "pipeline/sources/otlp/otlp_metrics_traces_export.hpp"
#include "pipeline/sources/otlp/otlp_response.hpp"

namespace sluice {

OtlpSource::OtlpSource(std::string name, OtlpSourceOptions options)
    : name_(std::move(name)), options_(std::move(options)) {
  http_ = std::make_unique<OtlpHttpReceiver>(name_, options_);
  auto& m = MetricsRegistry::global();
  const char* help = "OTLP log records received, by transport and result (accepted or rejected as invalid).";
  grpc_accepted_ = &m.counter("sluice_otlp_log_records_total", help,
                              {{"source", name_}, {"transport", "grpc"}, {"result", "accepted"}});
  grpc_rejected_ = &m.counter("sluice_otlp_log_records_total", help,
                              {{"source", name_}, {"transport", "grpc"}, {"result", "rejected"}});
}

OtlpSource::~OtlpSource() { stop(); }

Status OtlpSource::start(SourceContext* ctx) {
  ctx_ = ctx;
  SLUICE_RETURN_IF_ERROR(http_->open(ctx));
  if (options_.grpc_listen.empty()) return Status::Ok();
  OtlpGrpcServerOptions g;
  g.name = name_;
  g.listen = options_.grpc_listen;
  g.max_receive_bytes = options_.max_decompressed_bytes;
  g.idle_timeout = options_.idle_timeout;
  g.max_threads = options_.max_connections;
  grpc_ = std::make_unique<OtlpGrpcServer>(
      g, [this](std::string_view request, std::string* response) { return grpc_export(request, response); },
      otlp_signal_grpc_methods(name_, options_, ctx));
  Status st = grpc_->start();
  if (!st.ok()) {
    http_->stop();
    return st.with_context("sources." + name_);
  }
  spdlog::info("sources.{}: OTLP/gRPC listening on {} (port {})", name_, options_.grpc_listen, grpc_->port());
  return Status::Ok();
}

void OtlpSource::stop() {
  if (grpc_) grpc_->stop();
  if (http_) http_->stop();
}

uint16_t OtlpSource::http_port() const { return http_ ? http_->port() : 0; }

uint16_t OtlpSource::grpc_port() const { return grpc_ ? grpc_->port() : 0; }

Status OtlpSource::grpc_export(std::string_view request, std::string* response) {
  auto decoded = decode_otlp_logs_proto(request, otlp_now_ns(), options_.limits());
  if (!decoded.ok()) {
    spdlog::debug("sources.{}: refused an OTLP/gRPC request: {}", name_, decoded.status().message());
    return decoded.status();
  }
  const uint64_t accepted = decoded->records.size();
  if (accepted > 0) {
    LogBatch batch;
    batch.stream = options_.stream;
    batch.records = std::move(decoded->records);
    SLUICE_RETURN_IF_ERROR(deliver(*ctx_, std::move(batch), options_.ack_timeout));
  }
  grpc_accepted_->inc(accepted);
  grpc_rejected_->inc(decoded->rejected);
  *response = encode_export_logs_response(OtlpEncoding::kProtobuf, decoded->rejected, decoded->rejected_reason);
  return Status::Ok();
}

Result<std::unique_ptr<Source>> make_otlp_source(const std::string& name, const OtlpSourceOptions& options) {
  SLUICE_RETURN_IF_ERROR(validate_otlp_source_options(options));
  return std::unique_ptr<Source>(std::make_unique<OtlpSource>(name, options));
}

}  // namespace sluice
