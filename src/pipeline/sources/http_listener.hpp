// HttpListenerSource: the shared part of every source that is an HTTP
// server (otlp's HTTP side, loki, elasticsearch, prometheus_remote_write):
// the listener and its limits, request-body decompression with a cap, and
// delivery that waits until the data is durable before the answer.
//
// A subclass implements handle(); it calls read_body() to get the
// decompressed body (413 on a zip bomb, 415 on an unknown encoding) and
// deliver() to send a batch and learn whether it is durable.
//
// Thread-safety: handle() runs concurrently on connection threads; start()
// and stop() are called by the pipeline from one thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "config/options.hpp"
#include "net/http_server.hpp"
#include "pipeline/component.hpp"

namespace sluice {

/// Options every HTTP listener source has. A source's options struct
/// derives from it and calls add_http_listener_options() on its table.
struct HttpListenerOptions {
  std::string listen;
  uint64_t max_body_bytes = 16ULL << 20;
  uint64_t max_decompressed_bytes = 64ULL << 20;
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(60);
  int64_t max_connections = 256;
  std::chrono::nanoseconds ack_timeout = std::chrono::seconds(30);
};

/// Declares listen (default `default_listen`, the protocol's conventional
/// address), max_body_bytes, max_decompressed_bytes, idle_timeout,
/// max_connections and ack_timeout on `t`.
template <class T>
void add_http_listener_options(OptionTable<T>& t, const std::string& default_listen) {
  using B = HttpListenerOptions;
  t.add_string("listen", static_cast<std::string T::*>(&B::listen), default_listen, "host:port to listen on.")
      .add_size("max_body_bytes", static_cast<uint64_t T::*>(&B::max_body_bytes), "16MiB", "1KiB", "1GiB",
                "A request body larger than this (as sent, before decompression) gets 413 without being read.")
      .add_size("max_decompressed_bytes", static_cast<uint64_t T::*>(&B::max_decompressed_bytes), "64MiB", "1KiB",
                "4GiB", "A compressed body that inflates past this gets 413; decompression stops there.")
      .add_duration("idle_timeout", static_cast<std::chrono::nanoseconds T::*>(&B::idle_timeout), "60s", "100ms", "1h",
                    "A connection that makes no progress for this long is closed.")
      .add_integer("max_connections", static_cast<int64_t T::*>(&B::max_connections), 256, 1, 100000,
                   "Connections past this number are closed at once.")
      .add_duration("ack_timeout", static_cast<std::chrono::nanoseconds T::*>(&B::ack_timeout), "30s", "100ms", "10m",
                    "How long a request waits for its records to become durable before it is answered 503 "
                    "(the client retries; the records may then be stored twice).");
}

class HttpListenerSource : public Source {
 public:
  /// `name` is the component name (the `listener` metrics label).
  HttpListenerSource(std::string name, HttpListenerOptions options);
  ~HttpListenerSource() override;
  Status start(SourceContext* ctx) final;
  void stop() final;
  /// The bound port (after start; useful with port 0).
  uint16_t port() const;

 protected:
  /// Answers one request. Runs concurrently on connection threads.
  virtual HttpResponse handle(const HttpRequest& request) = 0;

  /// The request body decompressed per Content-Encoding (gzip, deflate,
  /// zstd, snappy; `default_encoding` when the header is absent). Errors:
  /// InvalidArgument (unknown encoding or corrupt data), ResourceExhausted
  /// (inflates past max_decompressed_bytes).
  Result<std::string> read_body(const HttpRequest& request, const std::string& default_encoding = "") const;
  /// Sends `batch` down the pipeline and waits until it is durable
  /// (see delivery.hpp). An empty batch is Ok at once.
  Status deliver(LogBatch&& batch);

  const std::string& name() const { return name_; }
  const HttpListenerOptions& listener_options() const { return options_; }

 private:
  std::string name_;
  HttpListenerOptions options_;
  SourceContext* ctx_ = nullptr;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace sluice
