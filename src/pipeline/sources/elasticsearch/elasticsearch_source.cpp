#include "pipeline/sources/elasticsearch/elasticsearch_source.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <vector>

#include "common/compression.hpp"
#include "pipeline/sources/elasticsearch/bulk_parser.hpp"
#include "pipeline/sources/elasticsearch/bulk_response.hpp"
#include "pipeline/sources/elasticsearch/es_probes.hpp"
#include "pipeline/sources/elasticsearch/index_name.hpp"

namespace sluice {
namespace {

/// Memory the decoded documents of one request may take, per byte of
/// max_decompressed_bytes (as the loki source).
constexpr size_t kRecordBytesPerBodyByte = 8;

HttpResponse es_error(int status, std::string_view type, std::string_view reason) {
  return HttpResponse{status, "application/json", es_error_body(status, type, reason)};
}

int64_t now_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

const OptionTable<ElasticsearchSourceOptions>& elasticsearch_source_option_table() {
  static const OptionTable<ElasticsearchSourceOptions> table = [] {
    using O = ElasticsearchSourceOptions;
    OptionTable<O> t;
    add_http_listener_options(t, "127.0.0.1:9200");
    t.add_string("stream", &O::stream, "",
                 "The stream every document goes to. Empty: each document goes to the stream named after its "
                 "index (lower-cased, characters outside [a-z0-9_.-] replaced by '_', at most 64 characters).");
    t.add_string("message_field", &O::message_field, "message",
                 "The document field (dotted path for nested objects) that becomes the record body.");
    t.add_string("timestamp_field", &O::timestamp_field, "@timestamp",
                 "The document field that becomes the record timestamp (RFC 3339 or epoch milliseconds); a value "
                 "that does not parse stays an attribute.");
    return t;
  }();
  return table;
}

Status validate_elasticsearch_source_options(const ElasticsearchSourceOptions& o) {
  if (!o.stream.empty() && !valid_stream_name(o.stream)) {
    return Status::InvalidArgument("stream: \"" + o.stream + "\" must be empty or match [a-z0-9_.-]{1,64}");
  }
  if (o.message_field.empty()) return Status::InvalidArgument("message_field must not be empty");
  if (o.timestamp_field.empty()) return Status::InvalidArgument("timestamp_field must not be empty");
  return Status::Ok();
}

ElasticsearchSource::ElasticsearchSource(std::string name, ElasticsearchSourceOptions options)
    : HttpListenerSource(std::move(name), options), options_(std::move(options)) {}

ElasticsearchSource::~ElasticsearchSource() { stop(); }

// Every answer says it is Elasticsearch: the official 8.x clients refuse a
// server without X-Elastic-Product.
HttpResponse ElasticsearchSource::handle(const HttpRequest& request) {
  HttpResponse r = route(request);
  r.headers.emplace_back("X-Elastic-Product", "Elasticsearch");
  return r;
}

HttpResponse ElasticsearchSource::route(const HttpRequest& request) {
  const std::string& p = request.path;
  constexpr std::string_view kBulk = "/_bulk";
  if (p.size() >= kBulk.size() && p.compare(p.size() - kBulk.size(), kBulk.size(), kBulk) == 0) {
    std::string index = p.substr(0, p.size() - kBulk.size());
    if (index.empty() || (index.find('/', 1) == std::string::npos && index.size() > 1)) {
      if (request.method != "POST" && request.method != "PUT") {
        return es_error(
            405, "method_not_allowed_exception",
            "Incorrect HTTP method for uri [" + p + "] and method [" + request.method + "], allowed: [POST, PUT]");
      }
      return bulk(request, index.empty() ? "" : index.substr(1));
    }
  }
  if (auto r = answer_es_probe(request, name())) return *r;
  HttpResponse r = es_error(404, "resource_not_found_exception",
                            "no handler found for uri [" + p + "] and method [" + request.method + "]");
  if (request.method == "HEAD") r.body.clear();
  return r;
}

HttpResponse ElasticsearchSource::bulk(const HttpRequest& request, const std::string& path_index) {
  const auto start = std::chrono::steady_clock::now();
  auto encoding = compression_from_name(request.header("content-encoding"));
  if (!encoding.ok()) return es_error(415, "illegal_argument_exception", encoding.status().message());
  auto body = read_body(request);
  if (!body.ok()) {
    if (body.status().code() == StatusCode::kResourceExhausted) {
      return es_error(413, "content_too_long_exception", body.status().message());
    }
    return es_error(400, "parse_exception", body.status().message());
  }
  BulkParseOptions po;
  po.path_index = path_index;
  po.message_field = options_.message_field;
  po.timestamp_field = options_.timestamp_field;
  po.max_record_bytes = options_.max_decompressed_bytes * kRecordBytesPerBodyByte;
  BulkParser parser;
  auto parsed = parser.parse(*body, po);
  if (!parsed.ok()) {
    spdlog::debug("sources.{}: rejected a _bulk request: {}", name(), parsed.status().message());
    if (parsed.status().code() == StatusCode::kResourceExhausted) {
      return es_error(413, "content_too_long_exception", parsed.status().message());
    }
    return es_error(400, "illegal_argument_exception", parsed.status().message());
  }
  std::vector<BulkItem>& items = *parsed;

  // Group the accepted documents by stream, remembering which items each holds.
  const int64_t now = now_nanos();
  std::map<std::string, LogBatch> batches;
  std::map<std::string, std::vector<size_t>> members;
  for (size_t i = 0; i < items.size(); ++i) {
    BulkItem& it = items[i];
    if (it.id.empty()) it.id = generate_document_id();
    if (it.status != 0) continue;
    std::string stream = options_.stream;
    if (stream.empty()) {
      stream = stream_for_index(it.index);
    } else if (it.index.empty()) {
      it.index = stream;
    }
    if (stream.empty()) {
      it.status = 400;
      it.error_type = it.index.empty() ? "action_request_validation_exception" : "invalid_index_name_exception";
      it.error_reason = it.index.empty()
                            ? "Validation Failed: 1: index is missing;"
                            : "Invalid index name [" + it.index + "], it maps to no stream name ([a-z0-9_.-]{1,64})";
      continue;
    }
    it.record.observed_timestamp_ns = now;
    LogBatch& b = batches[stream];
    b.records.push_back(std::move(it.record));
    members[stream].push_back(i);
  }
  uint64_t accepted = 0;
  for (auto& [stream, batch] : batches) {
    batch.stream = stream;
    Status st = deliver(std::move(batch));
    if (st.ok()) {
      accepted += members[stream].size();
      continue;
    }
    if (st.code() != StatusCode::kInvalidArgument) {
      return es_error(503, "unavailable_shards_exception", "stream " + stream + ": " + st.message());
    }
    for (size_t i : members[stream]) {
      items[i].status = 400;
      items[i].error_type = "illegal_argument_exception";
      items[i].error_reason = "stream " + stream + " rejected the document: " + st.message();
    }
  }
  const uint64_t first_seq_no = seq_no_.fetch_add(accepted);
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  return HttpResponse{200, "application/json", encode_bulk_response(items, took, first_seq_no)};
}

Result<std::unique_ptr<Source>> make_elasticsearch_source(const std::string& name,
                                                          const ElasticsearchSourceOptions& options) {
  SLUICE_RETURN_IF_ERROR(validate_elasticsearch_source_options(options));
  return std::unique_ptr<Source>(std::make_unique<ElasticsearchSource>(name, options));
}

}  // namespace sluice
