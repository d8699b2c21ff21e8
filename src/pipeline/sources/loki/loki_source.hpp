// The `loki` source: a Loki push API endpoint, so that Promtail, Grafana
// Alloy, Fluent Bit's loki output, Vector's loki sink and other Loki clients
// can ship to sluice unchanged (docs/protocols/loki.md).
//
// Endpoints (Loki HTTP API reference, "Ingest logs" and status endpoints):
//   POST /loki/api/v1/push            protobuf (Snappy) or JSON push; 204 when
//                                     every entry is durable
//   GET  /ready                       200 "ready"
//   GET  /loki/api/v1/status/buildinfo  a small version document
// Each push becomes one batch for `stream`; see push_decoder.hpp for the
// mapping of entries to records. The X-Scope-OrgID header (Loki's tenant)
// goes into resource[`tenant_attribute`].
//
// Status codes: 204 stored; 400 (text/plain reason naming the stream and
// entry) for a body that does not decode; 405 for another method on the push
// path; 413 for a body larger than max_body_bytes, one that inflates past
// max_decompressed_bytes, or one whose records would take more than
// kRecordBytesPerBodyByte times max_decompressed_bytes of memory; 415 for an
// unknown Content-Encoding; 503 when the records were not durable in time
// (the client retries).
//
// Thread-safety: requests are handled concurrently on connection threads;
// the object is immutable after construction apart from the base's server.
#pragma once

#include <memory>
#include <string>

#include "config/options.hpp"
#include "pipeline/sources/http_listener.hpp"

namespace sluice {

/// Memory the decoded records of one request may take, per byte of
/// max_decompressed_bytes (a record costs several times its wire size: labels
/// are copied into every record, plus the LogRecord itself).
inline constexpr size_t kRecordBytesPerBodyByte = 8;

struct LokiSourceOptions : HttpListenerOptions {
  std::string stream = "loki";              ///< the stream every push goes to
  std::string tenant_attribute = "tenant";  ///< resource key for X-Scope-OrgID; "" = not recorded
};

/// The option table of the `loki` source. Built once; thread-safe.
const OptionTable<LokiSourceOptions>& loki_source_option_table();

/// Checks `stream` is a valid stream name ([a-z0-9_.-]{1,64}); InvalidArgument otherwise.
Status validate_loki_source_options(const LokiSourceOptions& options);

class LokiSource : public HttpListenerSource {
 public:
  LokiSource(std::string name, LokiSourceOptions options);
  ~LokiSource() override;

  /// Answers one request (public so tests can call it without a socket;
  /// a push still needs start() first, for delivery).
  HttpResponse handle(const HttpRequest& request) override;

 private:
  HttpResponse route(const HttpRequest& request);
  HttpResponse push(const HttpRequest& request);

  LokiSourceOptions options_;
};

/// Factory for the registry.
Result<std::unique_ptr<Source>> make_loki_source(const std::string& name, const LokiSourceOptions& options);

}  // namespace sluice
