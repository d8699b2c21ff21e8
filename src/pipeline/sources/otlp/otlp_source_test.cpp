#include "pipeline/sources/otlp/otlp_source.hpp"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>

#include "common/compression.hpp"
#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "pipeline/sources/otlp/otlp_http_receiver.hpp"
#include "pipeline/sources/otlp/otlp_response.hpp"

namespace sluice {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;
using opentelemetry::proto::collector::logs::v1::LogsService;

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
  size_t records() {
    std::lock_guard<std::mutex> l(mu);
    size_t n = 0;
    for (const auto& b : batches) n += b.records.size();
    return n;
  }
};

ExportLogsServiceRequest request(int n, const std::string& trace_id = "") {
  ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  auto* kv = rl->mutable_resource()->add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value("svc");
  auto* sl = rl->add_scope_logs();
  for (int i = 0; i < n; ++i) {
    auto* lr = sl->add_log_records();
    lr->mutable_body()->set_string_value("r" + std::to_string(i));
    if (i == 0 && !trace_id.empty()) lr->set_trace_id(trace_id);
  }
  return req;
}

class OtlpSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OtlpSourceOptions o;
    o.listen = "127.0.0.1:0";
    o.grpc_listen = "127.0.0.1:0";
    o.ack_timeout = std::chrono::seconds(5);
    o.max_decompressed_bytes = 1 << 20;
    o.stream = "otel";
    start(o);
  }

  void start(const OtlpSourceOptions& o) {
    if (source_) source_->stop();
    http_ = std::make_unique<OtlpHttpReceiver>("otlp_test", o);
    ASSERT_TRUE(http_->start(&pipeline_.ctx).ok());
    source_ = std::make_unique<OtlpSource>("otlp_test", o);
    ASSERT_TRUE(source_->start(&pipeline_.ctx).ok());
  }

  HttpResponse post(std::string body, std::map<std::string, std::string> headers,
                    const std::string& path = "/v1/logs") {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.headers = std::move(headers);
    r.body = std::move(body);
    return http_->handle(r);
  }

  static std::string rpc_message(const HttpResponse& r) {
    google::rpc::Status s;
    if (r.content_type == "application/x-protobuf") {
      EXPECT_TRUE(s.ParseFromString(r.body));
      return s.message();
    }
    return r.body;
  }

  FakePipeline pipeline_;
  std::unique_ptr<OtlpHttpReceiver> http_;
  std::unique_ptr<OtlpSource> source_;
};

TEST_F(OtlpSourceTest, HttpProtobufExport) {
  auto r = post(request(3).SerializeAsString(), {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  ExportLogsServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_FALSE(resp.has_partial_success());
  ASSERT_EQ(pipeline_.batches.size(), 1u);
  EXPECT_EQ(pipeline_.batches[0].stream, "otel");
  ASSERT_EQ(pipeline_.batches[0].records.size(), 3u);
  EXPECT_EQ(pipeline_.batches[0].records[2].body, "r2");
  EXPECT_EQ(pipeline_.batches[0].records[2].service_name, "svc");
}

TEST_F(OtlpSourceTest, HttpJsonExportWithCompression) {
  const std::string json =
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"hi"},"traceId":"abc"}, {}]}]}]})";
  for (Compression c : {Compression::kGzip, Compression::kZstd}) {
    auto body = compress(c, json);
    ASSERT_TRUE(body.ok());
    auto r =
        post(*body, {{"content-type", "application/json; charset=utf-8"}, {"content-encoding", compression_name(c)}});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_NE(r.body.find(R"("partialSuccess":{"rejectedLogRecords":"1","errorMessage":"1 of 2 log records)"),
              std::string::npos)
        << r.body;
  }
  EXPECT_EQ(pipeline_.records(), 2u);
}

TEST_F(OtlpSourceTest, HttpErrors) {
  auto r = post("\x0a\x05", {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(rpc_message(r).find("invalid protobuf at byte 0"), std::string::npos) << rpc_message(r);
  r = post("{", {{"content-type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid OTLP/JSON"), std::string::npos) << r.body;
  r = post("x", {{"content-type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("application/x-protobuf"), std::string::npos);
  r = post("x", {{"content-type", "application/x-protobuf"}, {"content-encoding", "br"}});
  EXPECT_EQ(r.status, 415);
  r = post("not gzip", {{"content-type", "application/x-protobuf"}, {"content-encoding", "gzip"}});
  EXPECT_EQ(r.status, 400);
  auto bomb = compress(Compression::kGzip, std::string(4 << 20, '\0'));
  ASSERT_TRUE(bomb.ok());
  r = post(*bomb, {{"content-type", "application/x-protobuf"}, {"content-encoding", "gzip"}});
  EXPECT_EQ(r.status, 413);
  r = post("{}", {{"content-type", "application/json"}}, "/v1/metrics");  // otlp_metrics_traces_export_test.cpp
  EXPECT_EQ(r.status, 200) << r.body;
  r = post("", {{"content-type", "application/json"}}, "/v1/nothing");
  EXPECT_EQ(r.status, 404);
  HttpRequest get;
  get.method = "GET";
  get.path = "/v1/logs";
  EXPECT_EQ(http_->handle(get).status, 405);
  EXPECT_TRUE(pipeline_.batches.empty());
}

TEST_F(OtlpSourceTest, HttpUnavailableAndRejectedDelivery) {
  pipeline_.outcome = DeliveryStatus::kErrored;
  auto r = post(request(1).SerializeAsString(), {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 503);
  pipeline_.outcome = DeliveryStatus::kRejected;
  r = post(request(1).SerializeAsString(), {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(rpc_message(r), "the sink said no");
}

class GrpcClient {
 public:
  explicit GrpcClient(uint16_t port)
      : stub_(LogsService::NewStub(
            grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()))) {}

  grpc::Status export_logs(const ExportLogsServiceRequest& req, ExportLogsServiceResponse* resp,
                           grpc_compression_algorithm c = GRPC_COMPRESS_NONE) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    ctx.set_compression_algorithm(c);
    return stub_->Export(&ctx, req, resp);
  }

 private:
  std::unique_ptr<LogsService::Stub> stub_;
};

TEST_F(OtlpSourceTest, GrpcExport) {
  ASSERT_NE(source_->grpc_port(), 0);
  GrpcClient client(source_->grpc_port());
  ExportLogsServiceResponse resp;
  grpc::Status st = client.export_logs(request(4), &resp, GRPC_COMPRESS_GZIP);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_FALSE(resp.has_partial_success());
  EXPECT_EQ(pipeline_.records(), 4u);
  st = client.export_logs(request(2, "bad"), &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.partial_success().rejected_log_records(), 1);
  EXPECT_NE(resp.partial_success().error_message().find("trace_id is 3 bytes"), std::string::npos);
  EXPECT_EQ(pipeline_.records(), 5u);
}

TEST_F(OtlpSourceTest, GrpcErrors) {
  GrpcClient client(source_->grpc_port());
  ExportLogsServiceResponse resp;
  // Invalid UTF-8 in a string field passes the client's serializer (proto3
  // only logs it) and must come back as INVALID_ARGUMENT naming the field.
  auto req = request(1);
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0)->set_severity_text("\xff");
  grpc::Status st = client.export_logs(req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("severity_text): string is not valid UTF-8"), std::string::npos)
      << st.error_message();
  // Over max_decompressed_bytes (1 MiB) after decompression.
  auto big = request(1);
  big.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0)->mutable_body()->set_string_value(
      std::string(2 << 20, 'a'));
  st = client.export_logs(big, &resp, GRPC_COMPRESS_GZIP);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
  pipeline_.outcome = DeliveryStatus::kErrored;
  st = client.export_logs(request(1), &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  pipeline_.outcome = DeliveryStatus::kDelivered;
  st = client.export_logs(request(1), &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
}

TEST(OtlpSourceOptionsTest, Validation) {
  OtlpSourceOptions o;
  EXPECT_TRUE(validate_otlp_source_options(o).ok());
  o.stream = "Bad Name";
  EXPECT_FALSE(validate_otlp_source_options(o).ok());
  o.stream = "otlp";
  o.listen = "127.0.0.1:4318";
  o.grpc_listen = o.listen;
  EXPECT_FALSE(validate_otlp_source_options(o).ok());
  o.grpc_listen = "";
  EXPECT_TRUE(validate_otlp_source_options(o).ok());
}

TEST(OtlpResponse, ContentTypes) {
  EXPECT_EQ(otlp_encoding_from_content_type("application/x-protobuf"), OtlpEncoding::kProtobuf);
  EXPECT_EQ(otlp_encoding_from_content_type(" Application/JSON ; charset=utf-8"), OtlpEncoding::kJson);
  EXPECT_EQ(otlp_encoding_from_content_type("application/protobuf"), std::nullopt);
  EXPECT_EQ(otlp_encoding_from_content_type(""), std::nullopt);
  EXPECT_EQ(encode_export_logs_response(OtlpEncoding::kJson, 0, ""), "{}");
  EXPECT_EQ(encode_rpc_status(OtlpEncoding::kJson, 3, "bad \xff"), "{\"code\":3,\"message\":\"bad \xef\xbf\xbd\"}");
}

}  // namespace
}  // namespace sluice
