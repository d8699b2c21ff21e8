// The `syslog` source: receives syslog messages (RFC 5424, RFC 3164) over
// UDP (RFC 5426: one message per datagram), TCP (RFC 6587 framing; see
// syslog_framing.hpp) or TLS (RFC 5425), parses each with the parse_syslog
// parser and sends them downstream in batches of up to max_batch_records
// records or max_batch_bytes body bytes (or after batch_timeout), each batch
// named `stream`.
//
// Delivery: TCP connections hand each batch to deliver() and read nothing
// more from that connection until it is durable (backpressure reaches the
// sender through TCP flow control). UDP has no flow control: received
// records wait in a bounded queue (16 batches) for one delivery thread; past
// that, datagrams are dropped and counted.
//
// Bad input never costs other connections anything: a message that does not
// parse is kept with body = the raw text and parse.error; a malformed TCP
// frame closes that connection only (logged with its reason and counted).
//
// Metrics, label listener=<component name>:
//   sluice_syslog_messages_total, sluice_syslog_parse_errors_total,
//   sluice_syslog_malformed_frames_total, sluice_syslog_oversize_frames_total,
//   sluice_syslog_dropped_total (UDP queue full or not delivered in time).
//
// Thread-safety: start()/stop() from the pipeline's thread; the server
// threads call the handlers concurrently.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/metrics.hpp"
#include "net/tcp_server.hpp"
#include "net/udp_server.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sources/file/line_splitter.hpp"
#include "pipeline/sources/syslog/syslog_framing.hpp"
#include "pipeline/sources/syslog/syslog_source_options.hpp"
#include "pipeline/sources/syslog/syslog_stream.hpp"
#include "pipeline/transforms/parse_syslog/syslog_message.hpp"

namespace sluice {

/// Owned by the pipeline. Invariant: between start() and stop() exactly one
/// of udp_ / tcp_ runs; full_ (UDP) holds at most 16 batches.
class SyslogSource final : public Source {
 public:
  /// `options` must have passed validate_syslog_source_options; `tls` is
  /// set when TLS is configured.
  SyslogSource(std::string name, SyslogSourceOptions options, std::unique_ptr<SyslogTlsContext> tls);
  ~SyslogSource() override;
  Status start(SourceContext* ctx) override;
  void stop() override;
  /// The bound port (after start; useful with port 0).
  uint16_t port() const;

 private:
  struct Counters {
    Counter* messages;
    Counter* parse_errors;
    Counter* malformed;
    Counter* oversize;
    Counter* dropped;
  };

  /// One record from one message (or piece of an over-long line).
  LogRecord make_record(std::string_view text, LinePart part, std::string_view peer_address, int64_t now_ns);
  /// True when a batch of `records` records and `bytes` body bytes must be sent.
  bool batch_is_full(size_t records, uint64_t bytes) const;
  void on_datagram(std::string_view datagram, bool truncated, const std::string& peer);
  void udp_delivery_loop();
  void serve(TcpConnection& conn);
  /// Delivers `batch` (then empties it); false when the connection should close.
  bool deliver_tcp(LogBatch& batch, const std::string& peer);

  std::string name_;
  std::string error_prefix_;  ///< of parse.error: "sources.<name>: "
  SyslogSourceOptions options_;
  SyslogParserOptions parser_;
  SyslogFraming framing_ = SyslogFraming::kAuto;
  std::unique_ptr<SyslogTlsContext> tls_;
  Counters counters_{};
  SourceContext* ctx_ = nullptr;
  std::unique_ptr<UdpServer> udp_;
  std::unique_ptr<TcpServer> tcp_;

  // UDP batching, guarded by mu_.
  std::mutex mu_;
  std::condition_variable cv_;
  LogBatch pending_;              ///< the batch being filled
  uint64_t pending_bytes_ = 0;    ///< body bytes in pending_
  int64_t pending_since_ns_ = 0;  ///< steady clock, when pending_ got its first record
  std::deque<LogBatch> full_;     ///< full batches waiting for delivery, at most 16
  bool stopping_ = false;
  std::thread udp_delivery_;
};

/// Validates `options`, loads the TLS files when set, and builds the
/// source. InvalidArgument names the bad option.
Result<std::unique_ptr<Source>> make_syslog_source(const std::string& name, const SyslogSourceOptions& options);

}  // namespace sluice
