// The `sluice` sink: ships an agent's log records, metric samples and spans
// to a sluice server's `otlp` source as OTLP/HTTP protobuf exports (POST
// <endpoint>/v1/logs, /v1/metrics or /v1/traces by what the batch holds;
// Content-Type application/x-protobuf, Content-Encoding zstd by default),
// exactly once (docs/user-guide.md "Shipping to a sluice server").
//
// Each request carries the batch's source positions and the agent id
// (X-Sluice-Positions, X-Sluice-Agent; the protocol is in
// src/pipeline/sources/otlp/sluice_protocol.hpp). The server stores the
// positions in the same WAL entry as the data and answers a request whose
// positions it has already committed with success without storing it again.
// The sink commits positions itself (commits_positions()): at start it asks
// the server for them (GET <endpoint>/v1/sluice/positions), so the agent
// resumes where the server's durable data ends, with no checkpoint file of
// its own. A position below the offset the server has for its key (the key
// started over: a file truncated and rewritten with the same first line) is
// sent marked "reset", so the server takes it instead of ignoring it as old.
// Batches without positions (syslog, exec, host_metrics) are at-least-once.
// Metric samples are sent marked for verbatim storing
// (otlp_metrics_encode.hpp), so the server keeps their names and kinds.
//
// Requests go on one kept-open connection (HttpConnection). Once the
// server's answer says it stores an agent's requests in order
// (X-Sluice-Pipelining: ordered), write_group() keeps up to 3 in flight, so
// the server decodes the next while it stores one; after a failed one the
// server closes the connection without storing the later ones, which the
// engine then retries after it, in order.
//
// Outcome classification (the engine retries with backoff): 2xx -> Ok; 408,
// 429, 5xx and network errors -> Retry; other statuses -> Fatal.
//
// Thread-safety: write() and write_group() on the sink's worker thread;
// committed_positions() from the pipeline's thread before the sources start.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/options.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sinks/buffer/buffer_options.hpp"

namespace sluice {

struct SluiceSinkOptions {
  std::string endpoint;  ///< "http://host:port" of the server's otlp source
  std::string stream;    ///< X-Sluice-Stream; "" = the server source's `stream`
  std::string agent_id;  ///< "" = this host's name
  std::string compression = "zstd";
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);
  uint64_t max_batch_bytes = 4ULL << 20;                                     ///< encoded request, before compression
  std::chrono::nanoseconds positions_timeout = std::chrono::nanoseconds(0);  ///< 0 = no limit
  std::vector<std::string> headers;                                          ///< "Name: value"
  BufferOptions buffer;  ///< applied by the registry (with_buffer), not by make_sluice_sink
};

const OptionTable<SluiceSinkOptions>& sluice_sink_option_table();

/// Encoders of OTLP request bodies (binary Export{Logs,Metrics,Trace}ServiceRequest)
/// with positions JSON, when not empty, in the body (kSluicePositionsField).
/// The registry passes the otlp source's encode_otlp_{logs,metrics,traces}_proto
/// (the sinks library does not link the protobuf classes); tests pass
/// stand-ins.
/// The logs encoder writes into `*out`, replacing its content (its
/// capacity reused: prepare() keeps one buffer per thread).
using OtlpLogsEncoder =
    std::function<void(std::span<const LogRecord> records, std::string_view positions, std::string* out)>;
using OtlpMetricsEncoder =
    std::function<std::string(std::span<const MetricSample> samples, std::string_view positions)>;
using OtlpTracesEncoder = std::function<std::string(std::span<const Span> spans, std::string_view positions)>;

struct SluiceEncoders {
  OtlpLogsEncoder logs;
  OtlpMetricsEncoder metrics;
  OtlpTracesEncoder traces;
};

/// Owned by the pipeline. InvalidArgument for an endpoint that is not
/// http://host[:port], a bad stream name or agent id, a header without ':',
/// or a missing encoder.
Result<std::unique_ptr<Sink>> make_sluice_sink(const SluiceSinkOptions& options, SluiceEncoders encoders);

}  // namespace sluice
