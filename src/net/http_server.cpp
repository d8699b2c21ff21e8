#include "net/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/metrics.hpp"

namespace sluice {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string media_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  std::string out(t);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::map<std::string, std::string> parse_query_string(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view kv = q.substr(0, amp);
    size_t eq = kv.find('=');
    std::string k = url_decode(kv.substr(0, eq), true);
    std::string v = eq == std::string_view::npos ? "" : url_decode(kv.substr(eq + 1), true);
    if (!k.empty()) out[k] = v;
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  Counter* requests = nullptr;
  std::unique_ptr<TcpServer> tcp;

  void serve(TcpConnection& c);
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->requests = &MetricsRegistry::global().counter("sluice_http_requests_total", "HTTP requests served.",
                                                       {{"listener", impl_->options.name}});
  TcpServerOptions t;
  t.name = impl_->options.name;
  t.listen = impl_->options.listen;
  t.idle_timeout = impl_->options.idle_timeout;
  t.max_connections = impl_->options.max_connections;
  Impl* impl = impl_.get();
  impl_->tcp = std::make_unique<TcpServer>(std::move(t), [impl](TcpConnection& c) { impl->serve(c); });
}

HttpServer::~HttpServer() { stop(); }

uint16_t HttpServer::port() const { return impl_->tcp->port(); }

Status HttpServer::start() { return impl_->tcp->start(); }

void HttpServer::stop() { impl_->tcp->stop(); }

namespace {
http::response<http::string_body> to_beast(const HttpResponse& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "sluice");
  res.set(http::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.body() = r.body;
  res.prepare_payload();
  return res;
}
}  // namespace

void HttpServer::Impl::serve(TcpConnection& c) {
  tcp::socket& sock = c.socket();
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  auto write = [&](http::response<http::string_body>& res) {
    c.begin_io();
    http::write(sock, res, ec);
    c.end_io();
  };
  while (!c.stopping()) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(64 * 1024);
    c.begin_io();
    http::read(sock, buffer, parser, ec);
    c.end_io();
    if (ec == http::error::body_limit) {
      HttpResponse r{413, "application/json",
                     "{\"error\":{\"code\":\"resource_exhausted\",\"message\":\"request body is larger than the "
                     "limit of " +
                         std::to_string(options.max_body_bytes) + " bytes\"}}\n"};
      auto res = to_beast(r, 11, false);
      write(res);
      break;
    }
    if (ec) {
      if (ec != http::error::end_of_stream && ec != asio::error::eof && ec != asio::error::connection_reset &&
          ec != asio::error::shut_down && ec != asio::error::operation_aborted && ec != asio::error::bad_descriptor) {
        HttpResponse r{400, "application/json",
                       "{\"error\":{\"code\":\"invalid_argument\",\"message\":\"malformed HTTP request: " +
                           ec.message() + "\"}}\n"};
        auto res = to_beast(r, 11, false);
        write(res);
      }
      break;
    }
    auto& req = parser.get();
    HttpRequest hr;
    hr.method = std::string(req.method_string());
    std::string_view target(req.target().data(), req.target().size());
    size_t q = target.find('?');
    hr.path = url_decode(target.substr(0, q), false);
    if (q != std::string_view::npos) hr.params = parse_query_string(target.substr(q + 1));
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      hr.headers[name] = std::string(f.value());
    }
    hr.body = std::move(req.body());
    requests->inc();
    HttpResponse r;
    try {
      r = handler(hr);
    } catch (const std::exception& e) {  // a library threw inside a handler
      r = {500, "application/json", "{\"error\":{\"code\":\"internal\",\"message\":\"handler failed\"}}\n"};
      spdlog::error("http: handler for {} threw: {}", hr.path, e.what());
    }
    bool keep = req.keep_alive();
    auto res = to_beast(r, req.version(), keep);
    write(res);
    if (ec || !keep) break;
  }
}

}  // namespace sluice
