// HttpServer: an HTTP/1.1 listener on Boost.Asio/Beast.
//
// Built on TcpServer: each connection is served by its own thread with
// synchronous Beast reads and writes (keep-alive supported), so handlers may
// block (an ingest waits for the WAL fsync, a query for DuckDB). Limits: a
// request body over `max_body_bytes` gets 413 without being read; the idle
// time-out and connection limit are TcpServer's. Requests are counted in
// sluice_http_requests_total{listener}.
//
// Pipelining (RFC 9112 section 9.3.2): a handler may defer its answer
// (HttpResponse::finish); the connection then gets a second thread that
// runs the `finish`es and sends the answers in request order, one at a
// time, while the first reads and handles the next requests (at most three
// decoded ones per connection: one being finished, one queued, one
// waiting). Once a connection has had a deferred
// answer, an answer that is not 2xx closes it and the requests read after
// it are dropped unanswered, as are those not started when the client
// goes away. The idle time-out does not run while a deferred answer is
// being finished.
//
// Thread-safety: start()/stop() from one thread; the handler is called
// concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.hpp"
#include "net/http_types.hpp"
#include "net/tcp_server.hpp"

namespace sluice {

struct HttpServerOptions {
  std::string name = "api";               ///< the `listener` metrics label
  std::string listen = "127.0.0.1:7070";  ///< "host:port"; port 0 picks a free one
  uint64_t max_body_bytes = 64ULL << 20;
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(60);
  int64_t max_connections = 256;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  /// Binds and starts accepting. IOError when the address is taken.
  Status start();
  /// Stops accepting, closes connections, joins threads. Idempotent.
  void stop();
  /// The bound port (useful with port 0).
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
