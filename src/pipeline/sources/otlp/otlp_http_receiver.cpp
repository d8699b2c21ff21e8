#include "pipeline/sources/otlp/otlp_http_receiver.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "common/compression.hpp"
#include "pipeline/sources/otlp/otlp_logs_decode.hpp"
#include "pipeline/sources/otlp/otlp_response.hpp"

namespace sluice {
namespace {

// google.rpc.Code values used in Status bodies (google/rpc/code.proto).
constexpr int kRpcInvalidArgument = 3;
constexpr int kRpcNotFound = 5;
constexpr int kRpcResourceExhausted = 8;
constexpr int kRpcUnimplemented = 12;
constexpr int kRpcInternal = 13;
constexpr int kRpcUnavailable = 14;

HttpResponse status_response(int http_status, OtlpEncoding e, int rpc_code, const std::string& message) {
  return HttpResponse{http_status, otlp_content_type(e), encode_rpc_status(e, rpc_code, message)};
}

}  // namespace

int64_t otlp_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

OtlpHttpReceiver::OtlpHttpReceiver(std::string name, const OtlpSourceOptions& options)
    : HttpListenerSource(name, options), stream_(options.stream), limits_(options.limits()) {
  auto& m = MetricsRegistry::global();
  const char* help = "OTLP log records received, by transport and result (accepted or rejected as invalid).";
  accepted_ = &m.counter("sluice_otlp_log_records_total", help,
                         {{"source", name}, {"transport", "http"}, {"result", "accepted"}});
  rejected_ = &m.counter("sluice_otlp_log_records_total", help,
                         {{"source", name}, {"transport", "http"}, {"result", "rejected"}});
}

OtlpHttpReceiver::~OtlpHttpReceiver() { stop(); }

HttpResponse OtlpHttpReceiver::handle(const HttpRequest& request) {
  auto encoding = otlp_encoding_from_content_type(request.header("content-type"));
  const OtlpEncoding e = encoding.value_or(OtlpEncoding::kJson);
  if (request.path == "/v1/logs") {
    if (request.method != "POST") {
      return status_response(405, e, kRpcUnimplemented,
                             "method " + request.method + " not allowed on /v1/logs; use POST");
    }
    return export_logs(request);
  }
  if (request.path == "/v1/metrics" || request.path == "/v1/traces") {
    return status_response(404, e, kRpcUnimplemented,
                           request.path +
                               ": this build of sluice stores OTLP logs only (POST /v1/logs); "
                               "OTLP metrics and traces are not supported yet");
  }
  return status_response(404, e, kRpcNotFound, "no such OTLP endpoint: " + request.method + " " + request.path);
}

HttpResponse OtlpHttpReceiver::export_logs(const HttpRequest& request) {
  const std::string content_type = request.header("content-type");
  auto encoding = otlp_encoding_from_content_type(content_type);
  if (!encoding) {
    return status_response(
        415, OtlpEncoding::kJson, kRpcInvalidArgument,
        "Content-Type \"" + content_type + "\" is not supported; use application/x-protobuf or application/json");
  }
  const OtlpEncoding e = *encoding;
  if (auto c = compression_from_name(request.header("content-encoding")); !c.ok()) {
    return status_response(415, e, kRpcInvalidArgument, c.status().message());
  }
  auto body = read_body(request);
  if (!body.ok()) {
    if (body.status().code() == StatusCode::kResourceExhausted) {
      return status_response(413, e, kRpcResourceExhausted, body.status().message());
    }
    return status_response(400, e, kRpcInvalidArgument, body.status().message());
  }
  auto decoded = e == OtlpEncoding::kProtobuf ? decode_otlp_logs_proto(*body, otlp_now_ns(), limits_)
                                              : decode_otlp_logs_json(*body, otlp_now_ns(), limits_);
  if (!decoded.ok()) {
    spdlog::debug("sources.{}: refused an OTLP/HTTP request: {}", name(), decoded.status().message());
    if (decoded.status().code() == StatusCode::kResourceExhausted) {
      return status_response(413, e, kRpcResourceExhausted, decoded.status().message());
    }
    return status_response(400, e, kRpcInvalidArgument, decoded.status().message());
  }
  const uint64_t accepted = decoded->records.size();
  LogBatch batch;
  batch.stream = stream_;
  batch.records = std::move(decoded->records);
  Status st = deliver(std::move(batch));
  if (!st.ok()) {
    if (st.code() == StatusCode::kInvalidArgument) return status_response(400, e, kRpcInvalidArgument, st.message());
    if (st.code() == StatusCode::kUnavailable) return status_response(503, e, kRpcUnavailable, st.message());
    return status_response(500, e, kRpcInternal, st.message());
  }
  accepted_->inc(accepted);
  rejected_->inc(decoded->rejected);
  return HttpResponse{200, otlp_content_type(e),
                      encode_export_logs_response(e, decoded->rejected, decoded->rejected_reason)};
}

}  // namespace sluice
