#include "pipeline/sources/otlp/otlp_metrics_traces_export.hpp"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>

#include "common/compression.hpp"
#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "pipeline/sources/otlp/otlp_http_receiver.hpp"
#include "pipeline/sources/otlp/otlp_source.hpp"

namespace sluice {
namespace {

namespace cm = opentelemetry::proto::collector::metrics::v1;
namespace ct = opentelemetry::proto::collector::trace::v1;

cm::ExportMetricsServiceRequest metrics_request(int points) {
  cm::ExportMetricsServiceRequest req;
  auto* m = req.add_resource_metrics()->add_scope_metrics()->add_metrics();
  m->set_name("requests");
  m->mutable_sum()->set_is_monotonic(true);
  m->mutable_sum()->set_aggregation_temporality(opentelemetry::proto::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
  for (int i = 0; i < points; ++i) m->mutable_sum()->add_data_points()->set_as_int(i);
  m->mutable_sum()->add_data_points();  // no value: rejected
  return req;
}

ct::ExportTraceServiceRequest trace_request() {
  ct::ExportTraceServiceRequest req;
  auto* ss = req.add_resource_spans()->add_scope_spans();
  auto* s = ss->add_spans();
  s->set_trace_id(std::string(16, '\x01'));
  s->set_span_id(std::string(8, '\x02'));
  s->set_name("op");
  ss->add_spans()->set_name("no ids");  // rejected
  return req;
}

std::string rpc_message(const HttpResponse& r) {
  google::rpc::Status s;
  if (r.content_type == "application/x-protobuf") {
    EXPECT_TRUE(s.ParseFromString(r.body));
    return s.message();
  }
  return r.body;
}

class OtlpSignalHttpTest : public ::testing::Test {
 protected:
  OtlpSignalHttpTest() : receiver_("otlp_test", options(), "http") {}

  static OtlpSourceOptions options() {
    OtlpSourceOptions o;
    o.metrics_stream = "m";
    o.traces_stream = "t";
    o.max_records_per_request = 100;
    return o;
  }

  HttpResponse post(const std::string& path, std::string body, std::map<std::string, std::string> headers,
                    const std::string& method = "POST") {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.headers = std::move(headers);
    r.body = std::move(body);
    OtlpSignal s = path == "/v1/metrics" ? OtlpSignal::kMetrics : OtlpSignal::kTraces;
    return receiver_.handle_http(
        r, s,
        [](const HttpRequest& q) -> Result<std::string> {
          auto c = compression_from_name(q.header("content-encoding"));
          if (!c.ok()) return c.status();
          if (*c == Compression::kNone) return q.body;
          return decompress(*c, q.body, 1 << 20);
        },
        [this](LogBatch&& b, const std::string& body_positions, bool*) {
          batches_.push_back(std::move(b));
          body_positions_.push_back(body_positions);
          return outcome_;
        });
  }

  OtlpSignalReceiver receiver_;
  std::vector<LogBatch> batches_;
  std::vector<std::string> body_positions_;
  Status outcome_ = Status::Ok();
};

TEST_F(OtlpSignalHttpTest, MetricsProtobufWithPartialSuccess) {
  auto r = post("/v1/metrics", metrics_request(2).SerializeAsString(), {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  cm::ExportMetricsServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_EQ(resp.partial_success().rejected_data_points(), 1);
  EXPECT_EQ(resp.partial_success().error_message(),
            "1 of 3 data points rejected; first: resource_metrics[0].scope_metrics[0].metrics[0].sum.data_points[2]: "
            "has no value (as_double or as_int)");
  ASSERT_EQ(batches_.size(), 1u);
  EXPECT_EQ(batches_[0].stream, "m");
  ASSERT_EQ(batches_[0].samples.size(), 2u);
  EXPECT_EQ(batches_[0].samples[1].name, "requests_total");
  EXPECT_EQ(batches_[0].samples[1].value, 1);
}

TEST_F(OtlpSignalHttpTest, TracesJsonGzip) {
  const std::string json =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"a"}]}]}]})";
  auto body = compress(Compression::kGzip, json);
  ASSERT_TRUE(body.ok());
  auto r = post("/v1/traces", *body, {{"content-type", "application/json"}, {"content-encoding", "gzip"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{}");
  ASSERT_EQ(batches_.size(), 1u);
  EXPECT_EQ(batches_[0].stream, "t");
  ASSERT_EQ(batches_[0].spans.size(), 1u);
  EXPECT_EQ(batches_[0].spans[0].trace_id, "0102030405060708090a0b0c0d0e0f10");

  r = post("/v1/traces", trace_request().SerializeAsString(), {{"content-type", "application/x-protobuf"}});
  ct::ExportTraceServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_EQ(resp.partial_success().rejected_spans(), 1);
  EXPECT_EQ(resp.partial_success().error_message(),
            "1 of 2 spans rejected; first: resource_spans[0].scope_spans[0].spans[1]: trace_id is missing");
}

TEST_F(OtlpSignalHttpTest, NothingAcceptedDeliversNothing) {
  auto r = post("/v1/metrics", "{}", {{"content-type", "application/json"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{}");
  EXPECT_TRUE(batches_.empty());
}

TEST_F(OtlpSignalHttpTest, Errors) {
  auto r = post("/v1/metrics", "\x0a\x05", {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(rpc_message(r), "invalid protobuf at byte 0: length 5 runs past the end of the message (0 bytes left)");
  r = post("/v1/traces", "{", {{"content-type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid OTLP/JSON"), std::string::npos) << r.body;
  r = post("/v1/traces", "x", {{"content-type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
  r = post("/v1/metrics", "x", {{"content-type", "application/x-protobuf"}, {"content-encoding", "br"}});
  EXPECT_EQ(r.status, 415);
  r = post("/v1/metrics", "not gzip", {{"content-type", "application/x-protobuf"}, {"content-encoding", "gzip"}});
  EXPECT_EQ(r.status, 400);
  r = post("/v1/metrics", "", {{"content-type", "application/x-protobuf"}}, "GET");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(rpc_message(r), "method GET not allowed on /v1/metrics; use POST");
  r = post("/v1/metrics", metrics_request(200).SerializeAsString(), {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(rpc_message(r), "more than 100 data points in one request (max_records_per_request)");
  EXPECT_TRUE(batches_.empty());

  outcome_ = Status::Unavailable("not durable");
  r = post("/v1/traces", trace_request().SerializeAsString(), {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 503);
  outcome_ = Status::InvalidArgument("stream t holds log records");
  r = post("/v1/traces", trace_request().SerializeAsString(), {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(rpc_message(r), "stream t holds log records");
}

/// A pipeline stand-in for the whole source: keeps every batch.
struct FakePipeline {
  std::mutex mu;
  std::vector<LogBatch> batches;
  SourceContext ctx;

  FakePipeline() {
    ctx.emit = [this](LogBatch&& b) {
      LogBatch local = std::move(b);
      std::lock_guard<std::mutex> l(mu);
      LogBatch copy;
      copy.samples = local.samples;
      copy.spans = local.spans;
      copy.stream = local.stream;
      batches.push_back(std::move(copy));
      return Status::Ok();
    };
  }
};

TEST(OtlpSignalSource, GrpcAndHttpThroughTheSource) {
  FakePipeline pipeline;
  OtlpSourceOptions o;
  o.listen = "127.0.0.1:0";
  o.grpc_listen = "127.0.0.1:0";
  o.ack_timeout = std::chrono::seconds(5);
  OtlpSource source("otlp_test", o);
  ASSERT_TRUE(source.start(&pipeline.ctx).ok());
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(source.grpc_port()), grpc::InsecureChannelCredentials());
  auto deadline = [] { return std::chrono::system_clock::now() + std::chrono::seconds(20); };

  auto metrics = cm::MetricsService::NewStub(channel);
  grpc::ClientContext c1;
  c1.set_deadline(deadline());
  cm::ExportMetricsServiceResponse mresp;
  grpc::Status st = metrics->Export(&c1, metrics_request(3), &mresp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(mresp.partial_success().rejected_data_points(), 1);

  auto traces = ct::TraceService::NewStub(channel);
  grpc::ClientContext c2;
  c2.set_deadline(deadline());
  c2.set_compression_algorithm(GRPC_COMPRESS_GZIP);
  ct::ExportTraceServiceResponse tresp;
  st = traces->Export(&c2, trace_request(), &tresp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(tresp.partial_success().rejected_spans(), 1);

  // Invalid UTF-8 passes the client's serializer (proto3 only logs it) and
  // comes back as INVALID_ARGUMENT naming the field.
  auto bad = trace_request();
  bad.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->set_name("\xff");
  grpc::ClientContext c3;
  c3.set_deadline(deadline());
  st = traces->Export(&c3, bad, &tresp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(),
            "invalid protobuf at byte 34 (resource_spans[0].scope_spans[0].spans[0].name): string is not valid UTF-8");

  // OTLP/HTTP through the receiver the source runs.
  o.listen = "127.0.0.1:0";
  OtlpHttpReceiver http("otlp_test", o);
  ASSERT_TRUE(http.start(&pipeline.ctx).ok());
  HttpRequest req;
  req.method = "POST";
  req.path = "/v1/traces";
  req.headers = {{"content-type", "application/x-protobuf"}};
  req.body = trace_request().SerializeAsString();
  HttpResponse r = http.handle(req);
  EXPECT_EQ(r.status, 200) << r.body;

  std::lock_guard<std::mutex> l(pipeline.mu);
  ASSERT_EQ(pipeline.batches.size(), 3u);
  EXPECT_EQ(pipeline.batches[0].stream, "metrics");
  EXPECT_EQ(pipeline.batches[0].samples.size(), 3u);
  EXPECT_EQ(pipeline.batches[1].stream, "spans");
  EXPECT_EQ(pipeline.batches[1].spans.size(), 1u);
  EXPECT_EQ(pipeline.batches[2].stream, "spans");
  EXPECT_EQ(pipeline.batches[2].spans.size(), 1u);
}

TEST(OtlpSignalOptions, StreamsAreValidatedAndDistinct) {
  OtlpSourceOptions o;
  EXPECT_TRUE(validate_otlp_source_options(o).ok());
  o.metrics_stream = "otlp";
  EXPECT_EQ(validate_otlp_source_options(o).message(),
            "stream, metrics_stream and traces_stream must differ (a stream holds one kind): \"otlp\", \"otlp\", "
            "\"spans\"");
  o.metrics_stream = "Bad";
  EXPECT_EQ(validate_otlp_source_options(o).message(), "metrics_stream: \"Bad\" must match [a-z0-9_.-]{1,64}");
  o.metrics_stream = "metrics";
  o.traces_stream = "..";
  EXPECT_EQ(validate_otlp_source_options(o).message(), "traces_stream: \"..\" must match [a-z0-9_.-]{1,64}");
}

}  // namespace
}  // namespace sluice
