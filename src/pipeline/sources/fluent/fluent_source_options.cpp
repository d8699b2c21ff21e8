#include "pipeline/sources/fluent/fluent_source_options.hpp"

namespace sluice {

const OptionTable<FluentSourceOptions>& fluent_source_option_table() {
  static const OptionTable<FluentSourceOptions> table = [] {
    using O = FluentSourceOptions;
    OptionTable<O> t;
    t.add_string("listen", &O::listen, "127.0.0.1:24224", "host:port to accept Fluent Forward connections on.");
    t.add_string("stream", &O::stream, "fluent", "Stream the events are stored in (when no sink names another one).");
    t.add_size("max_frame_bytes", &O::max_frame_bytes, "16MiB", "1KiB", "1GiB",
               "Largest single msgpack message accepted; a connection sending a larger one is closed (the "
               "reason is logged).");
    t.add_size("max_decompressed_bytes", &O::max_decompressed_bytes, "64MiB", "1KiB", "4GiB",
               "Largest gunzipped entries of one CompressedPackedForward message; a connection exceeding it is "
               "closed and decompression stops there.");
    t.add_duration("idle_timeout", &O::idle_timeout, "5m", "100ms", "24h",
                   "A connection that sends nothing for this long is closed (clients reconnect).");
    t.add_integer("max_connections", &O::max_connections, 256, 1, 100000,
                  "Connections past this number are closed at once.");
    t.add_duration("ack_timeout", &O::ack_timeout, "30s", "100ms", "10m",
                   "How long a message waits for its events to become durable; past it the connection is closed "
                   "without an ack (the client resends; the events may then be stored twice).");
    t.add_integer("max_batch_records", &O::max_batch_records, 8192, 1, 1000000,
                  "Most events per batch sent downstream; a larger message is delivered in several batches, all "
                  "durable before its ack.");
    t.add_string("shared_key", &O::shared_key, "",
                 "Shared key of the handshake (HELO/PING/PONG); clients must send the same one. Empty: no "
                 "handshake.");
    t.add_string("self_hostname", &O::self_hostname, "",
                 "Host name the server announces in PONG and hashes into its digest. Empty: the machine's host "
                 "name.");
    t.add_string_list("body_keys", &O::body_keys, {"message", "log"},
                      "Record keys tried in order; the first present becomes the body (and leaves attributes).");
    t.add_string_list("severity_keys", &O::severity_keys, {"level", "severity"},
                      "Record keys tried in order; the first present becomes severity_text and severity_number "
                      "(and leaves attributes).");
    return t;
  }();
  return table;
}

Status validate_fluent_source_options(const FluentSourceOptions& o) {
  bool ok = !o.stream.empty() && o.stream.size() <= 64;
  for (char c : o.stream) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-');
  }
  if (!ok) {
    return Status::InvalidArgument("fluent source: stream \"" + o.stream + "\" must match [a-z0-9_.-]{1,64}");
  }
  return Status::Ok();
}

}  // namespace sluice
