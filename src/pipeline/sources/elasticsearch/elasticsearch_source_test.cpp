#include "pipeline/sources/elasticsearch/elasticsearch_source.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include "common/compression.hpp"

namespace sluice {
namespace {

/// A pipeline stand-in: keeps a copy of every batch and completes its
/// acknowledgement with the outcome configured for its stream.
struct FakePipeline {
  std::mutex mu;
  std::vector<LogBatch> batches;
  std::map<std::string, DeliveryStatus> outcome;  ///< by stream; default delivered
  SourceContext ctx;

  FakePipeline() {
    ctx.emit = [this](LogBatch&& b) {
      LogBatch local = std::move(b);
      std::lock_guard<std::mutex> l(mu);
      auto it = outcome.find(local.stream);
      if (it != outcome.end()) local.fail_acks(it->second, "the sink said no");
      LogBatch copy;
      copy.records = local.records;
      copy.stream = local.stream;
      batches.push_back(std::move(copy));
      return Status::Ok();
    };
  }
};

class ElasticsearchSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { start(ElasticsearchSourceOptions{}); }

  void start(ElasticsearchSourceOptions o) {
    o.listen = "127.0.0.1:0";
    o.ack_timeout = std::chrono::seconds(5);
    if (source_) source_->stop();
    source_ = std::make_unique<ElasticsearchSource>("es_test", o);
    ASSERT_TRUE(source_->start(&pipeline_.ctx).ok());
  }

  HttpResponse call(const std::string& method, const std::string& path, std::string body = "",
                    std::map<std::string, std::string> headers = {}) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.headers = std::move(headers);
    r.body = std::move(body);
    return source_->handle(r);
  }

  FakePipeline pipeline_;
  std::unique_ptr<ElasticsearchSource> source_;
};

TEST_F(ElasticsearchSourceTest, TwoIndicesTwoStreams) {
  auto r = call("POST", "/_bulk",
                "{\"index\":{\"_index\":\"app-logs\",\"_id\":\"x1\"}}\n{\"message\":\"a\"}\n"
                "{\"create\":{\"_index\":\"Other\"}}\n{\"message\":\"b\"}\n"
                "{\"index\":{\"_index\":\"app-logs\"}}\n{\"message\":\"c\"}\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"errors\":false"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"({"index":{"_index":"app-logs","_id":"x1","_version":1,"result":"created")"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"({"create":{"_index":"Other","_id":")"), std::string::npos) << r.body;
  ASSERT_EQ(pipeline_.batches.size(), 2u);
  std::map<std::string, std::vector<std::string>> bodies;
  for (const auto& b : pipeline_.batches) {
    for (const auto& rec : b.records) bodies[b.stream].push_back(rec.body);
  }
  EXPECT_EQ(bodies["app-logs"], (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(bodies["other"], (std::vector<std::string>{"b"}));
}

TEST_F(ElasticsearchSourceTest, PathIndexConfiguredStreamAndGzip) {
  auto gz = compress(Compression::kGzip, "{\"index\":{}}\n{\"message\":\"z\"}\n");
  ASSERT_TRUE(gz.ok());
  auto r = call("PUT", "/my-index/_bulk", *gz, {{"content-encoding", "gzip"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"_index\":\"my-index\""), std::string::npos);
  ASSERT_EQ(pipeline_.batches.size(), 1u);
  EXPECT_EQ(pipeline_.batches[0].stream, "my-index");

  ElasticsearchSourceOptions o;
  o.stream = "all";
  start(o);
  r = call("POST", "/_bulk", "{\"index\":{}}\n{\"message\":\"y\"}\n{\"index\":{\"_index\":\"q\"}}\n{}\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"_index\":\"all\""), std::string::npos) << r.body;
  ASSERT_EQ(pipeline_.batches.size(), 2u);
  EXPECT_EQ(pipeline_.batches[1].stream, "all");
  EXPECT_EQ(pipeline_.batches[1].records.size(), 2u);
}

TEST_F(ElasticsearchSourceTest, ItemErrors) {
  auto r = call("POST", "/_bulk",
                "{\"delete\":{\"_index\":\"i\",\"_id\":\"1\"}}\n"
                "{\"index\":{}}\n{\"message\":\"no index\"}\n"
                "{\"index\":{\"_index\":\"..\"}}\n{\"message\":\"bad index\"}\n"
                "{\"index\":{\"_index\":\"i\"}}\n{\"message\":\"kept\"}\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"errors\":true"), std::string::npos);
  EXPECT_NE(r.body.find("\"delete\":{\"_index\":\"i\",\"_id\":\"1\",\"status\":400"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("action_request_validation_exception"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("invalid_index_name_exception"), std::string::npos) << r.body;
  ASSERT_EQ(pipeline_.batches.size(), 1u);
  ASSERT_EQ(pipeline_.batches[0].records.size(), 1u);
  EXPECT_EQ(pipeline_.batches[0].records[0].body, "kept");
}

TEST_F(ElasticsearchSourceTest, MalformedAndLimits) {
  auto r = call("POST", "/_bulk", "{\"index\":{}}\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"type\":\"illegal_argument_exception\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("line 2"), std::string::npos) << r.body;
  EXPECT_EQ(call("POST", "/_bulk", "x", {{"content-encoding", "br"}}).status, 415);
  EXPECT_EQ(call("GET", "/_bulk").status, 405);
  EXPECT_TRUE(pipeline_.batches.empty());

  ElasticsearchSourceOptions o;
  o.max_decompressed_bytes = 4096;
  start(o);
  auto bomb = compress(Compression::kGzip, std::string(1 << 20, ' '));
  EXPECT_EQ(call("POST", "/_bulk", *bomb, {{"content-encoding", "gzip"}}).status, 413);
}

TEST_F(ElasticsearchSourceTest, DeliveryOutcomes) {
  pipeline_.outcome["bad"] = DeliveryStatus::kRejected;
  auto r = call("POST", "/_bulk", "{\"index\":{\"_index\":\"bad\"}}\n{}\n{\"index\":{\"_index\":\"good\"}}\n{}\n");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"errors\":true"), std::string::npos);
  EXPECT_NE(r.body.find("\"_index\":\"good\",\"_id\""), std::string::npos);
  pipeline_.outcome["bad"] = DeliveryStatus::kErrored;
  r = call("POST", "/_bulk", "{\"index\":{\"_index\":\"bad\"}}\n{}\n");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"status\":503"), std::string::npos) << r.body;
}

TEST_F(ElasticsearchSourceTest, Probes) {
  auto r = call("GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"number\":\"8.11.0\""), std::string::npos);
  EXPECT_NE(r.body.find("\"tagline\":\"You Know, for Search\""), std::string::npos);
  r = call("HEAD", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_NE(call("GET", "/_license").body.find("\"type\":\"basic\""), std::string::npos);
  EXPECT_NE(call("GET", "/_xpack").body.find("\"ilm\":{\"available\":true"), std::string::npos);
  EXPECT_NE(call("GET", "/_cluster/health").body.find("\"status\":\"green\""), std::string::npos);
  EXPECT_NE(call("GET", "/_nodes/_local").body.find("\"name\":\"es_test\""), std::string::npos);
  EXPECT_EQ(call("PUT", "/_index_template/filebeat").body, "{\"acknowledged\":true}");
  EXPECT_EQ(call("PUT", "/_ilm/policy/p").body, "{\"acknowledged\":true}");
  EXPECT_EQ(call("PUT", "/_ingest/pipeline/p").body, "{\"acknowledged\":true}");
  EXPECT_EQ(call("GET", "/_index_template/filebeat").body, "{}");
  EXPECT_EQ(call("HEAD", "/_index_template/filebeat").status, 200);
  r = call("GET", "/some-index/_search");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("\"status\":404"), std::string::npos);
}

TEST(ElasticsearchSourceOptions, Validation) {
  ElasticsearchSourceOptions o;
  EXPECT_TRUE(validate_elasticsearch_source_options(o).ok());
  o.stream = "UPPER";
  EXPECT_FALSE(validate_elasticsearch_source_options(o).ok());
  o.stream = "";
  o.message_field = "";
  EXPECT_FALSE(make_elasticsearch_source("x", o).ok());
}

}  // namespace
}  // namespace sluice
