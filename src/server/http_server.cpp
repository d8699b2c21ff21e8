#include "server/http_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <mutex>
#include <thread>

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
  asio::io_context io;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread accept_thread;
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> active{0};
  std::mutex mu;
  std::list<std::pair<std::shared_ptr<tcp::socket>, std::thread>> conns;
  Counter* requests = nullptr;
  Counter* rejected = nullptr;
  uint16_t port = 0;

  void accept_loop();
  void serve(std::shared_ptr<tcp::socket> sock);
  void reap();
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->requests = &MetricsRegistry::global().counter("sluice_http_requests_total", "HTTP requests served.");
  impl_->rejected = &MetricsRegistry::global().counter(
      "sluice_http_connections_rejected_total", "Connections closed because max_connections was reached.");
}

HttpServer::~HttpServer() { stop(); }

uint16_t HttpServer::port() const { return impl_->port; }

Status HttpServer::start() {
  const std::string& listen = impl_->options.listen;
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("listen \"" + listen + "\": expected host:port");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    return Status::InvalidArgument("listen \"" + listen + "\": port is not a number");
  }
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) return Status::InvalidArgument("listen \"" + listen + "\": " + ec.message());
  tcp::endpoint ep(addr, static_cast<uint16_t>(port));
  auto acc = std::make_unique<tcp::acceptor>(impl_->io);
  acc->open(ep.protocol(), ec);
  if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("listening on " + listen + ": " + ec.message());
  impl_->port = acc->local_endpoint().port();
  impl_->acceptor = std::move(acc);
  impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
  return Status::Ok();
}

void HttpServer::stop() {
  if (!impl_ || !impl_->acceptor || impl_->stopping.exchange(true)) return;
  boost::system::error_code ec;
  impl_->acceptor->cancel(ec);
  impl_->acceptor->close(ec);
  // Wake a blocked accept() by connecting to ourselves.
  {
    asio::io_context io2;
    tcp::socket s(io2);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port), ec);
  }
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  std::list<std::pair<std::shared_ptr<tcp::socket>, std::thread>> conns;
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    for (auto& [s, t] : impl_->conns) s->shutdown(tcp::socket::shutdown_both, ec);
    conns.swap(impl_->conns);
  }
  for (auto& [s, t] : conns) {
    if (t.joinable()) t.join();
  }
}

void HttpServer::Impl::accept_loop() {
  while (!stopping) {
    auto sock = std::make_shared<tcp::socket>(io);
    boost::system::error_code ec;
    acceptor->accept(*sock, ec);
    if (stopping) break;
    if (ec) continue;
    reap();
    if (active.load() >= options.max_connections) {
      rejected->inc();
      sock->close(ec);
      continue;
    }
    active++;
    std::lock_guard<std::mutex> l(mu);
    conns.emplace_back(sock, std::thread([this, sock] {
      serve(sock);
      active--;
    }));
  }
}

// Joins connection threads that have finished.
void HttpServer::Impl::reap() {
  std::lock_guard<std::mutex> l(mu);
  for (auto it = conns.begin(); it != conns.end();) {
    if (!it->first->is_open()) {
      if (it->second.joinable()) it->second.join();
      it = conns.erase(it);
    } else {
      ++it;
    }
  }
}

namespace {
http::response<http::string_body> to_beast(const HttpResponse& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "sluice");
  res.set(http::field::content_type, r.content_type);
  res.keep_alive(keep_alive);
  res.body() = r.body;
  res.prepare_payload();
  return res;
}
}  // namespace

void HttpServer::Impl::serve(std::shared_ptr<tcp::socket> sock) {
  // Idle time-out for the blocking reads and writes of this connection.
  struct timeval tv {};
  tv.tv_sec = static_cast<time_t>(std::chrono::duration_cast<std::chrono::seconds>(options.idle_timeout).count());
  tv.tv_usec = 0;
  if (tv.tv_sec == 0) tv.tv_usec = 100000;
  ::setsockopt(sock->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(sock->native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  while (!stopping) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(64 * 1024);
    http::read(*sock, buffer, parser, ec);
    if (ec == http::error::body_limit) {
      HttpResponse r{413, "application/json",
                     "{\"error\":{\"code\":\"resource_exhausted\",\"message\":\"request body is larger than the "
                     "limit of " + std::to_string(options.max_body_bytes) + " bytes\"}}\n"};
      auto res = to_beast(r, 11, false);
      http::write(*sock, res, ec);
      break;
    }
    if (ec) {
      if (ec != http::error::end_of_stream && ec != asio::error::eof && ec != asio::error::connection_reset &&
          ec != asio::error::would_block && ec != asio::error::try_again) {
        HttpResponse r{400, "application/json",
                       "{\"error\":{\"code\":\"invalid_argument\",\"message\":\"malformed HTTP request: " +
                           ec.message() + "\"}}\n"};
        auto res = to_beast(r, 11, false);
        http::write(*sock, res, ec);
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
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
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
    http::write(*sock, res, ec);
    if (ec || !keep) break;
  }
  sock->shutdown(tcp::socket::shutdown_both, ec);
  sock->close(ec);
}

}  // namespace sluice
