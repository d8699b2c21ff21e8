#include "net/http_server.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "common/metrics.hpp"
#include "common/thread_name.hpp"

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

  class Responder;
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

/// Sends a connection's answers in order on a thread of its own, calling
/// the deferred ones' `finish` first (HttpResponse::finish), so that the
/// connection's thread reads and handles the next request meanwhile. At
/// most kMaxInProgress answers are in progress: push() waits for room, so
/// a connection holds at most three decoded requests (one being finished,
/// one queued, one waiting to be pushed). After an answer that is not 2xx,
/// or a failed write, it stops, closes the connection and drops the rest;
/// so it does before finishing an answer whose client has closed the
/// connection. While a deferred answer is being finished the connection's
/// idle time-out is held (TcpConnection::begin_work): a client waiting for
/// it sends nothing; writing it is timed as any write.
class HttpServer::Impl::Responder {
 public:
  /// Answers in progress at once: one being finished, one queued.
  static constexpr size_t kMaxInProgress = 2;

  Responder(TcpConnection& c, std::function<void(http::response<http::string_body>&, boost::system::error_code&)> write)
      : c_(c), write_(std::move(write)), thread_([this] { run(); }) {}

  ~Responder() {
    {
      std::lock_guard<std::mutex> l(mu_);
      reading_done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  /// Queues `r` (answering a request of HTTP `version`) once the answer
  /// before it is sent. False when the responder has stopped (the
  /// connection is closing): the caller stops reading.
  bool push(HttpResponse r, unsigned version, bool keep_alive) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return stopped_ || in_progress_ < kMaxInProgress; });
    if (stopped_) return false;
    owed_.push_back(Owed{std::move(r), version, keep_alive});
    ++in_progress_;
    cv_.notify_all();
    return true;
  }

  /// False once the responder has stopped.
  bool running() const {
    std::lock_guard<std::mutex> l(mu_);
    return !stopped_;
  }

 private:
  struct Owed {
    HttpResponse r;
    unsigned version;
    bool keep_alive;
  };

  void run() {
    set_thread_name("http.answers");
    while (true) {
      Owed o;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return !owed_.empty() || reading_done_; });
        if (owed_.empty()) return;
        o = std::move(owed_.front());
        owed_.pop_front();
      }
      bool keep = o.keep_alive;
      if (o.r.finish && client_gone()) {
        // Nobody would receive the answer: its request is not stored (a
        // client that closed with requests unanswered sends them again).
        stop();
        return;
      }
      if (o.r.finish) {
        HttpResponse done;
        // The client waits for this answer and sends nothing meanwhile: no
        // idle time-out while it is made (the write after it is timed).
        c_.begin_work();
        struct EndWork {
          TcpConnection& c;
          ~EndWork() { c.end_work(); }
        } end_work{c_};
        try {
          done = o.r.finish();
        } catch (const std::exception& e) {
          done = {500, "application/json", "{\"error\":{\"code\":\"internal\",\"message\":\"handler failed\"}}\n"};
          spdlog::error("http: a deferred answer threw: {}", e.what());
        }
        o.r = std::move(done);
      }
      // A pipelining client's later requests must not be stored before
      // this one is sent again.
      keep = keep && o.r.status >= 200 && o.r.status < 300;
      auto res = to_beast(o.r, o.version, keep);
      boost::system::error_code ec;
      write_(res, ec);
      if (ec || !keep) {
        stop();
        return;
      }
      {
        std::lock_guard<std::mutex> l(mu_);
        --in_progress_;
      }
      cv_.notify_all();
    }
  }

  /// True when the client has closed its side of the connection (or it
  /// broke): poll(2) without waiting.
  bool client_gone() {
    pollfd p{c_.socket().native_handle(), POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  }

  /// Stops after the answer in progress: drops the rest (their `finish`es
  /// are never called) and ends the connection thread's read of a next
  /// request (shutdown(2) on the descriptor, as TcpServer's janitor does,
  /// while that thread may be blocked in recv on it).
  void stop() {
    std::deque<Owed> dropped;
    {
      std::lock_guard<std::mutex> l(mu_);
      stopped_ = true;
      in_progress_ = 0;
      dropped.swap(owed_);
    }
    cv_.notify_all();
    ::shutdown(c_.socket().native_handle(), SHUT_RDWR);
  }

  TcpConnection& c_;
  std::function<void(http::response<http::string_body>&, boost::system::error_code&)> write_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Owed> owed_;   ///< not started yet
  size_t in_progress_ = 0;  ///< answers queued or being finished and sent
  bool reading_done_ = false;
  bool stopped_ = false;
  std::thread thread_;  ///< last: starts after the members it uses
};

void HttpServer::Impl::serve(TcpConnection& c) {
  tcp::socket& sock = c.socket();
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  // An answer leaves at once, not after the client's (delayed) ACK of the
  // one before: pipelined answers come in quick succession.
  sock.set_option(tcp::no_delay(true), ec);
  std::mutex write_mu;  // the responder's writes and this thread's
  auto write_with = [&](http::response<http::string_body>& res, boost::system::error_code& e) {
    std::lock_guard<std::mutex> l(write_mu);
    c.begin_io();
    http::write(sock, res, e);
    c.end_io();
  };
  // Started at the first deferred answer; every later answer goes through
  // it, in order. Destroyed (joined) before the connection is.
  std::optional<Responder> responder;
  // Sends `r` (through the responder once there is one); false when the
  // connection is closing.
  auto answer = [&](HttpResponse r, unsigned version, bool keep) {
    if (r.finish && !responder) responder.emplace(c, write_with);
    if (responder) return responder->push(std::move(r), version, keep);
    auto res = to_beast(r, version, keep);
    write_with(res, ec);
    return !ec;
  };
  while (!c.stopping()) {
    if (responder && !responder->running()) break;
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
      (void)answer(std::move(r), 11, false);
      break;
    }
    if (ec) {
      if (ec != http::error::end_of_stream && ec != asio::error::eof && ec != asio::error::connection_reset &&
          ec != asio::error::shut_down && ec != asio::error::operation_aborted && ec != asio::error::bad_descriptor &&
          !(responder && !responder->running())) {
        HttpResponse r{400, "application/json",
                       "{\"error\":{\"code\":\"invalid_argument\",\"message\":\"malformed HTTP request: " +
                           ec.message() + "\"}}\n"};
        (void)answer(std::move(r), 11, false);
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
    const bool keep = req.keep_alive();
    if (!answer(std::move(r), req.version(), keep) || !keep) break;
  }
}

}  // namespace sluice
