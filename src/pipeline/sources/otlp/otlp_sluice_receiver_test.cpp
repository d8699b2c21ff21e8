// The otlp source's side of the sluice agent protocol (sluice_protocol.hpp):
// exactly-once storing of agents' positioned batches, the positions
// endpoint, and X-Sluice-Stream.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "pipeline/sources/otlp/otlp_http_receiver.hpp"
#include "pipeline/sources/otlp/otlp_logs_encode.hpp"
#include "pipeline/sources/otlp/otlp_metrics_encode.hpp"
#include "pipeline/sources/otlp/otlp_traces_encode.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

/// A pipeline stand-in that stores a copy of each batch (records, positions,
/// stream) and completes its acknowledgements, at once or, after
/// hold_next(), on release().
struct StorePipeline {
  std::mutex mu;
  std::vector<LogBatch> stored;
  std::vector<LogBatch> held;
  bool hold = false;
  SourceContext ctx;

  StorePipeline() {
    ctx.emit = [this](LogBatch&& b) {
      LogBatch local = std::move(b);
      std::lock_guard<std::mutex> l(mu);
      if (hold) {
        held.push_back(std::move(local));
        return Status::Ok();
      }
      keep(local);
      return Status::Ok();  // `local` dies here: the acknowledgements fire
    };
  }
  void keep(const LogBatch& b) {
    LogBatch copy;
    copy.records = b.records;
    copy.samples = b.samples;
    copy.spans = b.spans;
    copy.positions = b.positions;
    copy.stream = b.stream;
    stored.push_back(std::move(copy));
  }
  void release() {
    std::vector<LogBatch> out;
    {
      std::lock_guard<std::mutex> l(mu);
      for (auto& b : held) keep(b);
      out = std::move(held);
      held.clear();
      hold = false;
    }
  }
  void hold_next() {
    std::lock_guard<std::mutex> l(mu);
    hold = true;
  }
  size_t batches() {
    std::lock_guard<std::mutex> l(mu);
    return stored.size();
  }
};

LogRecord record(const std::string& body) {
  LogRecord r;
  r.timestamp_ns = 1700000000000000000;
  r.observed_timestamp_ns = 1700000000000000001;
  r.body = body;
  r.attributes = {{"log.file.path", "/var/log/app.log"}};
  return r;
}

class OtlpSluiceTest : public ::testing::Test {
 protected:
  void open(std::unordered_map<std::string, uint64_t> committed = {},
            std::chrono::nanoseconds ack_timeout = std::chrono::seconds(5)) {
    OtlpSourceOptions o;
    o.listen = "127.0.0.1:0";
    o.stream = "otel";
    o.ack_timeout = ack_timeout;
    pipeline_.ctx.committed = std::move(committed);
    http_ = std::make_unique<OtlpHttpReceiver>("srv", o);
    ASSERT_TRUE(http_->open(&pipeline_.ctx).ok());
  }

  /// A /v1/logs request of `records` advancing `positions` (JSON in the
  /// header, or in the body), with `headers`.
  static HttpRequest logs_request(const std::vector<LogRecord>& records, const std::vector<SluicePosition>& positions,
                                  std::map<std::string, std::string> headers = {{"x-sluice-agent", "web-1"}},
                                  bool positions_in_body = false) {
    std::string json;
    if (!positions.empty()) append_sluice_positions_json(json, positions);
    HttpRequest r;
    r.method = "POST";
    r.path = "/v1/logs";
    r.headers = std::move(headers);
    r.headers["content-type"] = "application/x-protobuf";
    if (!json.empty() && !positions_in_body) r.headers["x-sluice-positions"] = json;
    r.body = encode_otlp_logs_proto(records, positions_in_body ? json : "");
    return r;
  }

  /// The answer the server sends to logs_request(...).
  HttpResponse post(const std::vector<LogRecord>& records, const std::vector<SluicePosition>& positions,
                    std::map<std::string, std::string> headers = {{"x-sluice-agent", "web-1"}},
                    bool positions_in_body = false) {
    return final_answer(http_->handle(logs_request(records, positions, std::move(headers), positions_in_body)));
  }

  /// POSTs `body` to `path` (/v1/metrics or /v1/traces) with `headers`.
  HttpResponse post_signal(const std::string& path, std::string body, std::map<std::string, std::string> headers) {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.headers = std::move(headers);
    r.headers["content-type"] = "application/x-protobuf";
    r.body = std::move(body);
    return final_answer(http_->handle(r));
  }

  HttpResponse get_positions(const std::string& agent, const std::string& source) {
    HttpRequest r;
    r.method = "GET";
    r.path = kSluicePositionsPath;
    r.params = {{"agent", agent}, {"source", source}};
    return final_answer(http_->handle(r));
  }

  StorePipeline pipeline_;
  std::unique_ptr<OtlpHttpReceiver> http_;
};

TEST_F(OtlpSluiceTest, AnAgentsLogsAreStoredInTheAnswersFinishAfterTheDecode) {
  open();
  HttpRequest r = logs_request({record("a")}, {{"app", "f1", 1}});
  HttpResponse deferred = http_->handle(r);
  ASSERT_TRUE(deferred.finish) << "a sluice agent's request is stored in the answer's finish (pipelining)";
  EXPECT_EQ(pipeline_.batches(), 0u) << "stored before finish ran";
  EXPECT_EQ(deferred.finish().status, 200);
  EXPECT_EQ(pipeline_.batches(), 1u);
  // Without X-Sluice-Agent (any OTLP client) the answer is final.
  r.headers.erase("x-sluice-agent");
  r.headers.erase("x-sluice-positions");
  HttpResponse plain = http_->handle(r);
  EXPECT_FALSE(plain.finish);
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(pipeline_.batches(), 2u);
}

TEST_F(OtlpSluiceTest, StoresEachPositionedBatchOnce) {
  open();
  auto r = post({record("a"), record("b")}, {{"app", "f1", 100}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(pipeline_.batches(), 1u);
  EXPECT_EQ(pipeline_.stored[0].records.size(), 2u);
  EXPECT_EQ(pipeline_.stored[0].stream, "otel");
  ASSERT_EQ(pipeline_.stored[0].positions.size(), 1u);
  EXPECT_EQ(pipeline_.stored[0].positions[0].source, "srv");
  EXPECT_EQ(pipeline_.stored[0].positions[0].key, "web-1/app/f1");
  EXPECT_EQ(pipeline_.stored[0].positions[0].offset, 100u);
  // The same batch again (its answer was lost): success, not stored.
  EXPECT_EQ(post({record("a"), record("b")}, {{"app", "f1", 100}}).status, 200);
  EXPECT_EQ(pipeline_.batches(), 1u);
  // Another agent with the same file key is not a duplicate; nor is progress.
  EXPECT_EQ(post({record("c")}, {{"app", "f1", 100}}, {{"x-sluice-agent", "web-2"}}).status, 200);
  EXPECT_EQ(post({record("d")}, {{"app", "f1", 130}}).status, 200);
  EXPECT_EQ(pipeline_.batches(), 3u);
  EXPECT_EQ(get_positions("web-1", "app").body, "{\"f1\":130}\n");
  // The key started over (a truncated file with the same first line): a
  // reset position is stored, once.
  EXPECT_EQ(post({record("e")}, {{"app", "f1", 20, true}}).status, 200);
  EXPECT_EQ(post({record("e")}, {{"app", "f1", 20, true}}).status, 200);
  EXPECT_EQ(pipeline_.batches(), 4u);
  EXPECT_EQ(pipeline_.stored[3].positions[0].offset, 20u);
  EXPECT_EQ(get_positions("web-1", "app").body, "{\"f1\":20}\n");
  EXPECT_EQ(get_positions("web-2", "app").body, "{\"f1\":100}\n");
  EXPECT_EQ(get_positions("web-3", "app").body, "{}\n");
}

TEST_F(OtlpSluiceTest, ResumesFromWhatTheStoreCommitted) {
  open({{"web-1/app/f1", 100}, {"web-1/ship/buffer", 7}});
  EXPECT_EQ(post({record("a")}, {{"app", "f1", 90}}).status, 200);
  EXPECT_EQ(pipeline_.batches(), 0u);
  auto r = get_positions("web-1", "ship");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\"buffer\":7}\n");
}

TEST_F(OtlpSluiceTest, StreamHeaderPositionsInBodyAndPositionOnlyBatches) {
  open();
  auto r = post({record("a")}, {{"app", "f1", 10}}, {{"x-sluice-agent", "web-1"}, {"x-sluice-stream", "edge"}},
                /*positions_in_body=*/true);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(pipeline_.batches(), 1u);
  EXPECT_EQ(pipeline_.stored[0].stream, "edge");
  EXPECT_EQ(pipeline_.stored[0].positions[0].key, "web-1/app/f1");
  // No records, a position only (a file source's starting point): stored.
  EXPECT_EQ(post({}, {{"app", "f2", 4096}}).status, 200);
  ASSERT_EQ(pipeline_.batches(), 2u);
  EXPECT_TRUE(pipeline_.stored[1].records.empty());
  EXPECT_EQ(pipeline_.stored[1].positions[0].offset, 4096u);
  // Without positions: stored each time (at-least-once), stream honoured.
  EXPECT_EQ(post({record("x")}, {}, {{"x-sluice-stream", "edge"}}).status, 200);
  EXPECT_EQ(post({record("x")}, {}, {{"x-sluice-stream", "edge"}}).status, 200);
  EXPECT_EQ(pipeline_.batches(), 4u);
  EXPECT_EQ(pipeline_.stored[3].stream, "edge");
}

TEST_F(OtlpSluiceTest, BadSluiceRequests) {
  open();
  auto bad = [&](HttpResponse r, const std::string& want) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find(want), std::string::npos) << r.body;
  };
  bad(post({record("a")}, {}, {{"x-sluice-stream", "Bad Name"}}), "not a stream name");
  bad(post({record("a")}, {{"app", "f1", 1}}, {{"x-sluice-agent", "a/b"}}), "not an agent id");
  bad(post({record("a")}, {{"app", "f1", 1}}, {}), "without an X-Sluice-Agent");
  HttpRequest both;
  both.method = "POST";
  both.path = "/v1/logs";
  both.headers = {{"content-type", "application/x-protobuf"},
                  {"x-sluice-agent", "web-1"},
                  {"x-sluice-positions", "[[\"app\",\"f1\",1]]"}};
  both.body = encode_otlp_logs_proto(std::vector<LogRecord>{record("a")}, "[[\"app\",\"f1\",1]]");
  bad(final_answer(http_->handle(both)), "both in the X-Sluice-Positions header and in the body");
  both.body = encode_otlp_logs_proto(std::vector<LogRecord>{record("a")});
  both.headers["x-sluice-positions"] = "[[\"app\",\"f1\"]]";
  bad(final_answer(http_->handle(both)), "positions[0]");
  bad(get_positions("", "app"), "not an agent id");
  bad(get_positions("web-1", "a/b"), "without '/'");
  EXPECT_EQ(pipeline_.batches(), 0u);
}

MetricSample counter_sample(double value) {
  MetricSample m;
  m.timestamp_ns = 1700000000000000000;
  m.name = "system_cpu_time_seconds_total";
  m.labels = {{"cpu", "0"}, {"state", "user"}};
  m.value = value;
  m.kind = MetricKind::kCounter;
  m.resource = {{"host.name", "web-1"}};
  return m;
}

Span a_span(const std::string& id) {
  Span s;
  s.start_timestamp_ns = 1700000000000000000;
  s.end_timestamp_ns = 1700000000000000100;
  s.trace_id = "5b8efff798038103d269b633813fc60c";
  s.span_id = id;
  s.name = "op";
  return s;
}

TEST_F(OtlpSluiceTest, MetricsAndTracesAreStoredOnceVerbatimInTheirStreams) {
  open();
  const std::vector<MetricSample> samples = {counter_sample(1.5), counter_sample(2.5)};
  const std::string positions = "[[\"host\",\"buffer\",3]]";
  std::map<std::string, std::string> agent = {
      {"x-sluice-agent", "web-1"}, {"x-sluice-stream", "host"}, {"x-sluice-positions", positions}};
  auto r = post_signal("/v1/metrics", encode_otlp_metrics_proto(samples), agent);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(pipeline_.batches(), 1u);
  EXPECT_EQ(pipeline_.stored[0].stream, "host");
  EXPECT_EQ(pipeline_.stored[0].samples, samples);  // verbatim: name, kind, labels as sent
  ASSERT_EQ(pipeline_.stored[0].positions.size(), 1u);
  EXPECT_EQ(pipeline_.stored[0].positions[0].key, "web-1/host/buffer");
  // Again (the answer was lost): success, not stored.
  EXPECT_EQ(post_signal("/v1/metrics", encode_otlp_metrics_proto(samples), agent).status, 200);
  EXPECT_EQ(pipeline_.batches(), 1u);
  EXPECT_EQ(get_positions("web-1", "host").body, "{\"buffer\":3}\n");

  // Spans with the positions in the body, into the source's traces_stream.
  const std::vector<Span> spans = {a_span("eee19b7ec3c1b174"), a_span("eee19b7ec3c1b175")};
  const std::string body = encode_otlp_traces_proto(spans, "[[\"otel\",\"buffer\",1]]");
  r = post_signal("/v1/traces", body, {{"x-sluice-agent", "web-1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(pipeline_.batches(), 2u);
  EXPECT_EQ(pipeline_.stored[1].stream, "spans");
  EXPECT_EQ(pipeline_.stored[1].spans, spans);
  EXPECT_EQ(pipeline_.stored[1].positions[0].key, "web-1/otel/buffer");
  EXPECT_EQ(post_signal("/v1/traces", body, {{"x-sluice-agent", "web-1"}}).status, 200);
  EXPECT_EQ(pipeline_.batches(), 2u);
  // Positions only: committed.
  r = post_signal("/v1/traces", encode_otlp_traces_proto({}, "[[\"otel\",\"buffer\",2]]"),
                  {{"x-sluice-agent", "web-1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(pipeline_.batches(), 3u);
  EXPECT_EQ(get_positions("web-1", "otel").body, "{\"buffer\":2}\n");

  // Without X-Sluice-Agent the marker means nothing: the spec mapping
  // (an OTLP gauge), at-least-once, in metrics_stream.
  r = post_signal("/v1/metrics", encode_otlp_metrics_proto(samples), {});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(pipeline_.batches(), 4u);
  EXPECT_EQ(pipeline_.stored[3].stream, "metrics");
  ASSERT_EQ(pipeline_.stored[3].samples.size(), 2u);
  EXPECT_EQ(pipeline_.stored[3].samples[0].kind, MetricKind::kGauge);
}

TEST_F(OtlpSluiceTest, BadSluiceMetricsAndTracesRequests) {
  open();
  auto bad = [&](HttpResponse r, const std::string& want) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find(want), std::string::npos) << r.body;
  };
  const std::string metrics = encode_otlp_metrics_proto(std::vector<MetricSample>{counter_sample(1)});
  bad(post_signal("/v1/metrics", metrics, {{"x-sluice-stream", "Bad Name"}}), "not a stream name");
  bad(post_signal("/v1/traces", "", {{"x-sluice-agent", "a/b"}}), "not an agent id");
  bad(post_signal("/v1/metrics", metrics, {{"x-sluice-positions", "[[\"app\",\"f1\",1]]"}}),
      "without an X-Sluice-Agent");
  bad(post_signal("/v1/traces",
                  encode_otlp_traces_proto(std::vector<Span>{a_span("eee19b7ec3c1b174")}, "[[\"a\",\"k\",1]]"),
                  {{"x-sluice-agent", "web-1"}, {"x-sluice-positions", "[[\"a\",\"k\",1]]"}}),
      "both in the X-Sluice-Positions header and in the body");
  bad(post_signal("/v1/metrics", metrics, {{"x-sluice-agent", "web-1"}, {"x-sluice-positions", "[[\"a\"]]"}}),
      "positions[0]");
  EXPECT_EQ(pipeline_.batches(), 0u);
}

TEST_F(OtlpSluiceTest, ARetryAfterATimeOutWaitsForTheFirstAttempt) {
  open({}, std::chrono::milliseconds(200));
  pipeline_.hold_next();
  // The first attempt is not durable within ack_timeout: 503, still in flight.
  EXPECT_EQ(post({record("a")}, {{"app", "f1", 10}}).status, 503);
  // The retry (and a positions query) wait for its outcome.
  HttpResponse retry;
  std::thread t([&] { retry = post({record("a")}, {{"app", "f1", 10}}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  pipeline_.release();
  t.join();
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(pipeline_.batches(), 1u);
  EXPECT_EQ(get_positions("web-1", "app").body, "{\"f1\":10}\n");
  // Still held past the retry's own wait: the retry is answered 503 too.
  pipeline_.hold_next();
  EXPECT_EQ(post({record("b")}, {{"app", "f1", 20}}).status, 503);
  EXPECT_EQ(post({record("b")}, {{"app", "f1", 20}}).status, 503);
  EXPECT_EQ(get_positions("web-1", "app").status, 503);
  pipeline_.release();
  EXPECT_EQ(post({record("b")}, {{"app", "f1", 20}}).status, 200);
  EXPECT_EQ(pipeline_.batches(), 2u);
}

}  // namespace
}  // namespace sluice
