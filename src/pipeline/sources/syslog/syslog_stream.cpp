#include "pipeline/sources/syslog/syslog_stream.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <boost/asio/ssl.hpp>

namespace sluice {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

class PlainStream final : public SyslogByteStream {
 public:
  explicit PlainStream(TcpConnection& conn) : conn_(conn) {}
  Result<size_t> read_some(char* buf, size_t n) override { return conn_.read_some(buf, n); }
  bool has_pending() override {
    boost::system::error_code ec;
    size_t n = conn_.socket().available(ec);
    return !ec && n > 0;
  }

 private:
  TcpConnection& conn_;
};

class TlsStream final : public SyslogByteStream {
 public:
  TlsStream(TcpConnection& conn, ssl::context& ctx) : conn_(conn), stream_(conn.socket(), ctx) {}

  Status handshake() {
    boost::system::error_code ec;
    conn_.begin_io();
    stream_.handshake(ssl::stream_base::server, ec);
    conn_.end_io();
    if (ec) return Status::IOError("TLS handshake with " + conn_.peer() + ": " + ec.message());
    return Status::Ok();
  }
  Result<size_t> read_some(char* buf, size_t n) override {
    boost::system::error_code ec;
    conn_.begin_io();
    size_t got = stream_.read_some(asio::buffer(buf, n), ec);
    conn_.end_io();
    // A peer that closes TCP without close_notify ends the stream too:
    // syslog's framing tells whether the last message was complete.
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated) return size_t{0};
    if (ec) return Status::IOError("reading TLS from " + conn_.peer() + ": " + ec.message());
    return got;
  }
  bool has_pending() override {
    if (SSL_pending(stream_.native_handle()) > 0) return true;
    boost::system::error_code ec;
    size_t n = conn_.socket().available(ec);
    return !ec && n > 0;
  }

 private:
  TcpConnection& conn_;
  ssl::stream<asio::ip::tcp::socket&> stream_;
};

// OpenSSL's reason for a failed context call ("no start line", "key values
// mismatch"), or the error's message when it is not OpenSSL's.
std::string ssl_reason(const boost::system::error_code& ec) {
  if (ec.category() == asio::error::get_ssl_category()) {
    char buf[256];
    ERR_error_string_n(static_cast<unsigned long>(ec.value()), buf, sizeof(buf));
    return buf;
  }
  return ec.message();
}

Status check_readable(const std::string& option, const std::string& path) {
  std::ifstream f(path);
  if (!f) return Status::InvalidArgument(option + " \"" + path + "\": cannot be read: " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

struct SyslogTlsContext::Impl {
  ssl::context ctx{ssl::context::tls_server};
};

SyslogTlsContext::SyslogTlsContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SyslogTlsContext::~SyslogTlsContext() = default;

Result<std::unique_ptr<SyslogTlsContext>> SyslogTlsContext::load(const std::string& cert_file,
                                                                 const std::string& key_file) {
  auto impl = std::make_unique<Impl>();
  boost::system::error_code ec;
  impl->ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                        ec);
  if (ec) return Status::Internal("TLS options: " + ec.message());
  SLUICE_RETURN_IF_ERROR(check_readable("tls_cert_file", cert_file));
  SLUICE_RETURN_IF_ERROR(check_readable("tls_key_file", key_file));
  impl->ctx.use_certificate_chain_file(cert_file, ec);
  if (ec)
    return Status::InvalidArgument("tls_cert_file \"" + cert_file +
                                   "\": expected a PEM certificate: " + ssl_reason(ec));
  impl->ctx.use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec)
    return Status::InvalidArgument("tls_key_file \"" + key_file + "\": expected a PEM private key: " + ssl_reason(ec));
  if (SSL_CTX_check_private_key(impl->ctx.native_handle()) != 1) {
    return Status::InvalidArgument("tls_key_file \"" + key_file + "\" does not match tls_cert_file \"" + cert_file +
                                   "\"");
  }
  return std::make_unique<SyslogTlsContext>(std::move(impl));
}

Result<std::unique_ptr<SyslogByteStream>> SyslogTlsContext::accept(TcpConnection& conn) {
  auto s = std::make_unique<TlsStream>(conn, impl_->ctx);
  SLUICE_RETURN_IF_ERROR(s->handshake());
  return std::unique_ptr<SyslogByteStream>(std::move(s));
}

std::unique_ptr<SyslogByteStream> make_plain_stream(TcpConnection& conn) { return std::make_unique<PlainStream>(conn); }

}  // namespace sluice
