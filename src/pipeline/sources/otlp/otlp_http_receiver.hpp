// OtlpHttpReceiver: the OTLP/HTTP half of the `otlp` source (OTLP
// specification, "OTLP/HTTP").
//
//   POST /v1/logs  Content-Type application/x-protobuf or application/json,
//                  Content-Encoding gzip, zstd (also deflate, snappy) or none.
//   200  every accepted record is durable; body: ExportLogsServiceResponse
//        in the request's encoding, with partial_success (rejected count and
//        the first reason) when some records were rejected
//   400  undecodable body, or a sink refused the records for good
//   404  other paths; /v1/metrics and /v1/traces say that only logs are
//        stored by this build
//   405  another method on /v1/logs
//   413  body over max_body_bytes, inflating past max_decompressed_bytes, or
//        over max_records_per_request / max_values_per_request
//   415  another Content-Type or Content-Encoding
//   503  not durable within ack_timeout, or the pipeline is stopping (the
//        client retries)
// Error bodies are google.rpc.Status in the request's encoding (JSON when
// the Content-Type is not an OTLP one).
//
// Thread-safety: handle() runs concurrently on connection threads; the
// object is immutable after construction apart from the base's server.
#pragma once

#include <string>

#include "common/metrics.hpp"
#include "pipeline/sources/http_listener.hpp"
#include "pipeline/sources/otlp/otlp_options.hpp"

namespace sluice {

class OtlpHttpReceiver : public HttpListenerSource {
 public:
  OtlpHttpReceiver(std::string name, const OtlpSourceOptions& options);
  ~OtlpHttpReceiver() override;

  /// Answers one request (public so tests can call it without a socket; an
  /// export still needs start() first, for delivery).
  HttpResponse handle(const HttpRequest& request) override;

 private:
  HttpResponse export_logs(const HttpRequest& request);

  std::string stream_;
  OtlpLimits limits_;
  Counter* accepted_;
  Counter* rejected_;
};

/// Nanoseconds since the Unix epoch, now (the observed time of records that
/// carry none).
int64_t otlp_now_ns();

}  // namespace sluice
