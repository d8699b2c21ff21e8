#include "pipeline/sources/otlp/otlp_http_receiver.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "common/compression.hpp"
#include "model/stream_name.hpp"
#include "pipeline/sources/delivery.hpp"
#include "pipeline/sources/otlp/otlp_logs_decode.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

// google.rpc.Code values used in Status bodies (google/rpc/code.proto).
constexpr int kRpcInvalidArgument = 3;
constexpr int kRpcNotFound = 5;
constexpr int kRpcResourceExhausted = 8;
constexpr int kRpcUnimplemented = 12;
constexpr int kRpcInternal = 13;
constexpr int kRpcUnavailable = 14;

/// Most positions one sluice request may carry (a batch has one per file it
/// read from, or one for a disk buffer).
constexpr size_t kMaxSluicePositions = 100000;

HttpResponse status_response(int http_status, OtlpEncoding e, int rpc_code, const std::string& message) {
  return HttpResponse{http_status, otlp_content_type(e), encode_rpc_status(e, rpc_code, message)};
}

}  // namespace

int64_t otlp_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

OtlpHttpReceiver::OtlpHttpReceiver(std::string name, const OtlpSourceOptions& options)
    : HttpListenerSource(name, options),
      stream_(options.stream),
      limits_(options.limits()),
      signals_(name, options, "http") {
  auto& m = MetricsRegistry::global();
  const char* help = "OTLP log records received, by transport and result (accepted or rejected as invalid).";
  accepted_ = &m.counter("sluice_otlp_log_records_total", help,
                         {{"source", name}, {"transport", "http"}, {"result", "accepted"}});
  rejected_ = &m.counter("sluice_otlp_log_records_total", help,
                         {{"source", name}, {"transport", "http"}, {"result", "rejected"}});
  duplicates_ = &m.counter("sluice_otlp_duplicate_requests_total",
                           "Requests from sluice agents whose positions were already committed: answered success "
                           "without storing their records again.",
                           {{"source", name}});
}

OtlpHttpReceiver::~OtlpHttpReceiver() { stop(); }

Status OtlpHttpReceiver::open(SourceContext* ctx) {
  ctx_ = ctx;
  ledger_.load(ctx->committed);
  return start(ctx);
}

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
  if (request.path == kSluicePositionsPath) return sluice_positions(request);
  if (request.path == "/v1/metrics" || request.path == "/v1/traces") {
    // Metrics and traces: otlp_metrics_traces_export.hpp, with the sluice
    // agent protocol as for logs.
    SluiceHeaders h;
    if (request.method == "POST") {
      if (auto bad = sluice_headers(request, e, &h)) return *bad;
    }
    return signals_.handle_http(
        request, request.path == "/v1/metrics" ? OtlpSignal::kMetrics : OtlpSignal::kTraces,
        [this](const HttpRequest& r) { return read_body(r); },
        [this, &h](LogBatch&& batch, const std::string& body_positions, bool* duplicate) {
          if (!h.stream.empty()) batch.stream = h.stream;
          Status st = deliver_sluice(std::move(batch), h, body_positions, duplicate);
          if (st.ok() && *duplicate) duplicates_->inc();
          return st;
        });
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
  // The sluice agent headers (sluice_protocol.hpp), checked before the body
  // is read.
  SluiceHeaders h;
  if (auto bad = sluice_headers(request, e, &h)) return *bad;
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
  auto batch = std::make_shared<LogBatch>();
  batch->stream = h.stream.empty() ? stream_ : h.stream;
  batch->records = std::move(decoded->records);
  auto store = [this, e, h, batch, accepted = batch->records.size(), rejected = decoded->rejected,
                rejected_reason = std::move(decoded->rejected_reason),
                body_positions = std::move(decoded->sluice_positions)] {
    return store_logs(std::move(*batch), e, h, body_positions, accepted, rejected, rejected_reason);
  };
  // A sluice agent pipelines its requests on one connection: the next one
  // is decoded while this one is stored, and they are stored in the order
  // sent (HttpResponse::finish), which exactly-once needs.
  if (!h.agent.empty()) {
    HttpResponse deferred;
    deferred.finish = [store = std::move(store)] {
      HttpResponse r = store();
      r.headers.emplace_back(kSluicePipeliningHeader, kSluicePipeliningOrdered);
      return r;
    };
    return deferred;
  }
  return store();
}

HttpResponse OtlpHttpReceiver::store_logs(LogBatch&& batch, OtlpEncoding e, const SluiceHeaders& h,
                                          const std::string& body_positions, uint64_t accepted, uint64_t rejected,
                                          const std::string& rejected_reason) {
  bool duplicate = false;
  Status st = deliver_sluice(std::move(batch), h, body_positions, &duplicate);
  if (!st.ok()) {
    if (st.code() == StatusCode::kInvalidArgument) return status_response(400, e, kRpcInvalidArgument, st.message());
    if (st.code() == StatusCode::kResourceExhausted) {
      return status_response(413, e, kRpcResourceExhausted, st.message());
    }
    if (st.code() == StatusCode::kUnavailable) return status_response(503, e, kRpcUnavailable, st.message());
    return status_response(500, e, kRpcInternal, st.message());
  }
  if (duplicate) {
    duplicates_->inc();
    return HttpResponse{200, otlp_content_type(e), encode_export_logs_response(e, 0, "")};
  }
  accepted_->inc(accepted);
  rejected_->inc(rejected);
  return HttpResponse{200, otlp_content_type(e), encode_export_logs_response(e, rejected, rejected_reason)};
}

std::optional<HttpResponse> OtlpHttpReceiver::sluice_headers(const HttpRequest& request, OtlpEncoding e,
                                                             SluiceHeaders* out) const {
  out->agent = request.header("x-sluice-agent");
  out->stream = request.header("x-sluice-stream");
  out->positions = request.header("x-sluice-positions");
  if (!out->stream.empty() && !valid_stream_name(out->stream)) {
    return status_response(400, e, kRpcInvalidArgument,
                           std::string(kSluiceStreamHeader) + ": \"" + out->stream.substr(0, 80) +
                               "\" is not a stream name ([a-z0-9_.-]{1,64})");
  }
  if (!out->agent.empty() && !valid_sluice_agent(out->agent)) {
    return status_response(400, e, kRpcInvalidArgument,
                           std::string(kSluiceAgentHeader) + ": \"" + out->agent.substr(0, 80) +
                               "\" is not an agent id ([A-Za-z0-9._:@-]{1,255})");
  }
  return std::nullopt;
}

Status OtlpHttpReceiver::deliver_sluice(LogBatch&& batch, const SluiceHeaders& h, const std::string& body_positions,
                                        bool* duplicate) {
  *duplicate = false;
  if (!h.positions.empty() && !body_positions.empty()) {
    return Status::InvalidArgument("positions are both in the X-Sluice-Positions header and in the body; send one");
  }
  const std::string& positions_json = h.positions.empty() ? body_positions : h.positions;
  if (positions_json.empty()) return deliver(std::move(batch));
  if (h.agent.empty()) return Status::InvalidArgument("positions without an X-Sluice-Agent header");
  SLUICE_ASSIGN_OR_RETURN(std::vector<SluicePosition> positions,
                          parse_sluice_positions(positions_json, kMaxSluicePositions));
  std::vector<SluicePosition> server_keyed = sluice_server_keys(h.agent, positions);
  batch.positions = sluice_source_positions(name(), h.agent, server_keyed);
  return deliver_exactly_once(std::move(batch), h.agent, std::move(server_keyed), duplicate);
}

Status OtlpHttpReceiver::deliver_exactly_once(LogBatch&& batch, const std::string& agent,
                                              std::vector<SluicePosition> positions, bool* duplicate) {
  if (ctx_ == nullptr) {
    return Status::Internal("the otlp receiver was started without open(); it cannot take positions");
  }
  const auto timeout = listener_options().ack_timeout;
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<SluiceLedger::Turn> turn, ledger_.take_turn(agent, timeout));
  if (ledger_.all_committed(positions)) {
    *duplicate = true;
    return Status::Ok();
  }
  // The turn goes with the batch: it is released, and the positions are
  // committed if the batch was stored, when its delivery ends, which may be
  // after this request was answered 503 (time-out).
  batch.acks.push_back(
      std::make_shared<Acknowledgement>([ledger = ledger_, turn = std::move(turn), positions = std::move(positions)](
                                            DeliveryStatus s, const std::string&) mutable {
        if (s == DeliveryStatus::kDelivered) ledger.commit(positions);
        turn.reset();
      }));
  return sluice::deliver(*ctx_, std::move(batch), timeout);
}

HttpResponse OtlpHttpReceiver::sluice_positions(const HttpRequest& request) {
  constexpr OtlpEncoding e = OtlpEncoding::kJson;
  if (request.method != "GET") {
    return status_response(405, e, kRpcUnimplemented,
                           "method " + request.method + " not allowed on " + kSluicePositionsPath + "; use GET");
  }
  auto param = [&](const char* name) {
    auto it = request.params.find(name);
    return it == request.params.end() ? std::string() : it->second;
  };
  const std::string agent = param("agent");
  const std::string source = param("source");
  if (!valid_sluice_agent(agent)) {
    return status_response(400, e, kRpcInvalidArgument,
                           "agent=\"" + agent.substr(0, 80) + "\" is not an agent id ([A-Za-z0-9._:@-]{1,255})");
  }
  if (source.empty() || source.find('/') != std::string::npos) {
    return status_response(400, e, kRpcInvalidArgument,
                           "source=\"" + source.substr(0, 80) + "\" must be a source name without '/'");
  }
  // Wait for the agent's batch in flight, if any, so that its positions are
  // in the answer.
  auto turn = ledger_.take_turn(agent, listener_options().ack_timeout);
  if (!turn.ok()) return status_response(503, e, kRpcUnavailable, turn.status().message());
  return HttpResponse{200, "application/json", sluice_committed_json(ledger_.committed_for(agent, source))};
}

}  // namespace sluice
