// UdpServer: receives datagrams on one socket and hands each to a handler on
// the server's own thread (syslog over UDP, RFC 5426).
//
// A datagram longer than `max_datagram_bytes` is truncated by the kernel;
// the handler sees `truncated = true` and should reject it. Received and
// truncated datagrams are counted in sluice_udp_datagrams_total{listener}
// and sluice_udp_datagrams_truncated_total{listener}.
//
// Thread-safety: start()/stop() from one thread; the handler is called from
// the receive thread only, one datagram at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace sluice {

struct UdpServerOptions {
  std::string name = "udp";              ///< the `listener` metrics label
  std::string listen = "127.0.0.1:514";  ///< "host:port"; port 0 picks a free one
  size_t max_datagram_bytes = 65535;
  int receive_buffer_bytes = 4 << 20;  ///< SO_RCVBUF asked for (the kernel may cap it)
};

/// `peer` is "address:port".
using UdpHandler = std::function<void(std::string_view datagram, bool truncated, const std::string& peer)>;

class UdpServer {
 public:
  UdpServer(UdpServerOptions options, UdpHandler handler);
  ~UdpServer();
  /// Binds and starts receiving. IOError when the address is taken.
  Status start();
  /// Stops receiving and joins the thread. Idempotent.
  void stop();
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
