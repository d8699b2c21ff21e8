// OtlpHttpReceiver: the OTLP/HTTP half of the `otlp` source (OTLP
// specification, "OTLP/HTTP").
//
//   POST /v1/logs  Content-Type application/x-protobuf or application/json,
//                  Content-Encoding gzip, zstd (also deflate, snappy) or none.
//   200  every accepted record is durable; body: ExportLogsServiceResponse
//        in the request's encoding, with partial_success (rejected count and
//        the first reason) when some records were rejected
//   400  undecodable body, or a sink refused the records for good
//   404  other paths
//   POST /v1/metrics and /v1/traces are answered the same way by
//   OtlpSignalReceiver (otlp_metrics_traces_export.hpp)
//   405  another method on /v1/logs
//   413  body over max_body_bytes, inflating past max_decompressed_bytes, or
//        over max_records_per_request / max_values_per_request
//   415  another Content-Type or Content-Encoding
//   503  not durable within ack_timeout, or the pipeline is stopping (the
//        client retries)
// Error bodies are google.rpc.Status in the request's encoding (JSON when
// the Content-Type is not an OTLP one).
//
// Requests from `sluice` sinks (sluice_protocol.hpp) to /v1/logs, /v1/metrics
// and /v1/traces may add X-Sluice-Stream (store in that stream instead of
// the `stream`, `metrics_stream` or `traces_stream` option) and
// X-Sluice-Agent with positions: those are stored exactly once, with one
// ledger for the three paths (sluice_ledger.hpp); with X-Sluice-Agent,
// metrics marked by the agent are stored verbatim (otlp_metrics_decode.hpp).
//   GET /v1/sluice/positions?agent=A&source=S  answers the committed ones
//   (200 JSON; 400 without a valid agent or source; 503 while the agent's
//   previous batch is still being stored).
//
// Thread-safety: handle() runs concurrently on connection threads; open()
// or start() once before; the ledger is thread-safe.
#pragma once

#include <optional>
#include <string>

#include "common/metrics.hpp"
#include "pipeline/sources/http_listener.hpp"
#include "pipeline/sources/otlp/otlp_metrics_traces_export.hpp"
#include "pipeline/sources/otlp/otlp_options.hpp"
#include "pipeline/sources/otlp/otlp_response.hpp"
#include "pipeline/sources/otlp/sluice_ledger.hpp"

namespace sluice {

class OtlpHttpReceiver : public HttpListenerSource {
 public:
  OtlpHttpReceiver(std::string name, const OtlpSourceOptions& options);
  ~OtlpHttpReceiver() override;

  /// Loads the committed agent positions from `ctx->committed`, then
  /// start()s the listener. The otlp source starts its receiver this way;
  /// plain start() leaves the ledger empty (tests of plain OTLP).
  Status open(SourceContext* ctx);

  /// Answers one request (public so tests can call it without a socket; an
  /// export still needs start() first, for delivery).
  HttpResponse handle(const HttpRequest& request) override;

 private:
  /// The X-Sluice-* headers of a request (sluice_protocol.hpp).
  struct SluiceHeaders {
    std::string agent;      ///< "" when absent
    std::string stream;     ///< "" when absent
    std::string positions;  ///< positions JSON; "" when absent
  };

  /// POST /v1/logs: decodes the request, then stores it (store_logs) at
  /// once, or for a request from a sluice agent (X-Sluice-Agent) in the
  /// answer's `finish`, after the connection's earlier requests.
  HttpResponse export_logs(const HttpRequest& request);
  /// Delivers a decoded /v1/logs batch (deliver_sluice) and makes the
  /// answer: `accepted` and `rejected` records are counted, the partial
  /// success names `rejected_reason`.
  HttpResponse store_logs(LogBatch&& batch, OtlpEncoding e, const SluiceHeaders& h, const std::string& body_positions,
                          uint64_t accepted, uint64_t rejected, const std::string& rejected_reason);
  /// Reads the X-Sluice-* headers into `*out` (before the body is read);
  /// the 400 answer when the stream or agent is not valid.
  std::optional<HttpResponse> sluice_headers(const HttpRequest& request, OtlpEncoding e, SluiceHeaders* out) const;
  /// Delivers `batch` (its stream already chosen) per the agent protocol:
  /// with the positions of the header or else `body_positions` (the body's
  /// kSluicePositionsField), exactly once; without positions as deliver()
  /// does. Errors: InvalidArgument for positions both in the header and the
  /// body, positions without an agent, or malformed positions;
  /// ResourceExhausted past kMaxSluicePositions; else as
  /// deliver_exactly_once().
  Status deliver_sluice(LogBatch&& batch, const SluiceHeaders& h, const std::string& body_positions, bool* duplicate);
  /// GET /v1/sluice/positions.
  HttpResponse sluice_positions(const HttpRequest& request);
  /// Delivers `batch`, which advances agent `agent`'s `positions` (server
  /// keys), unless they are all committed already (then `*duplicate`, Ok).
  /// Errors as deliver(), plus Unavailable when the agent's previous batch
  /// is still being stored after ack_timeout.
  Status deliver_exactly_once(LogBatch&& batch, const std::string& agent, std::vector<SluicePosition> positions,
                              bool* duplicate);

  std::string stream_;
  OtlpLimits limits_;
  SourceContext* ctx_ = nullptr;  ///< set by open(); positions-only batches need it
  SluiceLedger ledger_;
  OtlpSignalReceiver signals_;  ///< /v1/metrics and /v1/traces
  Counter* accepted_;
  Counter* rejected_;
  Counter* duplicates_;
};

/// Nanoseconds since the Unix epoch, now (the observed time of records that
/// carry none).
int64_t otlp_now_ns();

}  // namespace sluice
