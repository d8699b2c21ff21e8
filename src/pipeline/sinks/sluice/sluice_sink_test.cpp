#include "pipeline/sinks/sluice/sluice_sink.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "common/compression.hpp"
#include "net/http_server.hpp"
#include "pipeline/sinks/sluice/sluice_positions_client.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

/// A stand-in server: records each request and answers from a script
/// (status, body), 200 "{}" when the script is empty.
class FakeServer {
 public:
  FakeServer() {
    HttpServerOptions o;
    o.name = "fake";
    o.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(o, [this](const HttpRequest& r) {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(r);
      if (script_.empty()) return HttpResponse{200, "application/json", "{}"};
      HttpResponse out = script_.front();
      script_.pop_front();
      return out;
    });
    EXPECT_TRUE(server_->start().ok());
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  void answer(int status, std::string body = "") {
    std::lock_guard<std::mutex> l(mu_);
    script_.push_back(HttpResponse{status, "application/json", std::move(body)});
  }
  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::deque<HttpResponse> script_;
  std::vector<HttpRequest> requests_;
  std::unique_ptr<HttpServer> server_;
};

/// The encoder stand-in: "N|body,body,...|positions".
void fake_encode(std::span<const LogRecord> records, std::string_view positions, std::string* out) {
  *out = std::to_string(records.size()) + "|";
  for (const auto& r : records) *out += r.body + ",";
  *out += "|";
  *out += positions;
}

/// The metrics and traces stand-ins: "N|name,name,...|positions", with an
/// "m" or "t" in front.
std::string fake_encode_metrics(std::span<const MetricSample> samples, std::string_view positions) {
  std::string out = "m" + std::to_string(samples.size()) + "|";
  for (const auto& s : samples) out += s.name + ",";
  return out + "|" + std::string(positions);
}
std::string fake_encode_traces(std::span<const Span> spans, std::string_view positions) {
  std::string out = "t" + std::to_string(spans.size()) + "|";
  for (const auto& s : spans) out += s.name + ",";
  return out + "|" + std::string(positions);
}

SluiceEncoders fakes() { return SluiceEncoders{fake_encode, fake_encode_metrics, fake_encode_traces}; }

std::string decoded_body(const HttpRequest& r) {
  auto c = compression_from_name(r.header("content-encoding"));
  EXPECT_TRUE(c.ok());
  auto body = decompress(*c, r.body, 1 << 20);
  EXPECT_TRUE(body.ok());
  return body.ok() ? *body : "";
}

LogBatch batch_of(int n, std::vector<SourcePosition> positions = {}) {
  LogBatch b;
  for (int i = 0; i < n; ++i) {
    LogRecord r;
    r.body = "line" + std::to_string(i);
    b.records.push_back(r);
  }
  b.positions = std::move(positions);
  return b;
}

std::unique_ptr<Sink> sink_for(const FakeServer& server, SluiceSinkOptions o = {}) {
  o.endpoint = server.url() + "/";
  if (o.agent_id.empty()) o.agent_id = "web-1";
  auto s = make_sluice_sink(o, fakes());
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return std::move(*s);
}

TEST(SluiceSink, SendsOtlpWithAgentStreamAndPositionsHeaders) {
  FakeServer server;
  SluiceSinkOptions o;
  o.stream = "edge";
  auto sink = sink_for(server, o);
  EXPECT_TRUE(sink->commits_positions());
  LogBatch b = batch_of(2, {{"app", "2049:131:ab", 77, "/var/log/app.log"}});
  std::string err;
  ASSERT_EQ(sink->write(b, &err), SinkResult::kOk) << err;
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const HttpRequest& r = reqs[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/v1/logs");
  EXPECT_EQ(r.header("content-type"), "application/x-protobuf");
  EXPECT_EQ(r.header("content-encoding"), "zstd");
  EXPECT_EQ(r.header("x-sluice-agent"), "web-1");
  EXPECT_EQ(r.header("x-sluice-stream"), "edge");
  EXPECT_EQ(r.header("x-sluice-positions"), "[[\"app\",\"2049:131:ab\",77]]");
  EXPECT_EQ(decoded_body(r), "2|line0,line1,|");
  EXPECT_EQ(b.records.size(), 2u);  // left as it was
}

TEST(SluiceSink, PositionsTooLargeForTheHeaderGoInTheBody) {
  FakeServer server;
  SluiceSinkOptions o;
  o.compression = "none";
  auto sink = sink_for(server, o);
  std::vector<SourcePosition> many;
  std::vector<SluicePosition> sent;
  for (int i = 0; i < 1000; ++i) {
    many.push_back({"app", "2049:" + std::to_string(i) + ":0123456789abcdef", 1, ""});
    sent.push_back({"app", many.back().key, 1});
  }
  LogBatch b = batch_of(1, many);
  std::string err;
  ASSERT_EQ(sink->write(b, &err), SinkResult::kOk) << err;
  auto r = server.requests().at(0);
  EXPECT_EQ(r.header("x-sluice-positions"), "");
  EXPECT_EQ(r.header("content-encoding"), "");
  std::string json;
  append_sluice_positions_json(json, sent);
  EXPECT_EQ(r.body, "1|line0,|" + json);
}

TEST(SluiceSink, ClassifiesAnswers) {
  FakeServer server;
  auto sink = sink_for(server);
  std::string err;
  for (int status : {503, 500, 429, 408}) {
    server.answer(status, "busy");
    LogBatch b = batch_of(1, {{"app", "k", 1, ""}});
    EXPECT_EQ(sink->write(b, &err), SinkResult::kRetry) << status;
    EXPECT_NE(err.find(std::to_string(status)), std::string::npos) << err;
  }
  for (int status : {400, 404, 413, 415}) {
    server.answer(status, "no");
    LogBatch b = batch_of(1, {{"app", "k", 1, ""}});
    EXPECT_EQ(sink->write(b, &err), SinkResult::kFatal) << status;
  }
  LogBatch empty;
  EXPECT_EQ(sink->write(empty, &err), SinkResult::kOk);
  EXPECT_EQ(server.requests().size(), 8u);
  // Nobody listening: retry.
  SluiceSinkOptions o;
  o.endpoint = "http://127.0.0.1:1";
  o.agent_id = "a";
  o.timeout = std::chrono::seconds(2);
  auto down = make_sluice_sink(o, fakes());
  ASSERT_TRUE(down.ok());
  LogBatch b = batch_of(1);
  EXPECT_EQ((*down)->write(b, &err), SinkResult::kRetry);
}

MetricSample sample(const std::string& name) {
  MetricSample m;
  m.name = name;
  m.kind = MetricKind::kCounter;
  return m;
}

Span span(const std::string& name) {
  Span s;
  s.name = name;
  return s;
}

TEST(SluiceSink, ShipsSamplesToV1MetricsAndSpansToV1TracesWithPositions) {
  FakeServer server;
  SluiceSinkOptions o;
  o.compression = "none";
  o.stream = "host";
  auto sink = sink_for(server, o);
  std::string err;
  LogBatch m;
  m.samples = {sample("a_total"), sample("b_total")};
  m.positions = {{"host", "k", 3, ""}};
  ASSERT_EQ(sink->write(m, &err), SinkResult::kOk) << err;
  LogBatch t;
  t.spans = {span("GET /")};
  t.positions = {{"otel", "buffer", 9, ""}};
  ASSERT_EQ(sink->write(t, &err), SinkResult::kOk) << err;
  LogBatch unpositioned;
  unpositioned.samples = {sample("c_total")};
  ASSERT_EQ(sink->write(unpositioned, &err), SinkResult::kOk) << err;
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].path, "/v1/metrics");
  EXPECT_EQ(reqs[0].body, "m2|a_total,b_total,|");
  EXPECT_EQ(reqs[0].header("x-sluice-positions"), "[[\"host\",\"k\",3]]");
  EXPECT_EQ(reqs[0].header("x-sluice-stream"), "host");
  EXPECT_EQ(reqs[0].header("x-sluice-agent"), "web-1");
  EXPECT_EQ(reqs[1].path, "/v1/traces");
  EXPECT_EQ(reqs[1].body, "t1|GET /,|");
  EXPECT_EQ(reqs[1].header("x-sluice-positions"), "[[\"otel\",\"buffer\",9]]");
  EXPECT_EQ(reqs[2].path, "/v1/metrics");
  EXPECT_EQ(reqs[2].header("x-sluice-positions"), "");
  // A full endpoint path of any signal is tolerated.
  o.endpoint = server.url() + "/v1/traces";
  auto full = make_sluice_sink(o, fakes());
  ASSERT_TRUE(full.ok());
  ASSERT_EQ((*full)->write(m, &err), SinkResult::kOk) << err;
  EXPECT_EQ(server.requests().back().path, "/v1/metrics");
}

TEST(SluiceSink, AMixedBatchSendsEachKindAndThePositionsWithTheLast) {
  FakeServer server;
  SluiceSinkOptions o;
  o.compression = "none";
  auto sink = sink_for(server, o);
  LogBatch b = batch_of(1, {{"app", "k", 5, ""}});
  b.samples = {sample("x_total")};
  b.spans = {span("op")};
  // The spans' request fails: records and samples were accepted and are not
  // sent again; the retry sends the spans with the positions.
  server.answer(200);
  server.answer(200);
  server.answer(503, "busy");
  std::string err;
  ASSERT_EQ(sink->write(b, &err), SinkResult::kRetry);
  EXPECT_TRUE(b.records.empty());
  EXPECT_TRUE(b.samples.empty());
  ASSERT_EQ(b.spans.size(), 1u);
  ASSERT_EQ(sink->write(b, &err), SinkResult::kOk) << err;
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].path, "/v1/logs");
  EXPECT_EQ(reqs[0].header("x-sluice-positions"), "");
  EXPECT_EQ(reqs[1].path, "/v1/metrics");
  EXPECT_EQ(reqs[1].header("x-sluice-positions"), "");
  for (int i : {2, 3}) {
    EXPECT_EQ(reqs[i].path, "/v1/traces");
    EXPECT_EQ(reqs[i].header("x-sluice-positions"), "[[\"app\",\"k\",5]]");
  }
  // Positions only: a logs request without records.
  LogBatch only;
  only.positions = {{"app", "k", 6, ""}};
  ASSERT_EQ(sink->write(only, &err), SinkResult::kOk) << err;
  EXPECT_EQ(server.requests().back().path, "/v1/logs");
  EXPECT_EQ(server.requests().back().body, "0||");
}

TEST(SluiceSink, SplitsLargeSampleAndSpanBatchesWithoutPositions) {
  FakeServer server;
  SluiceSinkOptions o;
  o.compression = "none";
  o.max_batch_bytes = 1024;
  auto sink = sink_for(server, o);
  LogBatch b;
  for (int i = 0; i < 200; ++i) b.samples.push_back(sample("sample_" + std::to_string(i)));
  for (int i = 0; i < 200; ++i) b.spans.push_back(span("span_" + std::to_string(i)));
  std::string err;
  ASSERT_EQ(sink->write(b, &err), SinkResult::kOk) << err;
  size_t samples = 0;
  size_t spans = 0;
  size_t metrics_requests = 0;
  size_t first_spans = 0;
  for (const auto& q : server.requests()) {
    EXPECT_LE(q.body.size(), 1024u);
    size_t n = std::stoul(q.body.substr(1, q.body.find('|') - 1));
    if (q.path == "/v1/metrics") {
      samples += n;
      ++metrics_requests;
    } else {
      ASSERT_EQ(q.path, "/v1/traces");
      if (first_spans == 0) first_spans = n;
      spans += n;
    }
  }
  EXPECT_EQ(samples, 200u);
  EXPECT_EQ(spans, 200u);
  EXPECT_GE(metrics_requests, 2u);
  ASSERT_LT(first_spans, 200u);
  EXPECT_EQ(b.samples.size(), 200u);  // left as it was
  // Again, and the second spans request fails: the samples and the first
  // spans are removed from the batch, so the retry does not send them.
  for (size_t i = 0; i < metrics_requests + 1; ++i) server.answer(200);
  server.answer(503, "busy");
  ASSERT_EQ(sink->write(b, &err), SinkResult::kRetry);
  EXPECT_TRUE(b.samples.empty());
  ASSERT_EQ(b.spans.size(), 200u - first_spans);
  EXPECT_EQ(b.spans[0].name, "span_" + std::to_string(first_spans));
}

TEST(SluiceSink, SplitsLargeBatchesWithoutPositionsAndRetriesOnlyTheRest) {
  FakeServer server;
  SluiceSinkOptions o;
  o.compression = "none";
  o.max_batch_bytes = 1024;
  auto sink = sink_for(server, o);
  LogBatch b = batch_of(300);  // ~2.4 KB encoded
  std::string err;
  ASSERT_EQ(sink->write(b, &err), SinkResult::kOk) << err;
  size_t sent = 0;
  for (const auto& r : server.requests()) {
    EXPECT_LE(r.body.size(), 1024u);
    sent += std::stoul(r.body.substr(0, r.body.find('|')));
  }
  EXPECT_EQ(sent, 300u);
  EXPECT_GE(server.requests().size(), 3u);
  EXPECT_EQ(b.records.size(), 300u);
  // The second part fails: the first is not sent again on retry.
  const size_t before = server.requests().size();
  server.answer(200);
  server.answer(503);
  ASSERT_EQ(sink->write(b, &err), SinkResult::kRetry);
  auto reqs = server.requests();
  size_t first = std::stoul(reqs[before].body.substr(0, reqs[before].body.find('|')));
  EXPECT_EQ(b.records.size(), 300u - first);
  EXPECT_EQ(b.records[0].body, "line" + std::to_string(first));
  // A batch with positions is never split.
  LogBatch positioned = batch_of(300, {{"app", "k", 9, ""}});
  ASSERT_EQ(sink->write(positioned, &err), SinkResult::kOk);
  EXPECT_EQ(server.requests().back().body.substr(0, 4), "300|");
}

TEST(SluiceSink, LearnsCommittedPositionsWaitingForTheServer) {
  FakeServer server;
  SluiceSinkOptions o;
  o.agent_id = "web 1";
  EXPECT_FALSE(make_sluice_sink(o, fakes()).ok());
  o.agent_id = "host.example:1";
  auto sink = sink_for(server, o);
  server.answer(503, "starting");
  server.answer(503, "starting");
  server.answer(200, "{\"2049:131:ab\":77,\"buffer\":18446744073709551615}");
  auto got = sink->committed_positions("app");
  EXPECT_EQ(got, (std::unordered_map<std::string, uint64_t>{{"2049:131:ab", 77}, {"buffer", 18446744073709551615ULL}}));
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[2].method, "GET");
  EXPECT_EQ(reqs[2].path, "/v1/sluice/positions");
  EXPECT_EQ(reqs[2].params.at("agent"), "host.example:1");
  EXPECT_EQ(reqs[2].params.at("source"), "app");
  // Not a sluice server: no positions, at once.
  server.answer(404, "no such OTLP endpoint");
  EXPECT_TRUE(sink->committed_positions("app").empty());
  // A position below what the server has marks a reset; at or above, not.
  std::string err;
  LogBatch behind = batch_of(1, {{"app", "2049:131:ab", 10, ""}});
  ASSERT_EQ(sink->write(behind, &err), SinkResult::kOk) << err;
  EXPECT_EQ(server.requests().back().header("x-sluice-positions"), "[[\"app\",\"2049:131:ab\",10,\"reset\"]]");
  LogBatch ahead = batch_of(1, {{"app", "2049:131:ab", 30, ""}, {"app", "new", 5, ""}});
  ASSERT_EQ(sink->write(ahead, &err), SinkResult::kOk) << err;
  EXPECT_EQ(server.requests().back().header("x-sluice-positions"),
            "[[\"app\",\"2049:131:ab\",30],[\"app\",\"new\",5]]");
}

TEST(SluiceSink, GivesUpOnPositionsAtItsTimeOutOrAtShutdown) {
  PositionsQuery q;
  q.endpoint = "http://127.0.0.1:1";  // nobody listens
  q.agent = "a";
  q.source = "app";
  q.give_up_after = std::chrono::milliseconds(300);
  EXPECT_TRUE(fetch_committed_positions(q, [] { return false; }).empty());
  q.give_up_after = std::chrono::nanoseconds(0);  // forever, but a shutdown is asked for
  EXPECT_TRUE(fetch_committed_positions(q, [] { return true; }).empty());
  EXPECT_FALSE(sluice_shutdown_requested());
}

TEST(SluiceSink, ParsesCommittedPositionsStrictly) {
  EXPECT_TRUE(parse_committed_positions("{}").ok());
  EXPECT_FALSE(parse_committed_positions("[]").ok());
  EXPECT_FALSE(parse_committed_positions("{\"a\":-1}").ok());
  EXPECT_FALSE(parse_committed_positions("{\"a\":\"1\"}").ok());
  EXPECT_FALSE(parse_committed_positions("{").ok());
  EXPECT_EQ(url_encode_component("a b/c:d~"), "a%20b%2Fc%3Ad~");
}

TEST(SluiceSink, ValidatesOptions) {
  SluiceSinkOptions o;
  o.agent_id = "a";
  for (std::string bad : {"", "https://x:1", "http://", "4318"}) {
    o.endpoint = bad;
    EXPECT_FALSE(make_sluice_sink(o, fakes()).ok()) << bad;
  }
  o.endpoint = "http://127.0.0.1:4318/v1/logs";  // the full OTLP path is fine
  EXPECT_TRUE(make_sluice_sink(o, fakes()).ok());
  o.stream = "Bad";
  EXPECT_FALSE(make_sluice_sink(o, fakes()).ok());
  o.stream = "";
  o.headers = {"NoColon"};
  EXPECT_FALSE(make_sluice_sink(o, fakes()).ok());
  o.headers = {};
  o.agent_id = "";  // the host name
  EXPECT_TRUE(make_sluice_sink(o, fakes()).ok());
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST(SluiceSink, SendsTheBodyPreparedOnTheProducersThread) {
  FakeServer server;
  auto sink = sink_for(server);
  LogBatch b = batch_of(3, {{"app", "k", 30, "/var/log/app.log"}});
  sink->prepare(b);
  ASSERT_TRUE(b.prepared != nullptr);
  EXPECT_EQ(b.prepared_for, sink.get());
  // A body prepared for another sink is not used: this one encodes itself.
  LogBatch other = batch_of(2);
  sink->prepare(other);
  other.prepared_for = &server;
  std::string err;
  ASSERT_EQ(sink->write(b, &err), SinkResult::kOk) << err;
  ASSERT_EQ(sink->write(other, &err), SinkResult::kOk) << err;
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(decoded_body(reqs[0]), "3|line0,line1,line2,|");  // positions went in the header
  EXPECT_EQ(reqs[0].header("x-sluice-positions"), "[[\"app\",\"k\",30]]");
  EXPECT_EQ(decoded_body(reqs[1]), "2|line0,line1,|");

  // A retried batch sends the same prepared body again.
  server.answer(503, "later");
  LogBatch again = batch_of(1, {{"app", "k", 40, "/var/log/app.log"}});
  sink->prepare(again);
  EXPECT_EQ(sink->write(again, &err), SinkResult::kRetry);
  ASSERT_EQ(sink->write(again, &err), SinkResult::kOk) << err;
  reqs = server.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(decoded_body(reqs[2]), "1|line0,|");
  EXPECT_EQ(decoded_body(reqs[3]), "1|line0,|");
}

TEST(SluiceSink, PreparedBodiesOfGrowingAndShrinkingBatchesWithAndWithoutCompression) {
  // The body to compress is encoded into a buffer the thread keeps: each
  // batch sends exactly its own body, whatever the one before left there.
  for (const char* compression : {"zstd", "none"}) {
    FakeServer server;
    SluiceSinkOptions o;
    o.compression = compression;
    auto sink = sink_for(server, o);
    std::vector<std::string> want;
    uint64_t offset = 0;
    for (int n : {5, 50, 2, 30, 1}) {
      offset += 10;
      LogBatch b = batch_of(n, {{"app", "k", offset, "/var/log/app.log"}});
      sink->prepare(b);
      ASSERT_TRUE(b.prepared != nullptr) << compression;
      std::string err;
      ASSERT_EQ(sink->write(b, &err), SinkResult::kOk) << err;
      std::string body = std::to_string(n) + "|";
      for (int i = 0; i < n; ++i) body += "line" + std::to_string(i) + ",";
      want.push_back(body + "|");
    }
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), want.size()) << compression;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(reqs[i].header("content-encoding"), std::string(compression) == "none" ? "" : compression);
      EXPECT_EQ(decoded_body(reqs[i]), want[i]) << compression << " " << i;
    }
  }
}

TEST(SluiceSink, DoesNotPrepareMixedBatchesOrOversizedOnesWithoutPositions) {
  FakeServer server;
  SluiceSinkOptions o;
  o.max_batch_bytes = 1024;
  auto sink = sink_for(server, o);
  LogBatch mixed = batch_of(1);
  mixed.samples.resize(1);
  sink->prepare(mixed);
  EXPECT_TRUE(mixed.prepared == nullptr);
  LogBatch big = batch_of(400);  // ~3 KB encoded, split into parts at write()
  sink->prepare(big);
  EXPECT_TRUE(big.prepared == nullptr);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

/// A stand-in for a sluice server that stores an agent's requests in order
/// (sluice_protocol.hpp, X-Sluice-Pipelining): the handler notes each
/// request as decoded ("d<positions>") and defers its answer, whose finish
/// notes it stored ("s<positions>") and answers from a script (200 when
/// empty) with the pipelining header. The second request's finish waits (up
/// to 5 s) for the third to be decoded, so a test sees whether the sink had
/// it in flight.
class OrderingServer {
 public:
  explicit OrderingServer(std::chrono::nanoseconds idle_timeout = std::chrono::seconds(60)) {
    HttpServerOptions o;
    o.name = "ordering";
    o.listen = "127.0.0.1:0";
    o.idle_timeout = idle_timeout;
    server_ = std::make_unique<HttpServer>(o, [this](const HttpRequest& r) {
      const std::string what = r.header("x-sluice-positions");
      {
        std::lock_guard<std::mutex> l(mu_);
        events_.push_back("d" + what);
        ++decoded_;
      }
      cv_.notify_all();
      HttpResponse deferred;
      deferred.finish = [this, what] {
        std::unique_lock<std::mutex> l(mu_);
        if (++finished_ == 2) cv_.wait_for(l, std::chrono::seconds(5), [&] { return decoded_ >= 3; });
        events_.push_back("s" + what);
        HttpResponse out{200, "application/json", "{}"};
        if (!script_.empty()) {
          out.status = script_.front();
          script_.pop_front();
        }
        out.headers.emplace_back(kSluicePipeliningHeader, kSluicePipeliningOrdered);
        return out;
      };
      return deferred;
    });
    EXPECT_TRUE(server_->start().ok());
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  void answer(int status) {
    std::lock_guard<std::mutex> l(mu_);
    script_.push_back(status);
  }
  std::vector<std::string> events() {
    std::lock_guard<std::mutex> l(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> script_;
  std::vector<std::string> events_;
  size_t decoded_ = 0;
  size_t finished_ = 0;
  std::unique_ptr<HttpServer> server_;
};

std::string pos(uint64_t offset) { return "[[\"app\",\"k\"," + std::to_string(offset) + "]]"; }

/// A sink of agent "web-1" to the server at `url`.
std::unique_ptr<Sink> sink_to(const std::string& url) {
  SluiceSinkOptions o;
  o.endpoint = url;
  o.agent_id = "web-1";
  auto made = make_sluice_sink(o, fakes());
  EXPECT_TRUE(made.ok()) << made.status().to_string();
  return made.ok() ? std::move(*made) : nullptr;
}

/// The positions of the stored requests among an OrderingServer's events.
std::vector<std::string> stored_of(const std::vector<std::string>& events) {
  std::vector<std::string> stored;
  for (const auto& e : events) {
    if (e[0] == 's') stored.push_back(e.substr(1));
  }
  return stored;
}

TEST(SluiceSink, PipelinesAGroupOnceTheServerSaysItStoresInOrderAndStopsAtAFailure) {
  OrderingServer server;
  auto made = sink_to(server.url());
  Sink& sink = *made;
  ASSERT_GT(sink.max_group(), 4u);
  std::vector<LogBatch> batches;
  for (uint64_t i = 1; i <= 6; ++i) batches.push_back(batch_of(1, {{"app", "k", i * 10, "/var/log/app.log"}}));
  std::vector<LogBatch*> group;
  for (auto& b : batches) group.push_back(&b);
  // The fourth batch fails: the later ones must not be stored before it.
  server.answer(200);
  server.answer(200);
  server.answer(200);
  server.answer(503);
  std::vector<SinkResult> results(group.size(), SinkResult::kFatal);
  std::vector<std::string> errors(group.size());
  sink.write_group(group, &results, &errors);
  EXPECT_EQ(results, (std::vector<SinkResult>{SinkResult::kOk, SinkResult::kOk, SinkResult::kOk, SinkResult::kRetry,
                                              SinkResult::kRetry, SinkResult::kRetry}));
  // Its 503, or, when the server's close after it failed the sending of
  // the sixth first (the answer then goes unread), "not answered".
  EXPECT_TRUE(errors[3].find("503") != std::string::npos || errors[3].find("not answered") != std::string::npos)
      << errors[3];
  auto events = server.events();
  // The first request went alone (the server had not said yet that it
  // stores in order); then the third was in flight while the second was
  // stored.
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events[0], "d" + pos(10));
  EXPECT_EQ(events[1], "s" + pos(10));
  auto at = [&](const std::string& e) { return std::find(events.begin(), events.end(), e) - events.begin(); };
  EXPECT_LT(at("d" + pos(30)), at("s" + pos(20))) << "the third batch was not in flight during the second";
  // Stored: the first four in order, the fourth failing; never the fifth or
  // sixth.
  EXPECT_EQ(stored_of(events), (std::vector<std::string>{pos(10), pos(20), pos(30), pos(40)}));
  // Retried in order, alone, as the engine does: each is stored.
  for (size_t i = 3; i < group.size(); ++i) {
    std::string err;
    ASSERT_EQ(sink.write(*group[i], &err), SinkResult::kOk) << err;
  }
  EXPECT_EQ(stored_of(server.events()),
            (std::vector<std::string>{pos(10), pos(20), pos(30), pos(40), pos(40), pos(50), pos(60)}));
}

TEST(SluiceSink, ANewConnectionIsNotPipelinedBeforeItsServerSaysItStoresInOrder) {
  OrderingServer server(std::chrono::milliseconds(200));
  auto made = sink_to(server.url());
  Sink& sink = *made;
  auto write = [&](uint64_t first, uint64_t n) {
    std::vector<LogBatch> batches;
    for (uint64_t i = first; i < first + n; ++i) batches.push_back(batch_of(1, {{"app", "k", i * 10, "/x"}}));
    std::vector<LogBatch*> group;
    for (auto& b : batches) group.push_back(&b);
    std::vector<SinkResult> results(group.size(), SinkResult::kFatal);
    std::vector<std::string> errors(group.size());
    sink.write_group(group, &results, &errors);
    for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i], SinkResult::kOk) << errors[i];
  };
  write(1, 3);  // the second and third pipelined
  // The server closes the idle connection; the sink's next group opens a
  // new one, whose first request goes alone again.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  write(4, 2);
  auto events = server.events();
  auto at = [&](const std::string& e) { return std::find(events.begin(), events.end(), e) - events.begin(); };
  ASSERT_LT(at("d" + pos(50)), static_cast<std::ptrdiff_t>(events.size()));
  EXPECT_LT(at("s" + pos(40)), at("d" + pos(50))) << "pipelined on a connection not yet answered";
}

TEST(SluiceSink, DoesNotPipelineToAServerThatDoesNotSayItStoresInOrder) {
  FakeServer server;  // answers at once, without X-Sluice-Pipelining
  auto sink = sink_for(server);
  std::vector<LogBatch> batches;
  for (uint64_t i = 1; i <= 4; ++i) batches.push_back(batch_of(1, {{"app", "k", i * 10, "/var/log/app.log"}}));
  std::vector<LogBatch*> group;
  for (auto& b : batches) group.push_back(&b);
  server.answer(200);
  server.answer(503, "later");
  std::vector<SinkResult> results(group.size(), SinkResult::kFatal);
  std::vector<std::string> errors(group.size());
  sink->write_group(group, &results, &errors);
  EXPECT_EQ(results,
            (std::vector<SinkResult>{SinkResult::kOk, SinkResult::kRetry, SinkResult::kRetry, SinkResult::kRetry}));
  // One request at a time: after the 503 nothing more was sent.
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_NE(errors[2].find("not sent"), std::string::npos) << errors[2];
}

}  // namespace
}  // namespace sluice
