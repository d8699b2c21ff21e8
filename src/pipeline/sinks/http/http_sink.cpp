#include "pipeline/sinks/http/http_sink.hpp"

#include "common/compression.hpp"
#include "net/http_client.hpp"
#include "pipeline/sinks/encoding.hpp"
#include "pipeline/sinks/http_post.hpp"

namespace sluice {

const OptionTable<HttpSinkOptions>& http_sink_option_table() {
  static const OptionTable<HttpSinkOptions> kTable = [] {
    BufferedSinkOptionTable<HttpSinkOptions> t;
    t.add_string("endpoint", &HttpSinkOptions::endpoint, "",
                 "URL to send each batch to, http://host:port/path (e.g. another sluice's "
                 "http://host:7070/api/v1/streams/app/records).",
                 true)
        .add_enum("method", &HttpSinkOptions::method, "POST", {"POST", "PUT"}, "HTTP method.")
        .add_enum("encoding", &HttpSinkOptions::encoding, "ndjson", sink_encodings(),
                  "ndjson: one OpenTelemetry-shaped JSON object per line; text: the body only.")
        .add_enum("compression", &HttpSinkOptions::compression, "none", {"none", "gzip", "zstd"},
                  "Content-Encoding of the request body.")
        .add_string_list("headers", &HttpSinkOptions::headers, {},
                         "Extra request headers, each \"Name: value\" (e.g. \"Authorization: Bearer ...\").")
        .add_duration("timeout", &HttpSinkOptions::timeout, "30s", "100ms", "10m",
                      "Connect + send + answer; past it the batch is retried.");
    t.add_buffer(&HttpSinkOptions::buffer);
    return t;
  }();
  return kTable;
}

namespace {

class HttpSink final : public Sink {
 public:
  HttpSink(HttpSinkOptions o, Compression c, std::vector<std::pair<std::string, std::string>> headers)
      : options_(std::move(o)), compression_(c), headers_(std::move(headers)), conn_(options_.endpoint) {}

  SinkResult write(LogBatch& batch, std::string* error) override {
    HttpClientRequest req;
    req.method = options_.method;
    req.url = options_.endpoint;
    req.timeout = options_.timeout;
    req.max_response_bytes = 1 << 20;
    req.headers = headers_;
    req.headers.emplace_back("Content-Type",
                             options_.encoding == "text" ? "text/plain; charset=utf-8" : "application/x-ndjson");
    encode_batch(req.body, batch, options_.encoding);
    SinkResult r = encode_next_hop_body(req, compression_, CompressionLevel::kDefault, false, error);
    if (r != SinkResult::kOk) return r;
    return next_hop_outcome(conn_.round_trip(req), req.url, error);
  }

 private:
  HttpSinkOptions options_;
  Compression compression_;
  std::vector<std::pair<std::string, std::string>> headers_;
  /// Kept open between requests (keep-alive), as Vector's and Fluent Bit's
  /// `http` outputs do; reopened after a failure or a "Connection: close"
  /// answer. Used by one thread at a time: the sink's worker, or the disk
  /// buffer's drain thread with buffer.type = "disk".
  HttpConnection conn_;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_http_sink(const HttpSinkOptions& options) {
  if (options.endpoint.rfind("http://", 0) != 0 || options.endpoint.size() <= 7) {
    return Status::InvalidArgument("endpoint \"" + options.endpoint + "\" must be http://host:port/path");
  }
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& h : options.headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument("headers: \"" + h + "\" must be \"Name: value\"");
    }
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    headers.emplace_back(h.substr(0, colon), value);
  }
  SLUICE_ASSIGN_OR_RETURN(Compression c, compression_from_name(options.compression));
  return std::unique_ptr<Sink>(std::make_unique<HttpSink>(options, c, std::move(headers)));
}

}  // namespace sluice
