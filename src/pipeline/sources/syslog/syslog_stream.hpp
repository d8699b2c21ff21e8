// The bytes of one syslog TCP connection, plain or TLS (RFC 5425), behind
// one small interface so the connection handler does not care which.
//
// Thread-safety: a SyslogByteStream is used by its connection's thread only;
// a SyslogTlsContext is shared by all connections (OpenSSL's SSL_CTX is
// safe to use concurrently once configured).
#pragma once

#include <memory>
#include <string>

#include "common/status.hpp"
#include "net/tcp_server.hpp"

namespace sluice {

/// Reads from one accepted connection. Owned by the connection handler; must
/// not outlive the TcpConnection it reads from.
class SyslogByteStream {
 public:
  virtual ~SyslogByteStream() = default;
  /// Reads up to `n` bytes (blocking, under the server's idle time-out).
  /// 0 at an orderly end of stream; IOError on reset, time-out or stop.
  virtual Result<size_t> read_some(char* buf, size_t n) = 0;
  /// True when more bytes can be read without blocking (best effort): the
  /// handler delivers its batch when the sender has paused.
  virtual bool has_pending() = 0;
};

/// The connection's bytes as they are.
std::unique_ptr<SyslogByteStream> make_plain_stream(TcpConnection& conn);

/// Server-side TLS configuration: certificate chain and key, TLS 1.2 or
/// newer (RFC 5425 section 4.2 as updated by RFC 9662).
class SyslogTlsContext {
 public:
  /// Loads the PEM files. InvalidArgument names the file and OpenSSL's reason.
  static Result<std::unique_ptr<SyslogTlsContext>> load(const std::string& cert_file, const std::string& key_file);
  ~SyslogTlsContext();
  /// Use load(); `impl` is this file's private state.
  struct Impl;
  explicit SyslogTlsContext(std::unique_ptr<Impl> impl);
  /// Runs the server handshake on `conn` (under the idle time-out) and
  /// returns the decrypted stream. IOError when the handshake fails.
  Result<std::unique_ptr<SyslogByteStream>> accept(TcpConnection& conn);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
