#include "pipeline/sources/otlp/otlp_options.hpp"

#include <utility>

#include "model/stream_name.hpp"

namespace sluice {

const OptionTable<OtlpSourceOptions>& otlp_source_option_table() {
  static const OptionTable<OtlpSourceOptions> table = [] {
    using O = OtlpSourceOptions;
    OptionTable<O> t;
    add_http_listener_options(t, "127.0.0.1:4318");
    t.add_string("grpc_listen", &O::grpc_listen, "127.0.0.1:4317",
                 "host:port of the OTLP/gRPC listener (LogsService/Export); \"\" disables gRPC. Its largest "
                 "message (after decompression) is max_decompressed_bytes.");
    t.add_string("stream", &O::stream, "otlp",
                 "The stream every received log record is stored in ([a-z0-9_.-]{1,64}).");
    t.add_string("metrics_stream", &O::metrics_stream, "metrics",
                 "The stream every received metric data point is stored in, as Prometheus-style samples "
                 "(POST /v1/metrics, MetricsService/Export; [a-z0-9_.-]{1,64}).");
    t.add_string("traces_stream", &O::traces_stream, "spans",
                 "The stream every received span is stored in (POST /v1/traces, TraceService/Export; "
                 "[a-z0-9_.-]{1,64}).");
    t.add_integer("max_records_per_request", &O::max_records_per_request, 100000, 1, 100000000,
                  "A request with more log records, metric data points or spans than this is refused (HTTP 413, "
                  "gRPC RESOURCE_EXHAUSTED).");
    t.add_integer("max_values_per_request", &O::max_values_per_request, 1000000, 16, 1000000000,
                  "A request with more attributes and values than this (protobuf messages on the wire; or "
                  "key/values to store, each record's attributes plus its copy of the resource attributes) is "
                  "refused like one with too many records. Bounds the memory a request of tiny messages takes.");
    return t;
  }();
  return table;
}

Status validate_otlp_source_options(const OtlpSourceOptions& o) {
  for (const auto& [option, s] : {std::pair<const char*, const std::string&>{"stream", o.stream},
                                  {"metrics_stream", o.metrics_stream},
                                  {"traces_stream", o.traces_stream}}) {
    if (!valid_stream_name(s)) {
      return Status::InvalidArgument(std::string(option) + ": \"" + s + "\" must match [a-z0-9_.-]{1,64}");
    }
  }
  if (o.metrics_stream == o.stream || o.traces_stream == o.stream || o.traces_stream == o.metrics_stream) {
    return Status::InvalidArgument(
        "stream, metrics_stream and traces_stream must differ (a stream holds one kind): \"" + o.stream + "\", \"" +
        o.metrics_stream + "\", \"" + o.traces_stream + "\"");
  }
  if (!o.grpc_listen.empty() && o.grpc_listen == o.listen) {
    return Status::InvalidArgument("grpc_listen: \"" + o.grpc_listen +
                                   "\" is also `listen`; OTLP/HTTP and OTLP/gRPC need different ports");
  }
  return Status::Ok();
}

}  // namespace sluice
