// TcpServer: a TCP listener that serves each connection on its own thread
// with blocking I/O, for protocols whose handlers may block (an ingest waits
// for the WAL fsync before it answers).
//
// Limits, each counted in /metrics with label listener=<name>:
// - past `max_connections` open connections, a new one is closed at once
//   (sluice_tcp_connections_rejected_total);
// - a read or write that makes no progress for `idle_timeout` is ended by a
//   janitor thread that shuts the socket down
//   (sluice_tcp_connections_timed_out_total).
//
// Thread-safety: start()/stop() from one thread; the handler runs
// concurrently, once per connection.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace sluice {

struct TcpServerOptions {
  std::string name = "api";               ///< the `listener` metrics label
  std::string listen = "127.0.0.1:7070";  ///< "host:port" or "[v6]:port"; port 0 picks a free one
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(60);
  int64_t max_connections = 256;
};

/// One accepted connection, owned by the TcpServer; valid during the
/// handler call only. Used by the connection's own thread, and by the
/// threads it starts and joins before the handler returns.
class TcpConnection {
 public:
  virtual ~TcpConnection() = default;
  /// Reads up to `n` bytes into `buf`. Returns 0 at an orderly end of
  /// stream; IOError on reset, idle time-out or server stop.
  virtual Result<size_t> read_some(char* buf, size_t n) = 0;
  /// Writes all of `data` (looped). IOError when the peer is gone.
  virtual Status write_all(std::string_view data) = 0;
  /// "address:port" of the peer.
  virtual std::string peer() const = 0;
  /// The socket, for protocol libraries (Boost.Beast) that do their own
  /// reads; bracket each blocking call with begin_io()/end_io() so the idle
  /// time-out applies (one thread may read while another writes: the
  /// time-out applies while either is under way).
  virtual boost::asio::ip::tcp::socket& socket() = 0;
  virtual void begin_io() = 0;
  virtual void end_io() = 0;
  /// Brackets work the server does for the peer between its reads (an
  /// answer being made on another thread while the connection's thread
  /// waits for the next request): the idle time-out does not apply until
  /// the last end_work(), and a read under way is then timed from there.
  virtual void begin_work() = 0;
  virtual void end_work() = 0;
  /// True once the server is stopping; handlers should return.
  virtual bool stopping() const = 0;
};

using TcpHandler = std::function<void(TcpConnection&)>;

/// Splits "host:port" / "[v6]:port" into an endpoint. InvalidArgument names
/// the text and what is wrong with it.
Result<boost::asio::ip::tcp::endpoint> parse_listen_address(const std::string& listen);

class TcpServer {
 public:
  TcpServer(TcpServerOptions options, TcpHandler handler);
  ~TcpServer();
  /// Binds and starts accepting. IOError when the address is taken.
  Status start();
  /// Stops accepting, shuts down open connections, joins every thread.
  /// Idempotent.
  void stop();
  /// The bound port (useful with port 0).
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
