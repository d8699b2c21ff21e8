#include "pipeline/sources/prometheus/prometheus_source.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include "common/compression.hpp"
#include "net/http_client.hpp"
#include "prometheus/remote.pb.h"

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
      copy.samples = local.samples;
      copy.stream = local.stream;
      batches.push_back(std::move(copy));
      return Status::Ok();
    };
  }
};

const std::map<std::string, std::string> kHeaders = {{"content-type", "application/x-protobuf"},
                                                     {"content-encoding", "snappy"},
                                                     {"x-prometheus-remote-write-version", "0.1.0"}};

class PrometheusSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { start(PrometheusSourceOptions{}); }

  void start(PrometheusSourceOptions o) {
    o.listen = "127.0.0.1:0";
    o.ack_timeout = std::chrono::seconds(5);
    if (source_) source_->stop();
    source_ = std::make_unique<PrometheusSource>("prom_test", o);
    ASSERT_TRUE(source_->start(&pipeline_.ctx).ok());
  }

  HttpResponse post(std::string body, std::map<std::string, std::string> headers = kHeaders,
                    std::string path = "/api/v1/write") {
    HttpRequest r;
    r.method = "POST";
    r.path = std::move(path);
    r.headers = std::move(headers);
    r.body = std::move(body);
    return source_->handle(r);
  }

  static std::string snappy(const prometheus::WriteRequest& req) {
    auto r = compress(Compression::kSnappy, req.SerializeAsString());
    EXPECT_TRUE(r.ok());
    return *r;
  }

  static prometheus::WriteRequest one_series(const std::string& name, const std::string& job, double value) {
    prometheus::WriteRequest req;
    auto* ts = req.add_timeseries();
    auto* l = ts->add_labels();
    l->set_name("__name__");
    l->set_value(name);
    l = ts->add_labels();
    l->set_name("job");
    l->set_value(job);
    auto* s = ts->add_samples();
    s->set_timestamp(1700000000000);
    s->set_value(value);
    return req;
  }

  FakePipeline pipeline_;
  std::unique_ptr<PrometheusSource> source_;
};

TEST_F(PrometheusSourceTest, WriteIsAnswered204AfterDelivery) {
  auto r = post(snappy(one_series("up", "node", 1)));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
  ASSERT_EQ(pipeline_.batches.size(), 1u);
  const LogBatch& b = pipeline_.batches[0];
  EXPECT_EQ(b.stream, "metrics");
  ASSERT_EQ(b.samples.size(), 1u);
  EXPECT_EQ(b.samples[0].name, "up");
  EXPECT_EQ(b.samples[0].labels, (KeyValues{{"job", "node"}}));
  EXPECT_EQ(b.samples[0].resource, (KeyValues{{"service.name", "node"}}));
  EXPECT_EQ(b.samples[0].timestamp_ns, 1700000000000000000);
  bool has_written = false;
  for (const auto& [k, v] : r.headers) has_written |= k == "X-Prometheus-Remote-Write-Samples-Written" && v == "1";
  EXPECT_TRUE(has_written);
}

TEST_F(PrometheusSourceTest, HeadersAreOptionalButOthersAreRefused) {
  EXPECT_EQ(post(snappy(one_series("a", "j", 1)), {}).status, 204);
  EXPECT_EQ(
      post(snappy(one_series("a", "j", 1)), {{"content-type", "application/x-protobuf;proto=prometheus.WriteRequest"}})
          .status,
      204);
  auto r = post(snappy(one_series("a", "j", 1)),
                {{"content-type", "application/x-protobuf;proto=io.prometheus.write.v2.Request"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("remote_write 1.0"), std::string::npos) << r.body;
  EXPECT_EQ(post("{}", {{"content-type", "application/json"}}).status, 415);
  auto gz = compress(Compression::kGzip, one_series("a", "j", 1).SerializeAsString());
  EXPECT_EQ(post(*gz, {{"content-encoding", "gzip"}}).status, 415);
  EXPECT_EQ(pipeline_.batches.size(), 2u);
}

TEST_F(PrometheusSourceTest, MalformedInputIs400WithAReason) {
  auto r = post("not snappy at all");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("snappy"), std::string::npos) << r.body;
  // Valid Snappy, not a WriteRequest.
  r = post(*compress(Compression::kSnappy, std::string("\x0a\x05\x00", 3)));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("exceeds"), std::string::npos) << r.body;
  // A series without a name: the body names it.
  prometheus::WriteRequest req = one_series("ok", "j", 1);
  auto* ts = req.add_timeseries();
  auto* l = ts->add_labels();
  l->set_name("job");
  l->set_value("nameless");
  ts->add_samples()->set_timestamp(1);
  r = post(snappy(req));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(r.body.rfind("series 1 {job=\"nameless\"}: no __name__ label", 0), 0u) << r.body;
  // Nothing of a rejected request is delivered, not even its good series.
  EXPECT_TRUE(pipeline_.batches.empty());
}

TEST_F(PrometheusSourceTest, SnappyBombIs413) {
  PrometheusSourceOptions o;
  o.max_decompressed_bytes = 4096;
  start(o);
  auto bomb = compress(Compression::kSnappy, std::string(1 << 20, '\0'));
  ASSERT_TRUE(bomb.ok());
  ASSERT_LT(bomb->size(), 64u << 10);
  auto r = post(*bomb);
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("4096"), std::string::npos) << r.body;
  // Samples that would take too much memory (labels copied per sample) are refused too.
  prometheus::WriteRequest req = one_series("m", std::string(300, 'j'), 1);
  for (int i = 2; i < 200; ++i) req.mutable_timeseries(0)->add_samples()->set_timestamp(i);
  ASSERT_LT(req.ByteSizeLong(), 4096u);
  EXPECT_EQ(post(snappy(req)).status, 413);
  EXPECT_TRUE(pipeline_.batches.empty());
}

TEST_F(PrometheusSourceTest, BodyLargerThanMaxBodyBytesIs413OverTheSocket) {
  PrometheusSourceOptions o;
  o.max_body_bytes = 1024;
  start(o);
  HttpClientRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(source_->port()) + "/api/v1/write";
  req.headers = {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "snappy"}};
  req.body = std::string(4096, 'x');
  auto r = http_send(req);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->status, 413);
  req.body = snappy(one_series("up", "j", 1));
  r = http_send(req);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->status, 204);
}

TEST_F(PrometheusSourceTest, DeliveryOutcomes) {
  pipeline_.outcome = DeliveryStatus::kRejected;
  EXPECT_EQ(post(snappy(one_series("a", "j", 1))).status, 400);
  pipeline_.outcome = DeliveryStatus::kErrored;
  EXPECT_EQ(post(snappy(one_series("a", "j", 1))).status, 503);
}

TEST_F(PrometheusSourceTest, MetadataFromAnEarlierRequestSetsTheKind) {
  prometheus::WriteRequest meta;
  auto* m = meta.add_metadata();
  m->set_metric_family_name("temperature");
  m->set_type(prometheus::MetricMetadata::GAUGE);
  EXPECT_EQ(post(snappy(meta)).status, 204);
  EXPECT_TRUE(pipeline_.batches.empty());  // metadata alone stores nothing
  EXPECT_EQ(post(snappy(one_series("temperature", "j", 21.5))).status, 204);
  ASSERT_EQ(pipeline_.batches.size(), 1u);
  EXPECT_EQ(pipeline_.batches[0].samples[0].kind, MetricKind::kGauge);

  PrometheusSourceOptions o;
  o.max_metadata_families = 0;
  start(o);
  EXPECT_EQ(post(snappy(meta)).status, 204);
  EXPECT_EQ(post(snappy(one_series("temperature", "j", 21.5))).status, 204);
  EXPECT_EQ(pipeline_.batches.back().samples[0].kind, MetricKind::kUnknown);
}

TEST_F(PrometheusSourceTest, NativeHistogramsAreSkipped) {
  prometheus::WriteRequest req = one_series("rpc_total", "j", 3);
  req.mutable_timeseries(0)->add_histograms()->set_count_int(4);
  auto r = post(snappy(req));
  EXPECT_EQ(r.status, 204);
  ASSERT_EQ(pipeline_.batches.size(), 1u);
  EXPECT_EQ(pipeline_.batches[0].samples.size(), 1u);
  EXPECT_EQ(pipeline_.batches[0].samples[0].kind, MetricKind::kCounter);
}

TEST_F(PrometheusSourceTest, OtherPathsAndMethods) {
  HttpRequest r;
  r.method = "GET";
  r.path = "/api/v1/write";
  EXPECT_EQ(source_->handle(r).status, 405);
  r.path = "/-/ready";
  EXPECT_EQ(source_->handle(r).status, 200);
  r.path = "/-/healthy";
  EXPECT_EQ(source_->handle(r).status, 200);
  EXPECT_EQ(post("", kHeaders, "/api/v1/push").status, 404);
}

TEST(PrometheusSourceOptionsTest, DefaultsAndValidation) {
  auto o = prometheus_source_option_table().defaults();
  EXPECT_EQ(o.listen, "127.0.0.1:9090");
  EXPECT_EQ(o.stream, "metrics");
  EXPECT_EQ(o.name_validation, "utf8");
  EXPECT_TRUE(validate_prometheus_source_options(o).ok());
  o.stream = "Bad Name";
  EXPECT_FALSE(make_prometheus_source("p", o).ok());
}

}  // namespace
}  // namespace sluice
