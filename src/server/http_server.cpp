#include "server/http_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
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
  /// One accepted connection. Its thread serves it; only the janitor closes
  /// the socket, after joining the thread, so the fd is never reused while
  /// another thread may call shutdown(2) on it.
  struct Conn {
    tcp::socket sock;
    std::thread thread;
    std::atomic<bool> done{false};
    std::atomic<int64_t> io_since{0};  ///< monotonic ns when the current read/write began; 0 = not in I/O
    explicit Conn(asio::io_context& io) : sock(io) {}
  };

  HttpServerOptions options;
  HttpHandler handler;
  asio::io_context io;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread accept_thread;
  std::thread janitor_thread;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable cv;
  std::list<std::unique_ptr<Conn>> conns;
  Counter* requests = nullptr;
  Counter* rejected = nullptr;
  Counter* timed_out = nullptr;
  uint16_t port = 0;

  void accept_loop();
  void janitor_loop();
  void serve(Conn* c);
};

namespace {
int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  auto& m = MetricsRegistry::global();
  impl_->requests = &m.counter("sluice_http_requests_total", "HTTP requests served.");
  impl_->rejected =
      &m.counter("sluice_http_connections_rejected_total", "Connections closed because max_connections was reached.");
  impl_->timed_out =
      &m.counter("sluice_http_connections_timed_out_total", "Connections closed after idle_timeout without progress.");
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
  } catch (const std::exception&) {  // std::stoi reports bad numbers by exception
    return Status::InvalidArgument("listen \"" + listen + "\": port is not a number");
  }
  if (port < 0 || port > 65535) return Status::InvalidArgument("listen \"" + listen + "\": port out of range");
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
  impl_->janitor_thread = std::thread([this] { impl_->janitor_loop(); });
  return Status::Ok();
}

void HttpServer::stop() {
  if (!impl_ || !impl_->acceptor || impl_->stopping.exchange(true)) return;
  // shutdown(2) wakes a thread blocked in accept(2) on Linux, whatever the
  // listening address; close() alone would not.
  ::shutdown(impl_->acceptor->native_handle(), SHUT_RDWR);
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  boost::system::error_code ec;
  impl_->acceptor->close(ec);
  impl_->cv.notify_all();
  if (impl_->janitor_thread.joinable()) impl_->janitor_thread.join();
  std::list<std::unique_ptr<Impl::Conn>> conns;
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    for (auto& c : impl_->conns) ::shutdown(c->sock.native_handle(), SHUT_RDWR);
    conns.swap(impl_->conns);
  }
  for (auto& c : conns) {
    if (c->thread.joinable()) c->thread.join();
    c->sock.close(ec);
  }
}

void HttpServer::Impl::accept_loop() {
  while (!stopping) {
    auto conn = std::make_unique<Conn>(io);
    boost::system::error_code ec;
    acceptor->accept(conn->sock, ec);
    if (stopping) break;
    if (ec) continue;
    std::lock_guard<std::mutex> l(mu);
    int64_t active = 0;
    for (const auto& c : conns) active += c->done ? 0 : 1;
    if (active >= options.max_connections) {
      rejected->inc();
      conn->sock.close(ec);
      continue;
    }
    Conn* raw = conn.get();
    conn->thread = std::thread([this, raw] { serve(raw); });
    conns.push_back(std::move(conn));
  }
}

// Every 100 ms: closes connections stuck in a read or write for longer than
// idle_timeout, and joins and frees finished ones.
void HttpServer::Impl::janitor_loop() {
  std::unique_lock<std::mutex> l(mu);
  while (!stopping) {
    cv.wait_for(l, std::chrono::milliseconds(100));
    int64_t now = mono_ns();
    for (auto it = conns.begin(); it != conns.end();) {
      Conn& c = **it;
      if (c.done) {
        if (c.thread.joinable()) c.thread.join();
        boost::system::error_code ec;
        c.sock.close(ec);
        it = conns.erase(it);
        continue;
      }
      int64_t since = c.io_since.load();
      if (since != 0 && now - since > options.idle_timeout.count()) {
        timed_out->inc();
        ::shutdown(c.sock.native_handle(), SHUT_RDWR);
        c.io_since = 0;
      }
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

void HttpServer::Impl::serve(Conn* c) {
  tcp::socket& sock = c->sock;
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  auto write = [&](http::response<http::string_body>& res) {
    c->io_since = mono_ns();
    http::write(sock, res, ec);
    c->io_since = 0;
  };
  while (!stopping) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(64 * 1024);
    c->io_since = mono_ns();
    http::read(sock, buffer, parser, ec);
    c->io_since = 0;
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
  sock.shutdown(tcp::socket::shutdown_both, ec);
  c->done = true;
}

}  // namespace sluice
