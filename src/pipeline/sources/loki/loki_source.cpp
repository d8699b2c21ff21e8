#include "pipeline/sources/loki/loki_source.hpp"

#include "model/stream_name.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "common/compression.hpp"
#include "pipeline/sources/loki/push_decoder.hpp"

namespace sluice {
namespace {

HttpResponse text(int status, std::string body) {
  if (!body.empty() && body.back() != '\n') body += '\n';
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body)};
}

/// 413 for ResourceExhausted, 400 otherwise.
HttpResponse bad_body(const Status& st) {
  return text(st.code() == StatusCode::kResourceExhausted ? 413 : 400, st.message());
}

}  // namespace

const OptionTable<LokiSourceOptions>& loki_source_option_table() {
  static const OptionTable<LokiSourceOptions> table = [] {
    using O = LokiSourceOptions;
    OptionTable<O> t;
    add_http_listener_options(t, "127.0.0.1:3100");
    t.add_string("stream", &O::stream, "loki", "The stream every pushed entry is stored in ([a-z0-9_.-]{1,64}).");
    t.add_string("tenant_attribute", &O::tenant_attribute, "tenant",
                 "The resource key that receives the X-Scope-OrgID header (Loki's tenant) when a push carries it; "
                 "empty: the header is ignored.");
    return t;
  }();
  return table;
}

Status validate_loki_source_options(const LokiSourceOptions& o) {
  if (!valid_stream_name(o.stream)) {
    return Status::InvalidArgument("stream: \"" + o.stream + "\" must match [a-z0-9_.-]{1,64}");
  }
  return Status::Ok();
}

LokiSource::LokiSource(std::string name, LokiSourceOptions options)
    : HttpListenerSource(std::move(name), options), options_(std::move(options)) {}

LokiSource::~LokiSource() { stop(); }

HttpResponse LokiSource::handle(const HttpRequest& request) {
  HttpResponse r = route(request);
  if (request.method == "HEAD") r.body.clear();  // HTTP: a HEAD answer has no body
  return r;
}

HttpResponse LokiSource::route(const HttpRequest& request) {
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (request.path == "/loki/api/v1/push") {
    if (request.method != "POST") return text(405, "method " + request.method + " not allowed; use POST");
    return push(request);
  }
  if (request.path == "/ready" && get) return text(200, "ready");
  if (request.path == "/loki/api/v1/status/buildinfo" && get) {
    return HttpResponse{200, "application/json",
                        "{\"version\":\"3.0.0\",\"revision\":\"sluice\",\"branch\":\"\",\"buildUser\":\"\","
                        "\"buildDate\":\"\",\"goVersion\":\"\"}\n"};
  }
  return text(404, "404 page not found: " + request.method + " " + request.path);
}

HttpResponse LokiSource::push(const HttpRequest& request) {
  const size_t cap = options_.max_decompressed_bytes;
  const bool json = media_type(request.header("content-type")) == "application/json";
  auto encoding = compression_from_name(request.header("content-encoding"));
  if (!encoding.ok()) return text(415, encoding.status().message());
  std::string body;
  {
    auto r = read_body(request);
    if (!r.ok()) return bad_body(r.status());
    body = std::move(*r);
  }
  // Protobuf bodies are Snappy blocks (Loki's default for every content type
  // but JSON), unless Content-Encoding: snappy already undid that.
  if (!json && *encoding != Compression::kSnappy) {
    auto r = decompress(Compression::kSnappy, body, cap);
    if (!r.ok()) return bad_body(r.status().with_context("snappy"));
    body = std::move(*r);
  }
  LogBatch batch;
  batch.stream = options_.stream;
  const size_t max_record_bytes = cap * kRecordBytesPerBodyByte;
  Status st = json ? decode_loki_push_json(body, max_record_bytes, &batch.records)
                   : decode_loki_push_protobuf(body, max_record_bytes, &batch.records);
  if (!st.ok()) {
    spdlog::debug("sources.{}: rejected a push: {}", name(), st.message());
    return bad_body(st);
  }
  const int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string tenant = request.header("x-scope-orgid");
  make_valid_utf8(tenant);
  for (auto& r : batch.records) {
    r.observed_timestamp_ns = now;
    if (!tenant.empty() && !options_.tenant_attribute.empty()) {
      set_key_value(r.resource, options_.tenant_attribute, tenant);
    }
  }
  st = deliver(std::move(batch));
  if (st.ok()) return HttpResponse{204, "text/plain; charset=utf-8", ""};
  if (st.code() == StatusCode::kInvalidArgument) return text(400, st.message());
  return text(503, st.message());
}

Result<std::unique_ptr<Source>> make_loki_source(const std::string& name, const LokiSourceOptions& options) {
  SLUICE_RETURN_IF_ERROR(validate_loki_source_options(options));
  return std::unique_ptr<Source>(std::make_unique<LokiSource>(name, options));
}

}  // namespace sluice
