// A blocking HTTP/1.1 client (Boost.Beast) for `sluice query` and the
// network sinks: http_send() makes one request per connection,
// HttpConnection keeps one open for many; no TLS (http:// only).
//
// Thread-safety: http_send() and http_post() are callable from any thread;
// an HttpConnection is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.hpp"

namespace sluice {

struct HttpClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-case names

  /// The value of header `name` (any case), or "".
  std::string header(std::string_view name) const;
};

struct HttpClientRequest {
  std::string method = "POST";
  std::string url;  ///< "http://host:port/path?query"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Connect + send + receive (the host name's resolution is bounded by
  /// the system resolver, not by this).
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);
  uint64_t max_response_bytes = 64ULL << 20;
};

/// Sends `request`. InvalidArgument for a URL that is not http://host[:port]/...;
/// Unavailable when the server cannot be reached, the connection breaks, or
/// the time-out passes; a non-2xx answer is returned, not an error.
Result<HttpClientResponse> http_send(const HttpClientRequest& request);

/// A persistent HTTP/1.1 connection to one server (keep-alive), for a sink
/// that sends one request after another: no connection set-up per request,
/// and requests may be pipelined (RFC 9112 section 9.3.2): send() several,
/// then receive() their answers in the order sent. The connection opens at
/// the first send() and again at the first send() after it broke or was
/// closed; a send() or receive() that fails closes it, and the answers still
/// owed are then never received (a pipelining client sends those requests
/// again). Each request's `url` must name the server the connection was
/// made for.
///
/// Thread-safety: none; one thread uses a connection at a time.
class HttpConnection {
 public:
  /// `base_url` is "http://host[:port]" (a path is ignored).
  explicit HttpConnection(std::string base_url);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  /// Writes `request`, opening the connection first when it is closed;
  /// its `timeout` bounds the connect and the write. InvalidArgument for a
  /// URL of another server or a bad method; Unavailable when the server
  /// cannot be reached or the write fails (the connection is closed).
  Status send(const HttpClientRequest& request);
  /// Reads the answer to the oldest request sent and not yet answered,
  /// within `timeout`, with a body of at most `max_response_bytes`;
  /// interim answers (1xx but 101) before it are skipped.
  /// Unavailable when none is owed, or the read fails or times out (the
  /// connection is closed; the answers still owed are lost). A non-2xx
  /// answer is returned, not an error. An answer with "Connection: close"
  /// closes the connection after it is read.
  Result<HttpClientResponse> receive(std::chrono::nanoseconds timeout, uint64_t max_response_bytes);
  /// send() then receive(), both by one deadline `request.timeout` away
  /// (connect, send and answer together), for a client with no other
  /// request in flight (asserted). A request sent on a connection kept from
  /// an earlier one is sent once more on a new connection, by the same
  /// deadline, when its write failed or the server closed or reset the
  /// connection before a byte of any answer, and at least half the time-out
  /// is left: the server may have closed the idle connection just as it
  /// went out. A server that took the request and then broke the
  /// connection without a byte of answer gets it twice (at-least-once, as
  /// when the caller retries); one that began to answer never does. Errors
  /// as send()'s and receive()'s.
  Result<HttpClientResponse> round_trip(const HttpClientRequest& request);
  /// Requests sent whose answers were not received yet.
  size_t owed() const;
  /// True when the connection is open. A send() may still connect anew,
  /// when it finds that the server closed this one (generation() tells).
  bool open() const;
  /// Which connection is open: 1 for the first, raised at every connect;
  /// answers received on the same generation came from the same
  /// connection.
  uint64_t generation() const;
  /// Closes the connection; the answers still owed are lost.
  void close();

 private:
  struct Impl;
  /// send() with the connect and the write bounded by `deadline`.
  Status send_by(const HttpClientRequest& request, std::chrono::steady_clock::time_point deadline);
  /// receive(); `*unanswered` set when it failed because the server closed
  /// or reset the connection before a byte of any answer (interim ones
  /// included).
  Result<HttpClientResponse> receive_within(std::chrono::nanoseconds timeout, uint64_t max_response_bytes,
                                            bool* unanswered);

  std::unique_ptr<Impl> impl_;
};

/// POSTs `body` with `content_type` to `url` (no time-out beyond the
/// default, for the CLI).
Result<HttpClientResponse> http_post(const std::string& url, const std::string& content_type, const std::string& body);

}  // namespace sluice
