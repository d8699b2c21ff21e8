#include "net/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sluice {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

Result<HttpClientResponse> http_send(const HttpClientRequest& request) {
  const std::string& url = request.url;
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return Status::InvalidArgument("URL \"" + url + "\" must start with http://");
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = hostport.rfind(':');
  std::string host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
  std::string port = colon == std::string::npos ? "80" : hostport.substr(colon + 1);
  if (host.empty()) return Status::InvalidArgument("URL \"" + url + "\" has no host");
  boost::asio::io_context io;
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, port, ec);
  if (ec) return Status::Unavailable("resolving " + hostport + ": " + ec.message());
  beast::tcp_stream stream(io);
  stream.expires_after(request.timeout);
  stream.connect(results, ec);
  if (ec) return Status::Unavailable("connecting to " + hostport + ": " + ec.message());
  http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) return Status::InvalidArgument("unknown HTTP method \"" + request.method + "\"");
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, hostport);
  req.set(http::field::user_agent, "sluice");
  for (const auto& [k, v] : request.headers) req.set(k, v);
  req.body() = request.body;
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec) return Status::Unavailable("sending to " + hostport + ": " + ec.message());
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(request.max_response_bytes);
  http::read(stream, buf, parser, ec);
  if (ec) return Status::Unavailable("reading the answer from " + hostport + ": " + ec.message());
  auto& res = parser.get();
  HttpClientResponse out;
  out.status = static_cast<int>(res.result_int());
  out.content_type = std::string(res[http::field::content_type]);
  out.body = std::move(res.body());
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return out;
}

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
