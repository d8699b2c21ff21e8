#include "net/udp_server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "net/tcp_server.hpp"

namespace sluice {

namespace asio = boost::asio;
using udp = asio::ip::udp;

struct UdpServer::Impl {
  UdpServerOptions options;
  UdpHandler handler;
  asio::io_context io;
  std::unique_ptr<udp::socket> sock;
  std::thread thread;
  std::atomic<bool> stopping{false};
  Counter* received = nullptr;
  Counter* truncated = nullptr;
  uint16_t port = 0;

  void receive_loop() {
    std::vector<char> buf(options.max_datagram_bytes + 1);
    while (!stopping) {
      udp::endpoint from;
      boost::system::error_code ec;
      // One byte more than the limit tells a datagram at the limit from a
      // longer one.
      size_t n = sock->receive_from(asio::buffer(buf.data(), buf.size()), from, 0, ec);
      if (stopping) break;
      if (ec) continue;
      received->inc();
      bool cut = n > options.max_datagram_bytes;
      if (cut) {
        truncated->inc();
        n = options.max_datagram_bytes;
      }
      handler(std::string_view(buf.data(), n), cut, from.address().to_string() + ":" + std::to_string(from.port()));
    }
  }
};

UdpServer::UdpServer(UdpServerOptions options, UdpHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  auto& m = MetricsRegistry::global();
  Labels l{{"listener", impl_->options.name}};
  impl_->received = &m.counter("sluice_udp_datagrams_total", "UDP datagrams received.", l);
  impl_->truncated =
      &m.counter("sluice_udp_datagrams_truncated_total", "UDP datagrams longer than max_datagram_bytes.", l);
}

UdpServer::~UdpServer() { stop(); }

uint16_t UdpServer::port() const { return impl_->port; }

Status UdpServer::start() {
  SLUICE_ASSIGN_OR_RETURN(auto tcp_ep, parse_listen_address(impl_->options.listen));
  udp::endpoint ep(tcp_ep.address(), tcp_ep.port());
  boost::system::error_code ec;
  auto s = std::make_unique<udp::socket>(impl_->io);
  s->open(ep.protocol(), ec);
  if (!ec) s->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s->set_option(asio::socket_base::receive_buffer_size(impl_->options.receive_buffer_bytes), ec);
  if (!ec) s->bind(ep, ec);
  if (ec) return Status::IOError("listening on udp " + impl_->options.listen + ": " + ec.message());
  impl_->port = s->local_endpoint().port();
  impl_->sock = std::move(s);
  impl_->thread = std::thread([this] { impl_->receive_loop(); });
  return Status::Ok();
}

void UdpServer::stop() {
  if (!impl_ || !impl_->sock || impl_->stopping.exchange(true)) return;
  // shutdown(2) wakes a thread blocked in recvfrom(2) on Linux.
  ::shutdown(impl_->sock->native_handle(), SHUT_RDWR);
  if (impl_->thread.joinable()) impl_->thread.join();
  boost::system::error_code ec;
  impl_->sock->close(ec);
}

}  // namespace sluice
