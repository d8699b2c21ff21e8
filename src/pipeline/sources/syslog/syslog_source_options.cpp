#include "pipeline/sources/syslog/syslog_source_options.hpp"

#include "model/stream_name.hpp"
#include "pipeline/transforms/parse_syslog/syslog_message.hpp"

namespace sluice {

const OptionTable<SyslogSourceOptions>& syslog_source_option_table() {
  static const OptionTable<SyslogSourceOptions> table = [] {
    using O = SyslogSourceOptions;
    OptionTable<O> t;
    t.add_enum("mode", &O::mode, "udp", {"udp", "tcp"},
               "Transport: \"udp\" (RFC 5426, one message per datagram) or \"tcp\" (RFC 6587; TLS per RFC 5425 "
               "when tls_cert_file and tls_key_file are set).");
    t.add_string("listen", &O::listen, "0.0.0.0:514", "host:port to listen on.");
    t.add_string("stream", &O::stream, "syslog",
                 "Stream the records go to when no transform or sink names one ([a-z0-9_.-]{1,64}).");
    t.add_enum("framing", &O::framing, "auto", {"auto", "octet_counting", "newline"},
               "TCP framing (RFC 6587): octet_counting (\"MSG-LEN SP MSG\"), newline (each message ends with LF; "
               "NUL also ends one, a CR before the LF is removed), or auto: per message, one that starts with a "
               "digit is octet-counted, anything else ends at LF.");
    t.add_enum("format", &O::format, "auto", {"auto", "rfc5424", "rfc3164"},
               "Message format: rfc5424, rfc3164, or auto (RFC 5424 when a version number follows the PRI).");
    t.add_size("max_message_bytes", &O::max_message_bytes, "64KiB", "64B", "16MiB",
               "Longest message. Longer UDP datagrams and octet-counted frames are skipped and counted in "
               "sluice_syslog_oversize_frames_total; a longer LF-terminated line is cut into records of this size "
               "marked log.split = first|middle|last (nothing is dropped). UDP reads at most 65535 bytes.");
    t.add_duration("idle_timeout", &O::idle_timeout, "10m", "1s", "24h",
                   "A TCP connection that sends nothing for this long is closed (senders reconnect).");
    t.add_integer("max_connections", &O::max_connections, 256, 1, 100000,
                  "TCP connections past this number are closed at once.");
    t.add_string("timezone", &O::timezone, "UTC",
                 "Time zone of RFC 3164 timestamps, which carry none: \"UTC\", \"local\" or \"+hh:mm\".");
    t.add_string("tls_cert_file", &O::tls_cert_file, "",
                 "PEM certificate (chain) file. With tls_key_file and mode = \"tcp\": syslog over TLS (RFC 5425).");
    t.add_string("tls_key_file", &O::tls_key_file, "", "PEM private key file of tls_cert_file.");
    t.add_duration("ack_timeout", &O::ack_timeout, "30s", "100ms", "10m",
                   "How long a batch may take to become durable. Past it a TCP connection is closed (it is not "
                   "read while its batch is pending: backpressure) and UDP records are counted as dropped.");
    t.add_integer("max_batch_records", &O::max_batch_records, 1000, 1, 100000,
                  "Most records in one batch sent downstream.");
    t.add_size("max_batch_bytes", &O::max_batch_bytes, "1MiB", "1KiB", "256MiB",
               "Most body bytes in one batch sent downstream (with max_batch_records, this bounds the memory "
               "a connection holds, and the UDP queue of 16 batches).");
    t.add_duration("batch_timeout", &O::batch_timeout, "5ms", "100us", "10s",
                   "How long received records wait for more before their batch is sent.");
    return t;
  }();
  return table;
}

Status validate_syslog_source_options(const SyslogSourceOptions& o) {
  if (!valid_stream_name(o.stream)) {
    return Status::InvalidArgument("syslog source: stream \"" + o.stream + "\" must match [a-z0-9_.-]{1,64}");
  }
  Result<SyslogTimeZone> tz = syslog_time_zone_from_name(o.timezone);
  if (!tz.ok()) return tz.status().with_context("syslog source: timezone");
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return Status::InvalidArgument("syslog source: TLS needs both tls_cert_file and tls_key_file, found only " +
                                   std::string(o.tls_cert_file.empty() ? "tls_key_file" : "tls_cert_file"));
  }
  if (!o.tls_cert_file.empty() && o.mode != "tcp") {
    return Status::InvalidArgument("syslog source: TLS (tls_cert_file) needs mode = \"tcp\", found \"" + o.mode + "\"");
  }
  return Status::Ok();
}

}  // namespace sluice
