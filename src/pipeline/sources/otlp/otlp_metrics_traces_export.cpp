#include "pipeline/sources/otlp/otlp_metrics_traces_export.hpp"

#include <spdlog/spdlog.h>

#include "common/compression.hpp"
#include "model/utf8.hpp"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "pipeline/sources/delivery.hpp"
#include "pipeline/sources/otlp/otlp_metrics_decode.hpp"
#include "pipeline/sources/otlp/otlp_traces_decode.hpp"

#include <google/protobuf/util/json_util.h>

namespace sluice {
namespace {

// google.rpc.Code values used in Status bodies (google/rpc/code.proto).
constexpr int kRpcInvalidArgument = 3;
constexpr int kRpcResourceExhausted = 8;
constexpr int kRpcUnimplemented = 12;
constexpr int kRpcInternal = 13;
constexpr int kRpcUnavailable = 14;

HttpResponse status_response(int http_status, OtlpEncoding e, int rpc_code, const std::string& message) {
  return HttpResponse{http_status, otlp_content_type(e), encode_rpc_status(e, rpc_code, message)};
}

const char* path_of(OtlpSignal s) { return s == OtlpSignal::kMetrics ? "/v1/metrics" : "/v1/traces"; }

template <class Response>
std::string encode(OtlpEncoding e, Response& r, uint64_t rejected, const std::string& message) {
  if (rejected > 0) {
    std::string text = message;  // proto3 strings must be UTF-8; reasons may quote client bytes
    make_valid_utf8(text);
    r.mutable_partial_success()->set_error_message(text);
  }
  std::string out;
  if (e == OtlpEncoding::kProtobuf) {
    r.SerializeToString(&out);
  } else {
    (void)google::protobuf::util::MessageToJsonString(r, &out);  // cannot fail: no Any, no unknown enums
  }
  return out;
}

}  // namespace

std::string encode_export_signal_response(OtlpSignal s, OtlpEncoding e, uint64_t rejected, const std::string& message) {
  if (s == OtlpSignal::kMetrics) {
    opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceResponse r;
    if (rejected > 0) r.mutable_partial_success()->set_rejected_data_points(static_cast<int64_t>(rejected));
    return encode(e, r, rejected, message);
  }
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse r;
  if (rejected > 0) r.mutable_partial_success()->set_rejected_spans(static_cast<int64_t>(rejected));
  return encode(e, r, rejected, message);
}

struct OtlpSignalReceiver::Decoded {
  LogBatch batch;
  uint64_t accepted = 0;  ///< data points or spans
  uint64_t rejected = 0;
  std::string reason;
  std::string sluice_positions;  ///< from the body (binary requests of sluice agents)
};

OtlpSignalReceiver::OtlpSignalReceiver(std::string source_name, const OtlpSourceOptions& options,
                                       const std::string& transport)
    : name_(std::move(source_name)),
      metrics_stream_(options.metrics_stream),
      traces_stream_(options.traces_stream),
      limits_(options.limits()) {
  auto& m = MetricsRegistry::global();
  const char* points = "OTLP metric data points received, by transport and result (accepted or rejected as invalid).";
  const char* spans = "OTLP spans received, by transport and result (accepted or rejected as invalid).";
  points_accepted_ = &m.counter("sluice_otlp_data_points_total", points,
                                {{"source", name_}, {"transport", transport}, {"result", "accepted"}});
  points_rejected_ = &m.counter("sluice_otlp_data_points_total", points,
                                {{"source", name_}, {"transport", transport}, {"result", "rejected"}});
  spans_accepted_ = &m.counter("sluice_otlp_spans_total", spans,
                               {{"source", name_}, {"transport", transport}, {"result", "accepted"}});
  spans_rejected_ = &m.counter("sluice_otlp_spans_total", spans,
                               {{"source", name_}, {"transport", transport}, {"result", "rejected"}});
}

Result<OtlpSignalReceiver::Decoded> OtlpSignalReceiver::decode(OtlpSignal s, std::string_view body, OtlpEncoding e,
                                                               bool sluice_agent) const {
  Decoded d;
  const bool proto = e == OtlpEncoding::kProtobuf;
  if (s == OtlpSignal::kMetrics) {
    SLUICE_ASSIGN_OR_RETURN(OtlpMetrics m, proto ? decode_otlp_metrics_proto(body, limits_, sluice_agent)
                                                 : decode_otlp_metrics_json(body, limits_, sluice_agent));
    d.batch.stream = metrics_stream_;
    d.batch.samples = std::move(m.samples);
    d.accepted = m.data_points;
    d.rejected = m.rejected;
    d.reason = std::move(m.rejected_reason);
    d.sluice_positions = std::move(m.sluice_positions);
  } else {
    SLUICE_ASSIGN_OR_RETURN(OtlpTraces t,
                            proto ? decode_otlp_traces_proto(body, limits_) : decode_otlp_traces_json(body, limits_));
    d.batch.stream = traces_stream_;
    d.accepted = t.spans.size();
    d.batch.spans = std::move(t.spans);
    d.rejected = t.rejected;
    d.reason = std::move(t.rejected_reason);
    d.sluice_positions = std::move(t.sluice_positions);
  }
  return d;
}

void OtlpSignalReceiver::count(OtlpSignal s, uint64_t accepted, uint64_t rejected) const {
  (s == OtlpSignal::kMetrics ? points_accepted_ : spans_accepted_)->inc(accepted);
  (s == OtlpSignal::kMetrics ? points_rejected_ : spans_rejected_)->inc(rejected);
}

HttpResponse OtlpSignalReceiver::handle_http(const HttpRequest& request, OtlpSignal s, const ReadBody& read_body,
                                             const HttpDeliver& deliver) const {
  const std::string content_type = request.header("content-type");
  auto encoding = otlp_encoding_from_content_type(content_type);
  const OtlpEncoding e = encoding.value_or(OtlpEncoding::kJson);
  if (request.method != "POST") {
    return status_response(405, e, kRpcUnimplemented,
                           "method " + request.method + " not allowed on " + path_of(s) + "; use POST");
  }
  if (!encoding) {
    return status_response(
        415, e, kRpcInvalidArgument,
        "Content-Type \"" + content_type + "\" is not supported; use application/x-protobuf or application/json");
  }
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
  auto decoded = decode(s, *body, e, !request.header("x-sluice-agent").empty());
  if (!decoded.ok()) {
    spdlog::debug("sources.{}: refused an OTLP/HTTP {} request: {}", name_, path_of(s), decoded.status().message());
    if (decoded.status().code() == StatusCode::kResourceExhausted) {
      return status_response(413, e, kRpcResourceExhausted, decoded.status().message());
    }
    return status_response(400, e, kRpcInvalidArgument, decoded.status().message());
  }
  const bool positions = !decoded->sluice_positions.empty() || !request.header("x-sluice-positions").empty();
  bool duplicate = false;
  Status st = decoded->batch.size() > 0 || positions
                  ? deliver(std::move(decoded->batch), decoded->sluice_positions, &duplicate)
                  : Status::Ok();
  if (!st.ok()) {
    if (st.code() == StatusCode::kInvalidArgument) return status_response(400, e, kRpcInvalidArgument, st.message());
    if (st.code() == StatusCode::kResourceExhausted) {
      return status_response(413, e, kRpcResourceExhausted, st.message());
    }
    if (st.code() == StatusCode::kUnavailable) return status_response(503, e, kRpcUnavailable, st.message());
    return status_response(500, e, kRpcInternal, st.message());
  }
  if (duplicate) return HttpResponse{200, otlp_content_type(e), encode_export_signal_response(s, e, 0, "")};
  count(s, decoded->accepted, decoded->rejected);
  return HttpResponse{200, otlp_content_type(e),
                      encode_export_signal_response(s, e, decoded->rejected, decoded->reason)};
}

Status OtlpSignalReceiver::grpc_export(OtlpSignal s, std::string_view request, std::string* response,
                                       const Deliver& deliver) const {
  auto decoded = decode(s, request, OtlpEncoding::kProtobuf, /*sluice_agent=*/false);
  if (!decoded.ok()) {
    spdlog::debug("sources.{}: refused an OTLP/gRPC {} request: {}", name_, path_of(s), decoded.status().message());
    return decoded.status();
  }
  if (decoded->batch.size() > 0) SLUICE_RETURN_IF_ERROR(deliver(std::move(decoded->batch)));
  count(s, decoded->accepted, decoded->rejected);
  *response = encode_export_signal_response(s, OtlpEncoding::kProtobuf, decoded->rejected, decoded->reason);
  return Status::Ok();
}

std::vector<OtlpGrpcMethod> otlp_signal_grpc_methods(const std::string& name, const OtlpSourceOptions& options,
                                                     SourceContext* ctx) {
  auto receiver = std::make_shared<const OtlpSignalReceiver>(name, options, "grpc");
  OtlpSignalReceiver::Deliver deliver = [ctx, timeout = options.ack_timeout](LogBatch&& batch) {
    return sluice::deliver(*ctx, std::move(batch), timeout);
  };
  auto method = [&](const char* path, OtlpSignal s) {
    return OtlpGrpcMethod{path, [receiver, deliver, s](std::string_view request, std::string* response) {
                            return receiver->grpc_export(s, request, response, deliver);
                          }};
  };
  return {method(kOtlpMetricsExportMethod, OtlpSignal::kMetrics), method(kOtlpTraceExportMethod, OtlpSignal::kTraces)};
}

}  // namespace sluice
