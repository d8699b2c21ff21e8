#include "net/http_client.hpp"

#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <optional>

#include "common/assert.hpp"

namespace sluice {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

/// The parts of "http://host[:port][/target]".
struct HttpUrl {
  std::string hostport;  ///< as written, for the Host header and messages
  std::string host;
  std::string port;
  std::string target;  ///< "/" when the URL has no path
};

Result<HttpUrl> parse_http_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return Status::InvalidArgument("URL \"" + url + "\" must start with http://");
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  HttpUrl u;
  u.hostport = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = u.hostport.rfind(':');
  u.host = colon == std::string::npos ? u.hostport : u.hostport.substr(0, colon);
  u.port = colon == std::string::npos ? "80" : u.hostport.substr(colon + 1);
  if (u.host.empty()) return Status::InvalidArgument("URL \"" + url + "\" has no host");
  return u;
}

/// `request` as Beast writes it, for the server `u`.
Result<http::request<http::string_body>> to_beast(const HttpClientRequest& request, const HttpUrl& u) {
  http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) return Status::InvalidArgument("unknown HTTP method \"" + request.method + "\"");
  http::request<http::string_body> req{verb, u.target, 11};
  req.set(http::field::host, u.hostport);
  req.set(http::field::user_agent, "sluice");
  for (const auto& [k, v] : request.headers) req.set(k, v);
  req.body() = request.body;
  req.prepare_payload();
  return req;
}

std::string lower_case(std::string_view text) {
  std::string out(text);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

HttpClientResponse from_beast(http::response<http::string_body>& res) {
  HttpClientResponse out;
  out.status = static_cast<int>(res.result_int());
  out.content_type = std::string(res[http::field::content_type]);
  out.body = std::move(res.body());
  for (const auto& f : res) {
    out.headers[lower_case(std::string_view(f.name_string().data(), f.name_string().size()))] = std::string(f.value());
  }
  return out;
}

/// Runs one asynchronous operation, which `start` begins with the handler
/// it is given, on `io` until it ends, and returns its error:
/// beast::tcp_stream's expires_after() bounds only asynchronous operations
/// (its blocking calls wait for as long as the kernel does), so each
/// connect, write and read runs this way; beast::error::timeout when it
/// expired.
template <class Start>
boost::system::error_code run_one(boost::asio::io_context& io, Start start) {
  boost::system::error_code result = boost::asio::error::would_block;
  start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

/// Opens `stream` to `u`, connected by `deadline` (the name is resolved
/// first, within the system resolver's own limits).
boost::system::error_code open_stream(boost::asio::io_context& io, beast::tcp_stream& stream, const HttpUrl& u,
                                      std::chrono::steady_clock::time_point deadline) {
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(u.host, u.port, ec);
  if (ec) return ec;
  stream.expires_at(deadline);
  ec = run_one(io, [&](auto handler) { stream.async_connect(results, std::move(handler)); });
  if (!ec) stream.socket().set_option(tcp::no_delay(true), ec);
  return ec;
}

}  // namespace

std::string HttpClientResponse::header(std::string_view name) const {
  auto it = headers.find(lower_case(name));
  return it == headers.end() ? std::string() : it->second;
}

Result<HttpClientResponse> http_send(const HttpClientRequest& request) {
  SLUICE_ASSIGN_OR_RETURN(HttpUrl u, parse_http_url(request.url));
  HttpConnection conn("http://" + u.hostport);
  return conn.round_trip(request);
}

struct HttpConnection::Impl {
  std::string base_url;
  HttpUrl base;  ///< base_url's parts; host empty when it is not a valid URL
  boost::asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;  ///< bytes read past the last answer
  size_t owed = 0;
  uint64_t generation = 0;

  /// True when the idle connection has something to read: the server
  /// closed it (an idle time-out) or sent what no request asked for; a
  /// request sent on it would be lost.
  bool peer_closed() {
    pollfd p{stream->socket().native_handle(), POLLIN, 0};
    return buffer.size() > 0 || ::poll(&p, 1, 0) != 0;
  }

  void close() {
    if (stream) {
      boost::system::error_code ec;
      stream->socket().shutdown(tcp::socket::shutdown_both, ec);
      stream->close();
    }
    stream.reset();
    buffer.clear();
    owed = 0;
  }
};

HttpConnection::HttpConnection(std::string base_url) : impl_(std::make_unique<Impl>()) {
  impl_->base_url = std::move(base_url);
  if (auto u = parse_http_url(impl_->base_url); u.ok()) impl_->base = std::move(*u);
}

HttpConnection::~HttpConnection() { impl_->close(); }

Status HttpConnection::send(const HttpClientRequest& request) {
  return send_by(request, std::chrono::steady_clock::now() + request.timeout);
}

Status HttpConnection::send_by(const HttpClientRequest& request, std::chrono::steady_clock::time_point deadline) {
  SLUICE_ASSIGN_OR_RETURN(HttpUrl u, parse_http_url(request.url));
  const HttpUrl& base = impl_->base;
  if (base.host.empty()) return parse_http_url(impl_->base_url).status();
  if (u.host != base.host || u.port != base.port) {
    return Status::InvalidArgument("URL \"" + request.url + "\" is not on this connection's server " + base.hostport);
  }
  SLUICE_ASSIGN_OR_RETURN(auto req, to_beast(request, u));
  if (impl_->stream && impl_->owed == 0 && impl_->peer_closed()) impl_->close();
  if (!impl_->stream) {
    impl_->stream.emplace(impl_->io);
    ++impl_->generation;
    boost::system::error_code ec = open_stream(impl_->io, *impl_->stream, u, deadline);
    if (ec) {
      impl_->close();
      return Status::Unavailable("connecting to " + u.hostport + ": " + ec.message());
    }
  }
  impl_->stream->expires_at(deadline);
  auto ec = run_one(impl_->io, [&](auto handler) { http::async_write(*impl_->stream, req, std::move(handler)); });
  if (ec) {
    impl_->close();
    return Status::Unavailable("sending to " + u.hostport + ": " + ec.message());
  }
  ++impl_->owed;
  return Status::Ok();
}

Result<HttpClientResponse> HttpConnection::receive(std::chrono::nanoseconds timeout, uint64_t max_response_bytes) {
  bool unanswered = false;
  return receive_within(timeout, max_response_bytes, &unanswered);
}

Result<HttpClientResponse> HttpConnection::receive_within(std::chrono::nanoseconds timeout, uint64_t max_response_bytes,
                                                          bool* unanswered) {
  *unanswered = false;
  if (!impl_->stream || impl_->owed == 0) return Status::Unavailable("no answer is owed on this connection");
  impl_->stream->expires_after(timeout);
  bool interim = false;
  while (true) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_response_bytes);
    auto ec = run_one(
        impl_->io, [&](auto handler) { http::async_read(*impl_->stream, impl_->buffer, parser, std::move(handler)); });
    if (ec) {
      // Closed or reset before a byte of any answer: the server dropped
      // the request unread (or died with it).
      *unanswered = !interim && !parser.got_some() &&
                    (ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
                     ec == boost::asio::error::connection_reset || ec == boost::asio::error::broken_pipe);
      impl_->close();
      return Status::Unavailable("reading the answer from " + impl_->base.hostport + ": " + ec.message());
    }
    // Interim answers (100 Continue, 103 Early Hints) come before the final
    // one (RFC 9110 section 15.2); 101 would end HTTP on the connection.
    const unsigned status = parser.get().result_int();
    if (status >= 100 && status < 200 && status != 101) {
      interim = true;
      continue;
    }
    --impl_->owed;
    const bool keep = parser.keep_alive();
    HttpClientResponse out = from_beast(parser.get());
    if (!keep) impl_->close();
    return out;
  }
}

Result<HttpClientResponse> HttpConnection::round_trip(const HttpClientRequest& request) {
  SLUICE_ASSERT(impl_->owed == 0, "HttpConnection::round_trip() with answers owed");
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  auto left = [&] {
    return std::max<std::chrono::nanoseconds>(deadline - std::chrono::steady_clock::now(), std::chrono::nanoseconds(0));
  };
  // One attempt; `*unanswered` when it failed before any answer began (a
  // failed write or connect, or the connection closed before a byte came).
  auto attempt = [&](bool* unanswered) -> Result<HttpClientResponse> {
    Status sent = send_by(request, deadline);
    if (!sent.ok()) {
      *unanswered = sent.code() == StatusCode::kUnavailable;
      return sent;
    }
    return receive_within(left(), request.max_response_bytes, unanswered);
  };
  const bool kept = impl_->stream.has_value();
  const uint64_t generation = impl_->generation;
  bool unanswered = false;
  Result<HttpClientResponse> res = attempt(&unanswered);
  // On a connection kept from an earlier request, the server may have
  // closed it (idle) just as this one went out: then once more on a new
  // connection, by the same deadline, if it failed before any answer
  // began and at least half the time-out is left (a quick failure).
  const bool on_kept = kept && impl_->generation == generation;
  if (res.ok() || !on_kept || !unanswered || left() < request.timeout / 2) return res;
  return attempt(&unanswered);
}

size_t HttpConnection::owed() const { return impl_->owed; }

bool HttpConnection::open() const { return impl_->stream.has_value(); }

uint64_t HttpConnection::generation() const { return impl_->generation; }

void HttpConnection::close() { impl_->close(); }

Result<HttpClientResponse> http_post(const std::string& url, const std::string& content_type, const std::string& body) {
  HttpClientRequest r;
  r.url = url;
  r.headers = {{"Content-Type", content_type}};
  r.body = body;
  r.timeout = std::chrono::hours(24);  // the query's own time-out applies server-side
  r.max_response_bytes = 1ULL << 32;
  auto out = http_send(r);
  if (!out.ok() && out.status().code() == StatusCode::kUnavailable) {
    return Status::Unavailable(out.status().message() + " (is `sluice run` running?)");
  }
  return out;
}

}  // namespace sluice
