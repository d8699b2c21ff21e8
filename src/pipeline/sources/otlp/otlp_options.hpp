// Options of the `otlp` source (OpenTelemetry OTLP logs over HTTP and gRPC).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.hpp"
#include "config/options.hpp"
#include "pipeline/sources/http_listener.hpp"
#include "pipeline/sources/otlp/otlp_logs_decode.hpp"

namespace sluice {

/// Configuration of one otlp source: the HTTP listener's options (listen
/// defaults to OTLP/HTTP's port 4318) plus these.
struct OtlpSourceOptions : HttpListenerOptions {
  std::string grpc_listen = "127.0.0.1:4317";  ///< OTLP/gRPC address; "" disables gRPC
  std::string stream = "otlp";                 ///< the stream every log record goes to
  std::string metrics_stream = "metrics";      ///< the stream every metric sample goes to
  std::string traces_stream = "spans";         ///< the stream every span goes to
  int64_t max_records_per_request = 100000;
  int64_t max_values_per_request = 1000000;

  OtlpLimits limits() const {
    return OtlpLimits{static_cast<uint64_t>(max_records_per_request), static_cast<uint64_t>(max_values_per_request)};
  }
};

/// The option table of the `otlp` source. Built once; thread-safe.
const OptionTable<OtlpSourceOptions>& otlp_source_option_table();

/// Checks what the table cannot: `stream`, `metrics_stream` and
/// `traces_stream` match [a-z0-9_.-]{1,64} and differ (a stream holds one
/// kind), and grpc_listen differs from listen. InvalidArgument naming the
/// option.
Status validate_otlp_source_options(const OtlpSourceOptions& options);

}  // namespace sluice
