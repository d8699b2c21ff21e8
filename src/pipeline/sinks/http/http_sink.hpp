// The `http` sink: POSTs (or PUTs) each batch as one request (NDJSON by default), on
// a connection kept open between requests (HTTP/1.1 keep-alive), to an
// HTTP endpoint — another sluice's `/api/v1/streams/{s}/records`, or
// any service that takes NDJSON (Vector's `http` sink, Fluent Bit's `http`
// output).
//
// Outcome classification (the engine retries with backoff): 2xx -> Ok;
// 408, 429, 5xx and network errors -> Retry; other statuses -> Fatal (the
// batch is counted as discarded). A batch is acknowledged upstream only
// after a 2xx.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "config/options.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sinks/buffer/buffer_options.hpp"

namespace sluice {

struct HttpSinkOptions {
  std::string endpoint;
  std::string method = "POST";
  std::string encoding = "ndjson";
  std::string compression = "none";
  std::vector<std::string> headers;  ///< "Name: value"
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);
  BufferOptions buffer;  ///< applied by the registry (with_buffer), not by make_http_sink
};

const OptionTable<HttpSinkOptions>& http_sink_option_table();

/// Owned by the pipeline; write() on one thread at a time (the sink's
/// worker, or the disk buffer's drain thread).
/// InvalidArgument for an endpoint that is not http://host[:port]/path or a
/// header without ':'.
Result<std::unique_ptr<Sink>> make_http_sink(const HttpSinkOptions& options);

}  // namespace sluice
