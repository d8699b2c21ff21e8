// The `elasticsearch` source: the Elasticsearch _bulk API, so that Filebeat,
// Fluent Bit's es output, Vector's elasticsearch sink, Logstash and the
// official clients can ship to sluice unchanged
// (docs/protocols/elasticsearch.md).
//
// Endpoints:
//   POST|PUT /_bulk, /{index}/_bulk   NDJSON action/source pairs (optionally
//                                     gzip), see bulk_parser.hpp
//   probe and setup endpoints          see es_probes.hpp
//   anything else                      404 in Elasticsearch's error format
// Accepted documents are grouped into one batch per stream (the index mapped
// by stream_for_index(), or the configured `stream`) and every batch is
// delivered before the answer. The answer is Elasticsearch's bulk response
// (200, items in request order, errors:true when an item failed); 503 when a
// batch was not durable in time (the client retries the whole request;
// batches that were durable are then stored twice: at-least-once); 400 for a
// malformed body, 413 for a body past the limits, 415 for an unknown
// Content-Encoding.
//
// Thread-safety: requests are handled concurrently on connection threads.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "config/options.hpp"
#include "pipeline/sources/http_listener.hpp"

namespace sluice {

struct ElasticsearchSourceOptions : HttpListenerOptions {
  std::string stream;                          ///< "" = the stream is the document's index
  std::string message_field = "message";       ///< flattened field that becomes the body
  std::string timestamp_field = "@timestamp";  ///< flattened field that becomes the timestamp
};

/// The option table of the `elasticsearch` source. Built once; thread-safe.
const OptionTable<ElasticsearchSourceOptions>& elasticsearch_source_option_table();

/// Checks what the table cannot: `stream` is "" or a valid stream name, the
/// field names are not empty. InvalidArgument naming the option otherwise.
Status validate_elasticsearch_source_options(const ElasticsearchSourceOptions& options);

class ElasticsearchSource : public HttpListenerSource {
 public:
  ElasticsearchSource(std::string name, ElasticsearchSourceOptions options);
  ~ElasticsearchSource() override;

  /// Answers one request (public so tests can call it without a socket;
  /// a _bulk request still needs start() first, for delivery).
  HttpResponse handle(const HttpRequest& request) override;
  /// Answers one request (handle() adds the product header).
  HttpResponse route(const HttpRequest& request);

 private:
  HttpResponse bulk(const HttpRequest& request, const std::string& path_index);

  ElasticsearchSourceOptions options_;
  std::atomic<uint64_t> seq_no_{0};  ///< _seq_no of the next accepted document
};

/// Factory for the registry.
Result<std::unique_ptr<Source>> make_elasticsearch_source(const std::string& name,
                                                          const ElasticsearchSourceOptions& options);

}  // namespace sluice
