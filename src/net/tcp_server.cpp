#include "net/tcp_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>

#include "common/metrics.hpp"

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Result<tcp::endpoint> parse_listen_address(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("listen \"" + listen + "\": expected host:port");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port_text) > 65535) {
    return Status::InvalidArgument("listen \"" + listen + "\": port must be a number in 0..65535");
  }
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) return Status::InvalidArgument("listen \"" + listen + "\": " + ec.message());
  return tcp::endpoint(addr, static_cast<uint16_t>(std::stoi(port_text)));
}

struct TcpServer::Impl {
  /// One accepted connection. Its thread serves it; only the janitor (or
  /// stop) closes the socket, after joining the thread, so the fd is never
  /// reused while another thread may call shutdown(2) on it.
  struct Conn final : TcpConnection {
    Impl* server;
    tcp::socket sock;
    std::thread thread;
    std::atomic<bool> done{false};
    std::atomic<int64_t> io_since{0};  ///< monotonic ns when the current read/write began; 0 = not in I/O
    /// Reads and writes under way: a handler may read on one thread while
    /// another writes (HttpServer's pipelined answers); io_since stays set
    /// until the last ends. Guarded by io_mu.
    int in_io = 0;
    std::mutex io_mu;
    int working = 0;  ///< begin_work() without end_work(); the janitor leaves it alone. Guarded by io_mu.

    Conn(Impl* s, asio::io_context& io) : server(s), sock(io) {}

    Result<size_t> read_some(char* buf, size_t n) override {
      boost::system::error_code ec;
      begin_io();
      size_t got = sock.read_some(asio::buffer(buf, n), ec);
      end_io();
      if (ec == asio::error::eof) return size_t{0};
      if (ec) return Status::IOError("reading from " + peer() + ": " + ec.message());
      return got;
    }
    Status write_all(std::string_view data) override {
      boost::system::error_code ec;
      begin_io();
      asio::write(sock, asio::buffer(data.data(), data.size()), ec);
      end_io();
      if (ec) return Status::IOError("writing to " + peer() + ": " + ec.message());
      return Status::Ok();
    }
    std::string peer() const override {
      boost::system::error_code ec;
      auto ep = sock.remote_endpoint(ec);
      if (ec) return "(unknown peer)";
      return ep.address().to_string() + ":" + std::to_string(ep.port());
    }
    tcp::socket& socket() override { return sock; }
    void begin_io() override {
      std::lock_guard<std::mutex> l(io_mu);
      if (in_io++ == 0) io_since = mono_ns();
    }
    void end_io() override {
      std::lock_guard<std::mutex> l(io_mu);
      // The other one under way, if any, is timed from now.
      io_since = --in_io == 0 ? 0 : mono_ns();
    }
    void begin_work() override {
      std::lock_guard<std::mutex> l(io_mu);
      ++working;
    }
    void end_work() override {
      std::lock_guard<std::mutex> l(io_mu);
      if (--working == 0 && in_io > 0) io_since = mono_ns();
    }
    bool stopping() const override { return server->stopping; }
  };

  TcpServerOptions options;
  TcpHandler handler;
  asio::io_context io;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread accept_thread;
  std::thread janitor_thread;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable cv;
  std::list<std::unique_ptr<Conn>> conns;
  Counter* rejected = nullptr;
  Counter* timed_out = nullptr;
  uint16_t port = 0;

  void accept_loop();
  void janitor_loop();
};

TcpServer::TcpServer(TcpServerOptions options, TcpHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  auto& m = MetricsRegistry::global();
  Labels l{{"listener", impl_->options.name}};
  impl_->rejected = &m.counter("sluice_tcp_connections_rejected_total",
                               "Connections closed at once because max_connections were open.", l);
  impl_->timed_out = &m.counter("sluice_tcp_connections_timed_out_total",
                                "Connections shut down after idle_timeout without progress.", l);
}

TcpServer::~TcpServer() { stop(); }

uint16_t TcpServer::port() const { return impl_->port; }

Status TcpServer::start() {
  SLUICE_ASSIGN_OR_RETURN(tcp::endpoint ep, parse_listen_address(impl_->options.listen));
  boost::system::error_code ec;
  auto acc = std::make_unique<tcp::acceptor>(impl_->io);
  acc->open(ep.protocol(), ec);
  if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("listening on " + impl_->options.listen + ": " + ec.message());
  impl_->port = acc->local_endpoint().port();
  impl_->acceptor = std::move(acc);
  impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
  impl_->janitor_thread = std::thread([this] { impl_->janitor_loop(); });
  return Status::Ok();
}

void TcpServer::stop() {
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

void TcpServer::Impl::accept_loop() {
  while (!stopping) {
    auto conn = std::make_unique<Conn>(this, io);
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
    conn->thread = std::thread([this, raw] {
      try {
        handler(*raw);
      } catch (const std::exception& e) {  // a protocol library threw inside a handler
        spdlog::error("{}: connection from {} failed: {}", options.name, raw->peer(), e.what());
      }
      boost::system::error_code ignored;
      raw->sock.shutdown(tcp::socket::shutdown_both, ignored);
      raw->done = true;
    });
    conns.push_back(std::move(conn));
  }
}

// Every 100 ms: shuts down connections stuck in a read or write for longer
// than idle_timeout, and joins and frees finished ones.
void TcpServer::Impl::janitor_loop() {
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
      int64_t since = 0;
      {
        // Both at once: end_work() restarts io_since as it ends the work.
        std::lock_guard<std::mutex> io(c.io_mu);
        if (c.working == 0) since = c.io_since.load();
      }
      if (since != 0 && now - since > options.idle_timeout.count()) {
        timed_out->inc();
        ::shutdown(c.sock.native_handle(), SHUT_RDWR);
        c.io_since = 0;
      }
      ++it;
    }
  }
}

}  // namespace sluice
