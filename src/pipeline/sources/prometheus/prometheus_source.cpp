#include "pipeline/sources/prometheus/prometheus_source.hpp"

#include <spdlog/spdlog.h>

#include <mutex>

#include "common/compression.hpp"
#include "model/stream_name.hpp"
#include "pipeline/sources/prometheus/remote_write_decoder.hpp"

namespace sluice {
namespace {

constexpr const char* kWritePath = "/api/v1/write";

HttpResponse text(int status, std::string body) {
  if (!body.empty() && body.back() != '\n') body += '\n';
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body)};
}

/// 413 for ResourceExhausted, 400 otherwise.
HttpResponse bad_body(const Status& st) {
  return text(st.code() == StatusCode::kResourceExhausted ? 413 : 400, st.message());
}

/// Lower-case copy.
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

/// Empty when the Content-Type is one remote_write 1.0 accepts (absent,
/// application/x-protobuf, optionally with proto=prometheus.WriteRequest),
/// else the reason for 415.
std::string unsupported_content_type(const std::string& content_type) {
  if (content_type.empty()) return "";
  if (media_type(content_type) != "application/x-protobuf") {
    return "Content-Type \"" + content_type + "\" is not supported; expected application/x-protobuf";
  }
  std::string ct = lower(content_type);
  auto at = ct.find("proto=");
  if (at == std::string::npos) return "";
  std::string proto = ct.substr(at + 6);
  proto = proto.substr(0, proto.find(';'));
  while (!proto.empty() && (proto.back() == ' ' || proto.back() == '"')) proto.pop_back();
  while (!proto.empty() && (proto.front() == ' ' || proto.front() == '"')) proto.erase(0, 1);
  if (proto == "prometheus.writerequest") return "";
  return "Content-Type proto=" + proto +
         " is not supported: this receiver speaks remote_write 1.0 (proto=prometheus.WriteRequest)";
}

}  // namespace

const OptionTable<PrometheusSourceOptions>& prometheus_source_option_table() {
  static const OptionTable<PrometheusSourceOptions> table = [] {
    using O = PrometheusSourceOptions;
    OptionTable<O> t;
    add_http_listener_options(t, "127.0.0.1:9090");
    t.add_string("stream", &O::stream, "metrics",
                 "The metrics stream every received sample is stored in ([a-z0-9_.-]{1,64}).");
    t.add_enum("name_validation", &O::name_validation, "utf8", {"utf8", "legacy"},
               "Which label and metric names are accepted: utf8 (any non-empty UTF-8, as Prometheus 3) or legacy "
               "([a-zA-Z_][a-zA-Z0-9_]* labels, [a-zA-Z_:][a-zA-Z0-9_:]* metric names, as remote_write 1.0 "
               "specifies). A series with another name gets the request answered 400.");
    t.add_integer("max_metadata_families", &O::max_metadata_families, 10000, 0, 10000000,
                  "How many metric families' types (from MetricMetadata, which Prometheus sends in requests of "
                  "their own) are remembered to set the kind of later samples; when full, the memory is "
                  "cleared and filled again. 0: only a request's own metadata is used.");
    return t;
  }();
  return table;
}

Status validate_prometheus_source_options(const PrometheusSourceOptions& o) {
  if (!valid_stream_name(o.stream)) {
    return Status::InvalidArgument("stream: \"" + o.stream + "\" must match [a-z0-9_.-]{1,64}");
  }
  return Status::Ok();
}

PrometheusSource::PrometheusSource(std::string name, PrometheusSourceOptions options)
    : HttpListenerSource(std::move(name), options), options_(std::move(options)) {
  auto& m = MetricsRegistry::global();
  const std::string help = "Parts of remote_write requests that the prometheus_remote_write source does not store.";
  skipped_histograms_ = &m.counter("sluice_prometheus_remote_write_skipped_total", help,
                                   {{"component", this->name()}, {"what", "native_histograms"}});
  skipped_exemplars_ = &m.counter("sluice_prometheus_remote_write_skipped_total", help,
                                  {{"component", this->name()}, {"what", "exemplars"}});
}

PrometheusSource::~PrometheusSource() { stop(); }

HttpResponse PrometheusSource::handle(const HttpRequest& request) {
  const bool get = request.method == "GET" || request.method == "HEAD";
  HttpResponse r;
  if (request.path == kWritePath) {
    r = request.method == "POST" ? write(request) : text(405, "method " + request.method + " not allowed; use POST");
  } else if (get && (request.path == "/-/healthy" || request.path == "/-/ready")) {
    r = text(200, "ok");
  } else {
    r = text(404, "404 page not found: " + request.method + " " + request.path + " (remote_write goes to POST " +
                      kWritePath + ")");
  }
  if (request.method == "HEAD") r.body.clear();  // HTTP: a HEAD answer has no body
  return r;
}

HttpResponse PrometheusSource::write(const HttpRequest& request) {
  if (std::string why = unsupported_content_type(request.header("content-type")); !why.empty()) {
    return text(415, why);
  }
  const std::string encoding = lower(request.header("content-encoding"));
  if (!encoding.empty() && encoding != "snappy") {
    return text(415, "Content-Encoding \"" + encoding + "\" is not supported; remote_write bodies are snappy");
  }
  // The body is a Snappy block whether or not the header says so (remote_write 1.0 knows no other encoding).
  auto body = decompress(Compression::kSnappy, request.body, options_.max_decompressed_bytes);
  if (!body.ok()) return bad_body(body.status().with_context("snappy"));

  RemoteWriteDecodeOptions o;
  o.name_validation = options_.name_validation == "legacy" ? NameValidation::kLegacy : NameValidation::kUtf8;
  o.max_sample_bytes = options_.max_decompressed_bytes * kSampleBytesPerBodyByte;
  DecodedWriteRequest decoded;
  Status st;
  {
    std::shared_lock<std::shared_mutex> l(types_mu_);
    o.remembered = remembered_.empty() ? nullptr : &remembered_;
    st = decode_remote_write(*body, o, &decoded);
  }
  if (!st.ok()) {
    spdlog::debug("sources.{}: rejected a write request: {}", name(), st.message());
    return bad_body(st);
  }
  remember(decoded.metadata);
  if (decoded.histograms > 0) {
    skipped_histograms_->inc(decoded.histograms);
    if (!warned_histograms_.exchange(true)) {
      spdlog::warn(
          "sources.{}: skipping native histogram samples (not supported; counted in "
          "sluice_prometheus_remote_write_skipped_total); float samples are stored",
          name());
    }
  }
  if (decoded.exemplars > 0) skipped_exemplars_->inc(decoded.exemplars);

  const size_t samples = decoded.samples.size();
  HttpResponse ok{204, "text/plain; charset=utf-8", ""};
  ok.headers = {{"X-Prometheus-Remote-Write-Samples-Written", std::to_string(samples)},
                {"X-Prometheus-Remote-Write-Histograms-Written", "0"},
                {"X-Prometheus-Remote-Write-Exemplars-Written", "0"}};
  if (samples == 0) return ok;
  LogBatch batch;
  batch.stream = options_.stream;
  batch.samples = std::move(decoded.samples);
  st = deliver(std::move(batch));
  if (st.ok()) return ok;
  if (st.code() == StatusCode::kInvalidArgument) return text(400, st.message());
  return text(503, st.message());
}

void PrometheusSource::remember(const MetricTypes& metadata) {
  if (metadata.empty() || options_.max_metadata_families <= 0) return;
  const auto cap = static_cast<size_t>(options_.max_metadata_families);
  std::unique_lock<std::shared_mutex> l(types_mu_);
  for (const auto& [family, type] : metadata) {
    auto it = remembered_.find(family);
    if (it != remembered_.end()) {
      it->second = type;
      continue;
    }
    if (remembered_.size() >= cap) remembered_.clear();  // Prometheus resends all metadata every minute
    remembered_.emplace(family, type);
  }
}

Result<std::unique_ptr<Source>> make_prometheus_source(const std::string& name,
                                                       const PrometheusSourceOptions& options) {
  SLUICE_RETURN_IF_ERROR(validate_prometheus_source_options(options));
  return std::unique_ptr<Source>(std::make_unique<PrometheusSource>(name, options));
}

}  // namespace sluice
