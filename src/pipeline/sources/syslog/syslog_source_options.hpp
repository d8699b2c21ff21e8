// Options of the `syslog` source (RFC 5424 / RFC 3164 messages over UDP,
// TCP or TLS).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.hpp"
#include "config/options.hpp"

namespace sluice {

/// Configuration of one syslog source. A plain value; see
/// syslog_source_option_table() for the meaning and bounds of each field.
struct SyslogSourceOptions {
  std::string mode = "udp";                ///< "udp" or "tcp"
  std::string listen = "0.0.0.0:514";      ///< host:port
  std::string stream = "syslog";           ///< LogBatch::stream of every batch
  std::string framing = "auto";            ///< tcp: auto | octet_counting | newline
  std::string format = "auto";             ///< auto | rfc5424 | rfc3164
  uint64_t max_message_bytes = 64 * 1024;  ///< longest message (frame / datagram)
  std::chrono::nanoseconds idle_timeout = std::chrono::minutes(10);
  int64_t max_connections = 256;
  std::string timezone = "UTC";  ///< zone of RFC 3164 timestamps
  std::string tls_cert_file;     ///< PEM certificate chain; with tls_key_file: TLS (RFC 5425)
  std::string tls_key_file;      ///< PEM private key
  std::chrono::nanoseconds ack_timeout = std::chrono::seconds(30);
  int64_t max_batch_records = 1000;
  uint64_t max_batch_bytes = 1024 * 1024;
  std::chrono::nanoseconds batch_timeout = std::chrono::milliseconds(5);
};

/// The option table of the `syslog` source. Built once; safe to call from any thread.
const OptionTable<SyslogSourceOptions>& syslog_source_option_table();

/// Checks what the table's bounds cannot: `stream` is a valid stream name,
/// `timezone` parses, TLS has both files or neither and only with mode =
/// "tcp". InvalidArgument naming the option otherwise.
Status validate_syslog_source_options(const SyslogSourceOptions& options);

}  // namespace sluice
