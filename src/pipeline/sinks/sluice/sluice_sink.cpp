#include "pipeline/sinks/sluice/sluice_sink.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <type_traits>

#include "common/compression.hpp"
#include "model/stream_name.hpp"
#include "net/http_client.hpp"
#include "pipeline/sinks/http_post.hpp"
#include "pipeline/sinks/sluice/sluice_positions_client.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {

const OptionTable<SluiceSinkOptions>& sluice_sink_option_table() {
  static const OptionTable<SluiceSinkOptions> kTable = [] {
    using O = SluiceSinkOptions;
    BufferedSinkOptionTable<O> t;
    t.add_string("endpoint", &O::endpoint, "",
                 "Base URL of the sluice server's otlp source (its OTLP/HTTP listener), e.g. "
                 "\"http://logs.example:4318\"; log records go to <endpoint>/v1/logs, metric samples to "
                 "<endpoint>/v1/metrics (stored verbatim: same names and kinds), spans to <endpoint>/v1/traces.",
                 true)
        .add_string("stream", &O::stream, "",
                    "Stream on the server to store the batches in ([a-z0-9_.-]{1,64}, sent as X-Sluice-Stream); a "
                    "stream holds one kind, so a sink that ships logs and metrics (or spans) should leave it empty. "
                    "Empty: the server's otlp source's `stream` (logs), `metrics_stream` or `traces_stream`.")
        .add_string("agent_id", &O::agent_id, "",
                    "This agent's name on the server ([A-Za-z0-9._:@-]{1,255}); the server keeps the positions "
                    "of each agent apart by it, so it must be unique and stable. Empty: the host name.")
        .add_enum("compression", &O::compression, "zstd", {"zstd", "gzip", "none"},
                  "Content-Encoding of the request body, at the codec's fastest level (zstd 1, gzip 1).")
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

constexpr std::string_view kLogsPath = "/v1/logs";
constexpr std::string_view kMetricsPath = "/v1/metrics";
constexpr std::string_view kTracesPath = "/v1/traces";

/// What a batch holds, in the order of its offsets (LogBatch::size()).
enum class Signal { kLogs, kMetrics, kTraces };

std::string_view path_of(Signal s) {
  return s == Signal::kLogs ? kLogsPath : s == Signal::kMetrics ? kMetricsPath : kTracesPath;
}

const char* items_of(Signal s) {
  return s == Signal::kLogs ? "records" : s == Signal::kMetrics ? "metric samples" : "spans";
}

/// A request body encoded and compressed by SluiceSink::prepare().
struct PreparedBody {
  Signal kind;
  std::string bytes;        ///< after compression
  size_t encoded_size = 0;  ///< before compression
};

/// Owned by the pipeline; write() on the sink's worker thread,
/// committed_positions() on the pipeline's thread as each source starts;
/// `committed_` is guarded by `mu_`.
class SluiceSink final : public Sink {
 public:
  SluiceSink(SluiceSinkOptions o, std::string endpoint, Compression c,
             std::vector<std::pair<std::string, std::string>> headers, SluiceEncoders encoders)
      : options_(std::move(o)),
        endpoint_(std::move(endpoint)),
        compression_(c),
        headers_(std::move(headers)),
        encoders_(std::move(encoders)) {}

  SinkResult write(LogBatch& batch, std::string* error) override {
    if (batch.empty()) return SinkResult::kOk;
    if (batch.positions.empty()) return write_in_parts(batch, error);
    std::vector<SluicePosition> sent = positions_to_send(batch, nullptr);
    std::string positions;
    append_sluice_positions_json(positions, sent);
    // A source emits one kind per batch, so this is one request. Should a
    // batch hold more than one kind, each kind goes in its own request and
    // only the last carries the positions: the server commits them only
    // once everything before is stored. The kinds already accepted are
    // removed from the batch when a later request fails, so the retry does
    // not send them again; but an agent that crashes between the requests
    // sends them again after its restart (at-least-once for such a batch).
    // A batch with positions only goes to /v1/logs, without records.
    std::vector<Signal> kinds;
    if (!batch.records.empty()) kinds.push_back(Signal::kLogs);
    if (!batch.samples.empty()) kinds.push_back(Signal::kMetrics);
    if (!batch.spans.empty()) kinds.push_back(Signal::kTraces);
    if (kinds.empty()) kinds.push_back(Signal::kLogs);
    for (size_t i = 0; i < kinds.size(); ++i) {
      const bool last = i + 1 == kinds.size();
      bool compressed = false;
      HttpClientRequest req = kind_request(batch, kinds[i], last ? &positions : nullptr, &compressed);
      SinkResult r = start(req, compressed, error);
      if (r == SinkResult::kOk) r = finish(req.url, error);
      if (r != SinkResult::kOk) {
        for (size_t j = 0; j < i; ++j) clear(batch, kinds[j]);
        return r;
      }
    }
    commit(sent);
    return SinkResult::kOk;
  }

  size_t max_group() const override { return kMaxGroup; }

  /// Pipelines the batches that go in one /v1/logs request each (log
  /// records and positions, or positions only: pipelined()) on the
  /// connection, kWindow requests in flight at once, so
  /// that the server decodes the next while it stores one; the others are
  /// written alone in their turn. The server stores a connection's requests
  /// in the order sent and closes it after an answer that is not 2xx
  /// (HttpResponse::finish), so after a failed batch the later ones in
  /// flight fail too and are retried after it, never stored before it.
  void write_group(std::span<LogBatch* const> batches, std::vector<SinkResult>* results,
                   std::vector<std::string>* errors) override {
    struct InFlight {
      size_t index;
      std::vector<SluicePosition> sent;
      std::string url;
    };
    std::deque<InFlight> flight;
    PositionMap ahead;  // the offsets of the batches in flight
    bool hold = false;  // a batch failed: send no later one
    size_t next = 0;
    while (next < batches.size() || !flight.empty()) {
      while (!hold && next < batches.size() && flight.size() < window() && pipelined(*batches[next])) {
        LogBatch& b = *batches[next];
        InFlight f{next, positions_to_send(b, &ahead), {}};
        std::string positions;
        append_sluice_positions_json(positions, f.sent);
        bool compressed = false;
        HttpClientRequest req = kind_request(b, Signal::kLogs, &positions, &compressed);
        f.url = req.url;
        SinkResult r = start(req, compressed, &(*errors)[next]);
        if (r != SinkResult::kOk) {
          (*results)[next++] = r;
          hold = true;
          break;
        }
        flight.push_back(std::move(f));
        ++next;
      }
      if (flight.empty()) {
        if (next >= batches.size()) break;
        if (hold) {
          for (; next < batches.size(); ++next) {
            (*results)[next] = SinkResult::kRetry;
            (*errors)[next] = "not sent: an earlier batch of the same group failed";
          }
          break;
        }
        (*results)[next] = write(*batches[next], &(*errors)[next]);  // not pipelined: alone
        hold = (*results)[next] == SinkResult::kRetry;
        ++next;
        continue;
      }
      InFlight f = std::move(flight.front());
      flight.pop_front();
      SinkResult r = finish(f.url, &(*errors)[f.index]);
      (*results)[f.index] = r;
      if (r == SinkResult::kOk) {
        commit(f.sent);
      } else {
        hold = true;
      }
    }
  }

  /// Encodes and compresses a one-kind batch's request body (without
  /// positions, which depend on what the server has when it is sent) on the
  /// producer's thread, so the sink's worker only sends: the next batch is
  /// encoded while this one is in flight. A body to be compressed is
  /// encoded into a buffer the calling thread keeps (up to 8 MiB of
  /// capacity). Thread-safe: reads only options.
  void prepare(LogBatch& batch) const override {
    const int kinds = !batch.records.empty() + !batch.samples.empty() + !batch.spans.empty();
    if (kinds != 1) return;
    const Signal s = !batch.records.empty()   ? Signal::kLogs
                     : !batch.samples.empty() ? Signal::kMetrics
                                              : Signal::kTraces;
    auto body = std::make_shared<PreparedBody>();
    body->kind = s;
    // A body to be compressed is encoded into a buffer this thread keeps,
    // not zero-filled again for each batch (a new string of the body's
    // size was 2% of the agent's CPU); kept after bodies of up to 4 MiB
    // (its capacity then at most twice that), freed after a larger one.
    constexpr size_t kKeptBytes = 4u << 20;
    thread_local std::string plain;
    std::string& encoded = compression_ != Compression::kNone ? plain : body->bytes;
    encode(batch, s, 0, SIZE_MAX, {}, &encoded);
    body->encoded_size = encoded.size();
    auto bound_kept = [] {
      if (plain.size() > kKeptBytes) std::string().swap(plain);
    };
    // Without positions a body over max_batch_bytes is split at write().
    if (batch.positions.empty() && encoded.size() > options_.max_batch_bytes) return bound_kept();
    if (compression_ != Compression::kNone) {
      auto packed = compress(compression_, encoded, CompressionLevel::kFast);
      bound_kept();
      if (!packed.ok()) return;  // write() tries again and reports it
      body->bytes = std::move(*packed);
    }
    batch.prepared = std::move(body);
    batch.prepared_for = this;
  }

  bool commits_positions() const override { return true; }
  /// Freeing a sent batch's records took 70% of this worker's time, while
  /// no request was in flight.
  bool free_written_items_in_background() const override { return true; }

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
  static size_t count(const LogBatch& b, Signal s) {
    return s == Signal::kLogs ? b.records.size() : s == Signal::kMetrics ? b.samples.size() : b.spans.size();
  }

  static void clear(LogBatch& b, Signal s) {
    b.prepared.reset();  // its body held the items removed here
    if (s == Signal::kLogs) b.records.clear();
    if (s == Signal::kMetrics) b.samples.clear();
    if (s == Signal::kTraces) b.spans.clear();
  }

  /// Removes the first `n` items of kind `s` from `b`.
  static void erase_front(LogBatch& b, Signal s, size_t n) {
    if (n > 0) b.prepared.reset();
    auto erase = [n](auto& v) { v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n)); };
    if (s == Signal::kLogs) erase(b.records);
    if (s == Signal::kMetrics) erase(b.samples);
    if (s == Signal::kTraces) erase(b.spans);
  }

  /// The request body of items [from, from + n) of kind `s` (n clamped),
  /// into `*out` (replaced).
  void encode(const LogBatch& b, Signal s, size_t from, size_t n, std::string_view positions, std::string* out) const {
    auto part = [&](const auto& v) {
      using T = typename std::decay_t<decltype(v)>::value_type;
      return std::span<const T>(v).subspan(from, std::min(n, v.size() - from));
    };
    if (s == Signal::kLogs) {
      encoders_.logs(part(b.records), positions, out);
    } else if (s == Signal::kMetrics) {
      *out = encoders_.metrics(part(b.samples), positions);
    } else {
      *out = encoders_.traces(part(b.spans), positions);
    }
  }
  std::string encode(const LogBatch& b, Signal s, size_t from, size_t n, std::string_view positions) const {
    std::string out;
    encode(b, s, from, n, positions, &out);
    return out;
  }

  /// A batch without positions (at-least-once): each kind in requests of at
  /// most max_batch_bytes where the items allow. After a part fails, the
  /// parts sent are removed from the batch, so that the retry does not send
  /// them again.
  SinkResult write_in_parts(LogBatch& batch, std::string* error) {
    const Signal order[] = {Signal::kLogs, Signal::kMetrics, Signal::kTraces};
    for (size_t k = 0; k < 3; ++k) {
      const Signal s = order[k];
      const size_t total = count(batch, s);
      size_t done = 0;
      if (const PreparedBody* ready = prepared(batch, s); ready != nullptr && total > 0) {
        SinkResult r = send(path_of(s), ready->bytes, error, true);
        if (r != SinkResult::kOk) {
          for (size_t j = 0; j < k; ++j) clear(batch, order[j]);
          return r;
        }
        done = total;
      }
      while (done < total) {
        size_t take = total - done;
        std::string body = encode(batch, s, done, take, {});
        while (body.size() > options_.max_batch_bytes && take > 1) {
          // Scale down by the overshoot, with 10% to spare; at least halve.
          double fit = static_cast<double>(options_.max_batch_bytes) / static_cast<double>(body.size()) * 0.9;
          take = std::max<size_t>(1, std::min(take / 2, static_cast<size_t>(static_cast<double>(take) * fit)));
          body = encode(batch, s, done, take, {});
        }
        SinkResult r = send(path_of(s), std::move(body), error);
        if (r != SinkResult::kOk) {
          for (size_t j = 0; j < k; ++j) clear(batch, order[j]);
          erase_front(batch, s, done);
          return r;
        }
        done += take;
      }
    }
    return SinkResult::kOk;
  }

  /// The body prepare() made for all items of kind `s` of this batch, or
  /// null (not prepared by this sink, another kind, or items removed since).
  const PreparedBody* prepared(const LogBatch& b, Signal s) const {
    if (b.prepared_for != this || !b.prepared) return nullptr;
    const auto* p = static_cast<const PreparedBody*>(b.prepared.get());
    return p->kind == s ? p : nullptr;
  }

  using PositionMap = std::map<std::pair<std::string, std::string>, uint64_t>;

  /// `batch`'s positions as sent: each marked reset when below the offset
  /// the server has for its key, or, with `ahead`, the offset of a batch
  /// in flight before it (then raised to this batch's).
  std::vector<SluicePosition> positions_to_send(const LogBatch& batch, PositionMap* ahead) {
    std::vector<SluicePosition> sent;
    sent.reserve(batch.positions.size());
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& p : batch.positions) {
      std::pair<std::string, std::string> key{p.source, p.key};
      const uint64_t* before = nullptr;
      if (ahead != nullptr) {
        if (auto it = ahead->find(key); it != ahead->end()) before = &it->second;
      }
      if (before == nullptr) {
        if (auto it = committed_.find(key); it != committed_.end()) before = &it->second;
      }
      sent.push_back(SluicePosition{p.source, p.key, p.offset, before != nullptr && p.offset < *before});
      if (ahead != nullptr) (*ahead)[std::move(key)] = p.offset;
    }
    return sent;
  }

  /// The server has taken the batch that advanced `sent`.
  void commit(const std::vector<SluicePosition>& sent) {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& p : sent) committed_[{p.source, p.key}] = p.offset;
  }

  /// True when `b` may be pipelined: it goes in one /v1/logs request (the
  /// path whose requests the server stores in order): it has positions and
  /// log records only, or nothing else (positions only).
  static bool pipelined(const LogBatch& b) { return !b.positions.empty() && b.samples.empty() && b.spans.empty(); }

  /// The request that sends `b`'s items of kind `s`, with `positions`
  /// (JSON) when set: in the X-Sluice-Positions header when they fit, else
  /// in the body. It takes the body prepare() made when the positions are
  /// not in it (then `*compressed`). Warns once of a batch with positions
  /// whose body is over max_batch_bytes (such a batch is never split).
  HttpClientRequest kind_request(const LogBatch& b, Signal s, const std::string* positions, bool* compressed) {
    const bool in_header = positions != nullptr && fits_sluice_positions_header(*positions);
    const std::string_view body_positions =
        positions != nullptr && !in_header ? std::string_view(*positions) : std::string_view();
    const PreparedBody* ready = body_positions.empty() ? prepared(b, s) : nullptr;
    std::string body = ready != nullptr ? ready->bytes : encode(b, s, 0, SIZE_MAX, body_positions);
    const size_t encoded_size = ready != nullptr ? ready->encoded_size : body.size();
    if (!b.positions.empty() && encoded_size > options_.max_batch_bytes && !warned_large_) {
      warned_large_ = true;
      spdlog::warn(
          "sluice sink {}: a batch of {} {} with source positions encodes to {} bytes, over max_batch_bytes "
          "({}); it is sent whole (make the source's batches smaller if the server refuses it)",
          endpoint_, count(b, s), items_of(s), encoded_size, options_.max_batch_bytes);
    }
    *compressed = ready != nullptr;
    return request(path_of(s), std::move(body), in_header ? positions : nullptr);
  }

  /// A POST of `body` to `path`; `positions` (JSON) goes in the header when
  /// set.
  HttpClientRequest request(std::string_view path, std::string body, const std::string* positions) const {
    HttpClientRequest req;
    req.method = "POST";
    req.url = endpoint_ + std::string(path);
    req.timeout = options_.timeout;
    req.max_response_bytes = kMaxResponseBytes;
    req.headers = headers_;
    req.headers.emplace_back("Content-Type", "application/x-protobuf");
    req.headers.emplace_back(kSluiceAgentHeader, options_.agent_id);
    if (!options_.stream.empty()) req.headers.emplace_back(kSluiceStreamHeader, options_.stream);
    if (positions != nullptr) req.headers.emplace_back(kSluicePositionsHeader, *positions);
    req.body = std::move(body);
    return req;
  }

  /// Compresses `req`'s body unless `compressed` and sends it on the
  /// connection; its answer is finish()'s. The fastest level: on a shipping
  /// agent the CPU is scarcer than the bandwidth (zstd 1 compresses access
  /// logs ~1.5x faster than 3 at about the same ratio).
  SinkResult start(HttpClientRequest& req, bool compressed, std::string* error) {
    SinkResult r = encode_next_hop_body(req, compression_, CompressionLevel::kFast, compressed, error);
    if (r != SinkResult::kOk) return r;
    Status st = conn_.send(req);
    return st.ok() ? SinkResult::kOk : next_hop_outcome(st, req.url, error);
  }

  /// The outcome of the oldest request start() sent to `url`, from its
  /// answer; a /v1/logs answer also says whether the server allows
  /// pipelining on this connection (the server stores the other kinds as
  /// they come).
  SinkResult finish(const std::string& url, std::string* error) {
    Result<HttpClientResponse> answer =
        conn_.owed() > 0 ? conn_.receive(options_.timeout, kMaxResponseBytes)
                         : Result<HttpClientResponse>(Status::Unavailable(
                               "not answered: the connection to " + endpoint_ + " closed after an earlier answer"));
    if (answer.ok() && url.ends_with(kLogsPath)) {
      const bool ordered = answer->header(kSluicePipeliningHeader) == kSluicePipeliningOrdered;
      pipelining_on_ = ordered && conn_.open() ? conn_.generation() : 0;
    }
    return next_hop_outcome(answer, url, error);
  }

  /// POSTs one request body to `path` and waits for the answer (no
  /// positions). `compressed`: the body is already compressed.
  SinkResult send(std::string_view path, std::string body, std::string* error, bool compressed = false) {
    HttpClientRequest req = request(path, std::move(body), nullptr);
    SinkResult r = start(req, compressed, error);
    return r == SinkResult::kOk ? finish(req.url, error) : r;
  }

  /// Requests that may be in flight at once: kWindow once an answer on
  /// the connection now open said its server stores them in order, else 1
  /// (a new connection may reach another server: one that stores a later
  /// request after an earlier one failed).
  size_t window() const { return conn_.open() && pipelining_on_ == conn_.generation() ? kWindow : 1; }

  /// Batches the engine may hand to write_group() at once, and how many of
  /// their requests may be in flight (the server decodes the ones after
  /// the one it stores: net/http_server.cpp).
  static constexpr size_t kMaxGroup = 8;
  static constexpr size_t kWindow = 3;
  static constexpr uint64_t kMaxResponseBytes = 1 << 20;

  SluiceSinkOptions options_;
  std::string endpoint_;  ///< without a trailing '/'
  Compression compression_;
  std::vector<std::pair<std::string, std::string>> headers_;
  SluiceEncoders encoders_;
  /// Kept open between requests (keep-alive); used by the worker only.
  HttpConnection conn_{endpoint_};
  /// The generation of conn_ whose server's last answer allowed
  /// pipelining (kSluicePipeliningHeader); 0: none.
  uint64_t pipelining_on_ = 0;
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

Result<std::unique_ptr<Sink>> make_sluice_sink(const SluiceSinkOptions& options, SluiceEncoders encoders) {
  if (!encoders.logs || !encoders.metrics || !encoders.traces) {
    return Status::InvalidArgument("the sluice sink needs a logs, a metrics and a traces encoder");
  }
  SluiceSinkOptions o = options;
  std::string endpoint = o.endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  // Tolerate a full OTLP path, as OTEL_EXPORTER_OTLP_*_ENDPOINT spells it.
  for (std::string_view path : {kLogsPath, kMetricsPath, kTracesPath}) {
    if (endpoint.size() > path.size() && endpoint.ends_with(path)) {
      endpoint.resize(endpoint.size() - path.size());
      break;
    }
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
      std::make_unique<SluiceSink>(std::move(o), std::move(endpoint), c, std::move(headers), std::move(encoders)));
}

}  // namespace sluice
