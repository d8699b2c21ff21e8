#include "pipeline/sources/loki/loki_source.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include "common/compression.hpp"
#include "logproto/push.pb.h"

namespace sluice {
namespace {

/// A pipeline stand-in: keeps a copy of every batch and completes its
/// acknowledgement with `outcome`.
struct FakePipeline {
  std::mutex mu;
  std::vector<LogBatch> batches;
  DeliveryStatus outcome = DeliveryStatus::kDelivered;
  SourceContext ctx;

  FakePipeline() {
    ctx.emit = [this](LogBatch&& b) {
      LogBatch local = std::move(b);
      std::lock_guard<std::mutex> l(mu);
      if (outcome != DeliveryStatus::kDelivered) local.fail_acks(outcome, "the sink said no");
      LogBatch copy;
      copy.records = local.records;
      copy.stream = local.stream;
      batches.push_back(std::move(copy));
      return Status::Ok();
    };
  }
};

class LokiSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { start(LokiSourceOptions{}); }

  void start(LokiSourceOptions o) {
    o.listen = "127.0.0.1:0";
    o.ack_timeout = std::chrono::seconds(5);
    if (source_) source_->stop();
    source_ = std::make_unique<LokiSource>("loki_test", o);
    ASSERT_TRUE(source_->start(&pipeline_.ctx).ok());
  }

  HttpResponse post(std::string body, std::map<std::string, std::string> headers) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/loki/api/v1/push";
    r.headers = std::move(headers);
    r.body = std::move(body);
    return source_->handle(r);
  }

  HttpResponse get(const std::string& path) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    return source_->handle(r);
  }

  static std::string protobuf_push(const std::string& labels, const std::string& line) {
    logproto::PushRequest req;
    auto* s = req.add_streams();
    s->set_labels(labels);
    auto* e = s->add_entries();
    e->mutable_timestamp()->set_seconds(1700000000);
    e->mutable_timestamp()->set_nanos(42);
    e->set_line(line);
    return req.SerializeAsString();
  }

  FakePipeline pipeline_;
  std::unique_ptr<LokiSource> source_;
};

TEST_F(LokiSourceTest, SnappyProtobufPush) {
  auto body = compress(Compression::kSnappy, protobuf_push("{job=\"a\"}", "hello"));
  ASSERT_TRUE(body.ok());
  auto r = post(*body, {{"content-type", "application/x-protobuf"}, {"x-scope-orgid", "team-1"}});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
  ASSERT_EQ(pipeline_.batches.size(), 1u);
  const LogBatch& b = pipeline_.batches[0];
  EXPECT_EQ(b.stream, "loki");
  ASSERT_EQ(b.records.size(), 1u);
  EXPECT_EQ(b.records[0].body, "hello");
  EXPECT_EQ(b.records[0].timestamp_ns, 1700000000000000042);
  EXPECT_GT(b.records[0].observed_timestamp_ns, 0);
  EXPECT_EQ(b.records[0].resource, (KeyValues{{"job", "a"}, {"tenant", "team-1"}}));
}

TEST_F(LokiSourceTest, NoContentTypeMeansProtobufAndSnappyEncodingIsUndoneOnce) {
  auto body = compress(Compression::kSnappy, protobuf_push("{}", "x"));
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(post(*body, {}).status, 204);
  EXPECT_EQ(post(*body, {{"content-encoding", "snappy"}}).status, 204);
  EXPECT_EQ(pipeline_.batches.size(), 2u);
}

TEST_F(LokiSourceTest, JsonAndGzipJson) {
  const std::string json = R"({"streams":[{"stream":{"app":"x"},"values":[["5","line"]]}]})";
  EXPECT_EQ(post(json, {{"content-type", "application/json; charset=utf-8"}}).status, 204);
  auto gz = compress(Compression::kGzip, json);
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(post(*gz, {{"content-type", "application/json"}, {"content-encoding", "gzip"}}).status, 204);
  ASSERT_EQ(pipeline_.batches.size(), 2u);
  EXPECT_EQ(pipeline_.batches[1].records[0].body, "line");
  EXPECT_EQ(pipeline_.batches[1].records[0].timestamp_ns, 5);
  // No X-Scope-OrgID: no tenant attribute.
  EXPECT_EQ(pipeline_.batches[1].records[0].resource, (KeyValues{{"app", "x"}}));
}

TEST_F(LokiSourceTest, BadInputIs400WithAReason) {
  auto r = post("not snappy at all", {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("snappy"), std::string::npos) << r.body;
  auto bad_labels = compress(Compression::kSnappy, protobuf_push("{job=a}", "x"));
  r = post(*bad_labels, {});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(r.body.rfind("stream 0: labels", 0), 0u) << r.body;
  r = post("{\"streams\":[{\"values\":[[\"x\",\"y\"]]}]}", {{"content-type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("stream 0, entry 0"), std::string::npos) << r.body;
  EXPECT_TRUE(pipeline_.batches.empty());
}

TEST_F(LokiSourceTest, LimitsAndEncodings) {
  LokiSourceOptions o;
  o.max_decompressed_bytes = 4096;
  start(o);
  auto bomb = compress(Compression::kGzip, std::string(1 << 20, '{'));
  ASSERT_TRUE(bomb.ok());
  EXPECT_EQ(post(*bomb, {{"content-type", "application/json"}, {"content-encoding", "gzip"}}).status, 413);
  auto big = compress(Compression::kSnappy, protobuf_push("{}", std::string(10000, 'x')));
  EXPECT_EQ(post(*big, {}).status, 413);
  EXPECT_EQ(post("x", {{"content-encoding", "br"}}).status, 415);
}

TEST_F(LokiSourceTest, DeliveryOutcomes) {
  const std::string json = R"({"streams":[{"stream":{},"values":[["5","line"]]}]})";
  pipeline_.outcome = DeliveryStatus::kRejected;
  EXPECT_EQ(post(json, {{"content-type", "application/json"}}).status, 400);
  pipeline_.outcome = DeliveryStatus::kErrored;
  EXPECT_EQ(post(json, {{"content-type", "application/json"}}).status, 503);
}

TEST_F(LokiSourceTest, ProbesAndOtherPaths) {
  auto r = get("/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ready\n");
  r = get("/loki/api/v1/status/buildinfo");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"version\":\"3.0.0\""), std::string::npos);
  HttpRequest head;
  head.method = "HEAD";
  head.path = "/ready";
  r = source_->handle(head);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(get("/loki/api/v1/push").status, 405);
  EXPECT_EQ(get("/nope").status, 404);
}

TEST(LokiSourceOptions, Validation) {
  LokiSourceOptions o;
  EXPECT_TRUE(validate_loki_source_options(o).ok());
  o.stream = "Bad Name";
  EXPECT_FALSE(validate_loki_source_options(o).ok());
  EXPECT_FALSE(make_loki_source("x", o).ok());
}

}  // namespace
}  // namespace sluice
