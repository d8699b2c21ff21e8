#include "pipeline/sinks/sluice/sluice_sink.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <climits>
#include <map>
#include <mutex>

#include "common/compression.hpp"
#include "model/stream_name.hpp"
#include "net/http_client.hpp"
#include "pipeline/sinks/sluice/sluice_positions_client.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {

const OptionTable<SluiceSinkOptions>& sluice_sink_option_table() {
  static const OptionTable<SluiceSinkOptions> kTable = [] {
    using O = SluiceSinkOptions;
    BufferedSinkOptionTable<O> t;
    t.add_string("endpoint", &O::endpoint, "",
                 "Base URL of the sluice server's otlp source (its OTLP/HTTP listener), e.g. "
                 "\"http://logs.example:4318\"; records go to <endpoint>/v1/logs.",
                 true)
        .add_string("stream", &O::stream, "",
                    "Stream on the server to store the records in ([a-z0-9_.-]{1,64}, sent as X-Sluice-Stream). "
                    "Empty: the server's otlp source's `stream`.")
        .add_string("agent_id", &O::agent_id, "",
                    "This agent's name on the server ([A-Za-z0-9._:@-]{1,255}); the server keeps the positions "
                    "of each agent apart by it, so it must be unique and stable. Empty: the host name.")
        .add_enum("compression", &O::compression, "zstd", {"zstd", "gzip", "none"},
                  "Content-Encoding of the request body.")
        .add_duration("timeout", &O::timeout, "30s", "100ms", "10m",
                      "Connect + send + answer of one request; past it the batch is retried.")
        .add_size("max_batch_bytes", &O::max_batch_bytes, "4MiB", "1KiB", "1GiB",
                  "Largest request body before compression. A larger batch without source positions is split "
                  "into several requests; one with positions is sent whole (splitting it would break "
                  "exactly-once), so keep sources' batches smaller than the server's max_decompressed_bytes.")
        .add_duration("positions_timeout", &O::positions_timeout, "0s", "0s", "24h",
                      "At start, how long to wait for the server to say which positions it has; past it, "
                      "sources start per their start_at and the server drops the batches it already has "
                      "(whole batches only). 0s: wait until the server answers.")
        .add_string_list("headers", &O::headers, {},
                         "Extra request headers, each \"Name: value\" (e.g. \"Authorization: Bearer ...\").");
    t.add_buffer(&O::buffer);
    return t;
  }();
  return kTable;
}

namespace {

/// Owned by the pipeline; write() on the sink's worker thread,
/// committed_positions() on the pipeline's thread as each source starts;
/// `committed_` is guarded by `mu_`.
class SluiceSink final : public Sink {
 public:
  SluiceSink(SluiceSinkOptions o, std::string endpoint, Compression c,
             std::vector<std::pair<std::string, std::string>> headers, OtlpLogsEncoder encode)
      : options_(std::move(o)),
        endpoint_(std::move(endpoint)),
        compression_(c),
        headers_(std::move(headers)),
        encode_(std::move(encode)) {}

  SinkResult write(LogBatch& batch, std::string* error) override {
    if (!batch.samples.empty()) {
      *error = "the sluice sink ships log records only; " + std::to_string(batch.samples.size()) +
               " metric samples cannot be sent";
      return SinkResult::kFatal;
    }
    if (batch.records.empty() && batch.positions.empty()) return SinkResult::kOk;
    if (batch.positions.empty()) return write_in_parts(batch, error);
    std::vector<SluicePosition> sent;
    sent.reserve(batch.positions.size());
    {
      std::lock_guard<std::mutex> l(mu_);
      for (const auto& p : batch.positions) {
        auto it = committed_.find({p.source, p.key});
        sent.push_back(SluicePosition{p.source, p.key, p.offset, it != committed_.end() && p.offset < it->second});
      }
    }
    std::string positions;
    append_sluice_positions_json(positions, sent);
    const bool in_header = fits_sluice_positions_header(positions);
    std::string body = encode_(batch.records, in_header ? std::string_view() : std::string_view(positions));
    if (body.size() > options_.max_batch_bytes && !warned_large_) {
      warned_large_ = true;
      spdlog::warn(
          "sluice sink {}: a batch of {} records with source positions encodes to {} bytes, over "
          "max_batch_bytes ({}); it is sent whole (make the source's batches smaller if the server "
          "refuses it)",
          endpoint_, batch.records.size(), body.size(), options_.max_batch_bytes);
    }
    SinkResult r = send(std::move(body), in_header ? &positions : nullptr, error);
    if (r == SinkResult::kOk) {
      std::lock_guard<std::mutex> l(mu_);
      for (const auto& p : sent) committed_[{p.source, p.key}] = p.offset;
    }
    return r;
  }

  bool commits_positions() const override { return true; }

  std::unordered_map<std::string, uint64_t> committed_positions(const std::string& source) override {
    PositionsQuery q;
    q.endpoint = endpoint_;
    q.agent = options_.agent_id;
    q.source = source;
    q.headers = headers_;
    q.request_timeout = options_.timeout;
    q.give_up_after = options_.positions_timeout;
    auto committed = fetch_committed_positions(q);
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [key, offset] : committed) committed_[{source, key}] = offset;
    return committed;
  }

 private:
  /// A batch without positions (at-least-once): in requests of at most
  /// max_batch_bytes where the records allow. After a part fails, the parts
  /// sent are removed from the batch, so that the retry does not send them
  /// again.
  SinkResult write_in_parts(LogBatch& batch, std::string* error) {
    std::span<const LogRecord> all(batch.records);
    size_t done = 0;
    while (done < all.size()) {
      size_t take = all.size() - done;
      std::string body = encode_(all.subspan(done, take), {});
      while (body.size() > options_.max_batch_bytes && take > 1) {
        // Scale down by the overshoot, with 10% to spare; at least halve.
        double fit = static_cast<double>(options_.max_batch_bytes) / static_cast<double>(body.size()) * 0.9;
        take = std::max<size_t>(1, std::min(take / 2, static_cast<size_t>(static_cast<double>(take) * fit)));
        body = encode_(all.subspan(done, take), {});
      }
      SinkResult r = send(std::move(body), nullptr, error);
      if (r != SinkResult::kOk) {
        batch.records.erase(batch.records.begin(), batch.records.begin() + static_cast<std::ptrdiff_t>(done));
        return r;
      }
      done += take;
    }
    return SinkResult::kOk;
  }

  /// POSTs one request body; `positions` (JSON) goes in the header when set.
  SinkResult send(std::string body, const std::string* positions, std::string* error) {
    HttpClientRequest req;
    req.method = "POST";
    req.url = endpoint_ + "/v1/logs";
    req.timeout = options_.timeout;
    req.max_response_bytes = 1 << 20;
    req.headers = headers_;
    req.headers.emplace_back("Content-Type", "application/x-protobuf");
    req.headers.emplace_back(kSluiceAgentHeader, options_.agent_id);
    if (!options_.stream.empty()) req.headers.emplace_back(kSluiceStreamHeader, options_.stream);
    if (positions != nullptr) req.headers.emplace_back(kSluicePositionsHeader, *positions);
    if (compression_ != Compression::kNone) {
      auto packed = compress(compression_, body);
      if (!packed.ok()) {
        *error = packed.status().to_string();
        return SinkResult::kRetry;
      }
      body = std::move(*packed);
      req.headers.emplace_back("Content-Encoding", compression_name(compression_));
    }
    req.body = std::move(body);
    auto res = http_send(req);
    if (!res.ok()) {
      *error = res.status().to_string();
      return res.status().code() == StatusCode::kInvalidArgument ? SinkResult::kFatal : SinkResult::kRetry;
    }
    if (res->status >= 200 && res->status < 300) return SinkResult::kOk;
    *error = req.url + " answered " + std::to_string(res->status) + ": " + res->body.substr(0, 500);
    bool retry = res->status == 408 || res->status == 429 || res->status >= 500;
    return retry ? SinkResult::kRetry : SinkResult::kFatal;
  }

  SluiceSinkOptions options_;
  std::string endpoint_;  ///< without a trailing '/'
  Compression compression_;
  std::vector<std::pair<std::string, std::string>> headers_;
  OtlpLogsEncoder encode_;
  bool warned_large_ = false;
  /// (source, key) -> offset the server has: learned at start, raised by
  /// every batch it took. A batch position below it marks a reset (its key
  /// started over, e.g. a truncated file with the same first line).
  std::map<std::pair<std::string, std::string>, uint64_t> committed_;  // guarded by mu_
  std::mutex mu_;  ///< committed_positions() for one source may run while another source's batches are written
};

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

}  // namespace

Result<std::unique_ptr<Sink>> make_sluice_sink(const SluiceSinkOptions& options, OtlpLogsEncoder encode) {
  SluiceSinkOptions o = options;
  std::string endpoint = o.endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  // Tolerate the full OTLP path, as OTEL_EXPORTER_OTLP_LOGS_ENDPOINT spells it.
  constexpr std::string_view kLogsPath = "/v1/logs";
  if (endpoint.size() > kLogsPath.size() && endpoint.ends_with(kLogsPath)) {
    endpoint.resize(endpoint.size() - kLogsPath.size());
  }
  if (endpoint.rfind("http://", 0) != 0 || endpoint.size() <= 7) {
    return Status::InvalidArgument("endpoint: \"" + o.endpoint + "\" must be http://host:port");
  }
  if (!o.stream.empty() && !valid_stream_name(o.stream)) {
    return Status::InvalidArgument("stream: \"" + o.stream + "\" must match [a-z0-9_.-]{1,64}");
  }
  if (o.agent_id.empty()) {
    o.agent_id = host_name();
    if (!valid_sluice_agent(o.agent_id)) {
      return Status::InvalidArgument("agent_id: the host name \"" + o.agent_id +
                                     "\" is not a valid agent id ([A-Za-z0-9._:@-]{1,255}); set agent_id");
    }
  } else if (!valid_sluice_agent(o.agent_id)) {
    return Status::InvalidArgument("agent_id: \"" + o.agent_id + "\" must match [A-Za-z0-9._:@-]{1,255}");
  }
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& h : o.headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument("headers: \"" + h + "\" must be \"Name: value\"");
    }
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    headers.emplace_back(h.substr(0, colon), value);
  }
  SLUICE_ASSIGN_OR_RETURN(Compression c, compression_from_name(o.compression));
  return std::unique_ptr<Sink>(
      std::make_unique<SluiceSink>(std::move(o), std::move(endpoint), c, std::move(headers), std::move(encode)));
}

}  // namespace sluice
