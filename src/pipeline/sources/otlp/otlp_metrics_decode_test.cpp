#include "pipeline/sources/otlp/otlp_metrics_decode.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "pipeline/sources/otlp/otlp_metrics_histogram.hpp"
#include "pipeline/sources/otlp/otlp_metrics_names.hpp"

namespace sluice {
namespace {

using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using opentelemetry::proto::common::v1::KeyValue;
namespace pm = opentelemetry::proto::metrics::v1;

constexpr uint64_t kTime = 1700000000000000000ULL;

void add_string(google::protobuf::RepeatedPtrField<KeyValue>* kvs, const std::string& k, const std::string& v) {
  auto* kv = kvs->Add();
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}

/// One resource (service "checkout", instance "i-1", pid 42), one scope
/// ("meter" 1.0); the caller adds metrics to the returned scope.
pm::ScopeMetrics* scope(ExportMetricsServiceRequest* req) {
  auto* rm = req->add_resource_metrics();
  add_string(rm->mutable_resource()->mutable_attributes(), "service.name", "checkout");
  add_string(rm->mutable_resource()->mutable_attributes(), "service.instance.id", "i-1");
  auto* pid = rm->mutable_resource()->add_attributes();
  pid->set_key("process.pid");
  pid->mutable_value()->set_int_value(42);
  auto* sm = rm->add_scope_metrics();
  sm->mutable_scope()->set_name("meter");
  sm->mutable_scope()->set_version("1.0");
  return sm;
}

const KeyValues kScopeLabels = {
    {"instance", "i-1"}, {"job", "checkout"}, {"otel_scope_name", "meter"}, {"otel_scope_version", "1.0"}};
const KeyValues kResource = {{"service.name", "checkout"}, {"service.instance.id", "i-1"}, {"process.pid", "42"}};

KeyValues with(KeyValues labels, const KeyValues& more) {
  for (const auto& kv : more) labels.push_back(kv);
  std::sort(labels.begin(), labels.end());
  return labels;
}

OtlpMetrics decode_ok(const ExportMetricsServiceRequest& req) {
  auto r = decode_otlp_metrics_proto(req.SerializeAsString());
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(*r) : OtlpMetrics{};
}

TEST(OtlpMetricsDecode, GaugeAndSums) {
  ExportMetricsServiceRequest req;
  auto* sm = scope(&req);
  auto* g = sm->add_metrics();
  g->set_name("process.memory.usage");
  g->set_unit("By");
  auto* p = g->mutable_gauge()->add_data_points();
  p->set_time_unix_nano(kTime);
  p->set_as_int(1024);
  add_string(p->mutable_attributes(), "memory.type", "heap");
  auto* c = sm->add_metrics();
  c->set_name("http.requests");
  c->set_unit("{request}");
  c->mutable_sum()->set_is_monotonic(true);
  c->mutable_sum()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* cp = c->mutable_sum()->add_data_points();
  cp->set_time_unix_nano(kTime + 1);
  cp->set_as_double(7.5);
  add_string(cp->mutable_attributes(), "http.request.method", "GET");
  auto* u = sm->add_metrics();
  u->set_name("queue.depth");
  u->mutable_sum()->set_is_monotonic(false);
  u->mutable_sum()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
  u->mutable_sum()->add_data_points()->set_as_int(-3);

  OtlpMetrics m = decode_ok(req);
  EXPECT_EQ(m.data_points, 3u);
  EXPECT_EQ(m.rejected, 0u);
  ASSERT_EQ(m.samples.size(), 3u);
  MetricSample want{static_cast<int64_t>(kTime),
                    "process_memory_usage_bytes",
                    with(kScopeLabels, {{"memory_type", "heap"}}),
                    1024,
                    MetricKind::kGauge,
                    kResource};
  EXPECT_EQ(m.samples[0], want);
  EXPECT_EQ(m.samples[1].name, "http_requests_total");
  EXPECT_EQ(m.samples[1].kind, MetricKind::kCounter);
  EXPECT_EQ(m.samples[1].value, 7.5);
  EXPECT_EQ(m.samples[1].timestamp_ns, static_cast<int64_t>(kTime) + 1);
  EXPECT_EQ(m.samples[1].labels, with(kScopeLabels, {{"http_request_method", "GET"}}));
  EXPECT_EQ(m.samples[2].name, "queue_depth");
  EXPECT_EQ(m.samples[2].kind, MetricKind::kGauge);
  EXPECT_EQ(m.samples[2].value, -3);
  EXPECT_EQ(m.samples[2].timestamp_ns, 0);  // 0 stays 0: the store's time
}

TEST(OtlpMetricsDecode, DeltaSumsGetATemporalityLabel) {
  ExportMetricsServiceRequest req;
  auto* c = scope(&req)->add_metrics();
  c->set_name("net.sent");
  c->set_unit("By");
  c->mutable_sum()->set_is_monotonic(true);
  c->mutable_sum()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_DELTA);
  c->mutable_sum()->add_data_points()->set_as_int(10);
  OtlpMetrics m = decode_ok(req);
  ASSERT_EQ(m.samples.size(), 1u);
  EXPECT_EQ(m.samples[0].name, "net_sent_bytes_total");
  EXPECT_EQ(m.samples[0].kind, MetricKind::kCounter);
  EXPECT_EQ(m.samples[0].labels, with(kScopeLabels, {{"otel_temporality", "delta"}}));
}

TEST(OtlpMetricsDecode, GaugeRatioUnknownTypeAndJobWithNamespace) {
  ExportMetricsServiceRequest req;
  auto* rm = req.add_resource_metrics();
  add_string(rm->mutable_resource()->mutable_attributes(), "service.name", "api");
  add_string(rm->mutable_resource()->mutable_attributes(), "service.namespace", "shop");
  auto* sm = rm->add_scope_metrics();  // no scope name: no otel_scope_* labels
  auto* g = sm->add_metrics();
  g->set_name("cpu.utilization");
  g->set_unit("1");
  g->mutable_gauge()->add_data_points()->set_as_double(0.25);
  auto* u = sm->add_metrics();
  u->set_name("scraped");
  add_string(u->mutable_metadata(), "prometheus.type", "unknown");
  u->mutable_gauge()->add_data_points()->set_as_double(1);
  OtlpMetrics m = decode_ok(req);
  ASSERT_EQ(m.samples.size(), 2u);
  EXPECT_EQ(m.samples[0].name, "cpu_utilization_ratio");
  EXPECT_EQ(m.samples[0].labels, (KeyValues{{"job", "shop/api"}}));
  EXPECT_EQ(m.samples[0].kind, MetricKind::kGauge);
  EXPECT_EQ(m.samples[1].kind, MetricKind::kUnknown);
}

TEST(OtlpMetricsDecode, Histogram) {
  ExportMetricsServiceRequest req;
  auto* h = scope(&req)->add_metrics();
  h->set_name("http.server.duration");
  h->set_unit("ms");
  h->mutable_histogram()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* p = h->mutable_histogram()->add_data_points();
  p->set_time_unix_nano(kTime);
  p->set_count(6);
  p->set_sum(1234.5);
  for (double b : {10.0, 100.0, 1000.0}) p->add_explicit_bounds(b);
  for (uint64_t c : {1, 2, 0, 3}) p->add_bucket_counts(c);
  add_string(p->mutable_attributes(), "http.route", "/");
  OtlpMetrics m = decode_ok(req);
  EXPECT_EQ(m.data_points, 1u);
  ASSERT_EQ(m.samples.size(), 6u);
  const std::string base = "http_server_duration_milliseconds";
  const KeyValues labels = with(kScopeLabels, {{"http_route", "/"}});
  struct Want {
    std::string name, le;
    double value;
    MetricKind kind;
  };
  std::vector<Want> want = {{base + "_bucket", "10", 1, MetricKind::kHistogramBucket},
                            {base + "_bucket", "100", 3, MetricKind::kHistogramBucket},
                            {base + "_bucket", "1000", 3, MetricKind::kHistogramBucket},
                            {base + "_bucket", "+Inf", 6, MetricKind::kHistogramBucket},
                            {base + "_sum", "", 1234.5, MetricKind::kHistogramSum},
                            {base + "_count", "", 6, MetricKind::kHistogramCount}};
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(m.samples[i].name, want[i].name);
    EXPECT_EQ(m.samples[i].value, want[i].value);
    EXPECT_EQ(m.samples[i].kind, want[i].kind);
    EXPECT_EQ(m.samples[i].labels, want[i].le.empty() ? labels : with(labels, {{"le", want[i].le}}));
    EXPECT_EQ(m.samples[i].timestamp_ns, static_cast<int64_t>(kTime));
    EXPECT_EQ(m.samples[i].resource, kResource);
  }
}

TEST(OtlpMetricsDecode, HistogramWithoutSumOrBuckets) {
  ExportMetricsServiceRequest req;
  auto* h = scope(&req)->add_metrics();
  h->set_name("latency");
  h->mutable_histogram()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_DELTA);
  h->mutable_histogram()->add_data_points()->set_count(4);
  OtlpMetrics m = decode_ok(req);
  ASSERT_EQ(m.samples.size(), 2u);
  EXPECT_EQ(m.samples[0].name, "latency_bucket");
  EXPECT_EQ(m.samples[0].value, 4);
  EXPECT_EQ(m.samples[0].labels, with(kScopeLabels, {{"le", "+Inf"}, {"otel_temporality", "delta"}}));
  EXPECT_EQ(m.samples[1].name, "latency_count");
}

TEST(OtlpMetricsDecode, ExponentialHistogram) {
  ExportMetricsServiceRequest req;
  auto* h = scope(&req)->add_metrics();
  h->set_name("size");
  h->set_unit("By");
  h->mutable_exponential_histogram()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* p = h->mutable_exponential_histogram()->add_data_points();
  p->set_count(10);
  p->set_sum(50);
  p->set_scale(1);  // base sqrt(2)
  p->set_zero_count(1);
  p->mutable_positive()->set_offset(2);  // (2, 2.83], (2.83, 4]
  p->mutable_positive()->add_bucket_counts(3);
  p->mutable_positive()->add_bucket_counts(4);
  p->mutable_negative()->set_offset(0);  // [-1.41, -1)
  p->mutable_negative()->add_bucket_counts(2);
  OtlpMetrics m = decode_ok(req);
  std::vector<std::pair<std::string, double>> got;
  for (const auto& s : m.samples) {
    const std::string* le = find_key_value(s.labels, "le");
    got.emplace_back(s.name + (le ? "{" + *le + "}" : ""), s.value);
  }
  EXPECT_EQ(got, (std::vector<std::pair<std::string, double>>{
                     {"size_bytes_bucket{-1}", 2},
                     {"size_bytes_bucket{0}", 3},
                     {"size_bytes_bucket{" + prometheus_float_text(exponential_bucket_bound(1, 3)) + "}", 6},
                     {"size_bytes_bucket{4}", 10},
                     {"size_bytes_bucket{+Inf}", 10},
                     {"size_bytes_sum", 50},
                     {"size_bytes_count", 10}}));
}

TEST(OtlpMetricsDecode, Summary) {
  ExportMetricsServiceRequest req;
  auto* s = scope(&req)->add_metrics();
  s->set_name("rpc.duration");
  s->set_unit("s");
  auto* p = s->mutable_summary()->add_data_points();
  p->set_count(100);
  p->set_sum(12.5);
  for (auto [q, v] : {std::pair{0.5, 0.1}, {0.99, 0.9}}) {
    auto* qv = p->add_quantile_values();
    qv->set_quantile(q);
    qv->set_value(v);
  }
  OtlpMetrics m = decode_ok(req);
  ASSERT_EQ(m.samples.size(), 4u);
  EXPECT_EQ(m.samples[0].name, "rpc_duration_seconds");
  EXPECT_EQ(m.samples[0].kind, MetricKind::kSummaryQuantile);
  EXPECT_EQ(*find_key_value(m.samples[0].labels, "quantile"), "0.5");
  EXPECT_EQ(m.samples[0].value, 0.1);
  EXPECT_EQ(*find_key_value(m.samples[1].labels, "quantile"), "0.99");
  EXPECT_EQ(m.samples[2].name, "rpc_duration_seconds_sum");
  EXPECT_EQ(m.samples[2].kind, MetricKind::kSummarySum);
  EXPECT_EQ(m.samples[3].name, "rpc_duration_seconds_count");
  EXPECT_EQ(m.samples[3].value, 100);
}

TEST(OtlpMetricsDecode, NoRecordedValueIsStaleNaN) {
  ExportMetricsServiceRequest req;
  auto* sm = scope(&req);
  auto* g = sm->add_metrics();
  g->set_name("up");
  g->mutable_gauge()->add_data_points()->set_flags(pm::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK);
  auto* h = sm->add_metrics();
  h->set_name("h");
  h->mutable_histogram()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* hp = h->mutable_histogram()->add_data_points();
  hp->set_flags(pm::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK);
  hp->add_explicit_bounds(1);
  hp->add_bucket_counts(0);
  hp->add_bucket_counts(0);
  OtlpMetrics m = decode_ok(req);
  ASSERT_EQ(m.samples.size(), 5u);  // up; h_bucket{1}, h_bucket{+Inf}, h_sum, h_count
  for (const auto& s : m.samples) {
    EXPECT_TRUE(std::isnan(s.value)) << s.name;
    EXPECT_EQ(std::bit_cast<uint64_t>(s.value), 0x7ff0000000000002ULL) << s.name;
  }
}

TEST(OtlpMetricsDecode, LabelCollisionsAndRepeats) {
  ExportMetricsServiceRequest req;
  auto* g = scope(&req)->add_metrics();
  g->set_name("x");
  auto* p = g->mutable_gauge()->add_data_points();
  p->set_as_int(1);
  add_string(p->mutable_attributes(), "a.b", "dot");
  add_string(p->mutable_attributes(), "a_b", "underscore");
  add_string(p->mutable_attributes(), "k", "first");
  add_string(p->mutable_attributes(), "k", "last");
  add_string(p->mutable_attributes(), "job", "from-attribute");  // the resource's job wins
  auto* n = p->add_attributes();
  n->set_key("n");
  n->mutable_value()->set_int_value(5);
  OtlpMetrics m = decode_ok(req);
  ASSERT_EQ(m.samples.size(), 1u);
  EXPECT_EQ(m.samples[0].labels, with(kScopeLabels, {{"a_b", "dot;underscore"}, {"k", "last"}, {"n", "5"}}));
}

TEST(OtlpMetricsDecode, PartialSuccess) {
  ExportMetricsServiceRequest req;
  auto* sm = scope(&req);
  auto* g = sm->add_metrics();
  g->set_name("ok");
  g->mutable_gauge()->add_data_points()->set_as_int(1);
  g->mutable_gauge()->add_data_points();  // no value
  g->mutable_gauge()->add_data_points()->set_time_unix_nano(UINT64_MAX);
  auto* h = sm->add_metrics();
  h->set_name("h");
  h->mutable_histogram()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* hp = h->mutable_histogram()->add_data_points();
  hp->add_explicit_bounds(1);
  hp->add_bucket_counts(1);
  auto* s = sm->add_metrics();
  s->set_name("s");
  s->mutable_summary()->add_data_points()->add_quantile_values()->set_quantile(1.5);
  auto* t = sm->add_metrics();
  t->set_name("t");
  t->mutable_sum()->add_data_points()->set_as_int(1);  // temporality unspecified
  t->mutable_sum()->add_data_points()->set_as_int(2);
  auto* e = sm->add_metrics();
  e->set_name("e");
  e->mutable_exponential_histogram()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_DELTA);
  e->mutable_exponential_histogram()->add_data_points()->set_scale(40);
  auto* nameless = sm->add_metrics();
  nameless->set_name("...");
  nameless->mutable_gauge()->add_data_points()->set_as_int(1);

  OtlpMetrics m = decode_ok(req);
  EXPECT_EQ(m.data_points, 1u);
  EXPECT_EQ(m.samples.size(), 1u);
  EXPECT_EQ(m.rejected, 8u);
  EXPECT_EQ(m.rejected_reason,
            "8 of 9 data points rejected; first: "
            "resource_metrics[0].scope_metrics[0].metrics[0].gauge.data_points[1]: has no value (as_double or as_int)");

  // Each reason on its own.
  auto first_reason = [&](int metric) {
    ExportMetricsServiceRequest one;
    *scope(&one)->add_metrics() = sm->metrics(metric);
    if (metric == 0)
      one.mutable_resource_metrics(0)
          ->mutable_scope_metrics(0)
          ->mutable_metrics(0)
          ->mutable_gauge()
          ->mutable_data_points()
          ->DeleteSubrange(0, 2);
    auto r = decode_otlp_metrics_proto(one.SerializeAsString());
    EXPECT_TRUE(r.ok());
    std::string reason = r->rejected_reason;
    return reason.substr(reason.find("first: ") + 7);
  };
  EXPECT_EQ(first_reason(0),
            "resource_metrics[0].scope_metrics[0].metrics[0].gauge.data_points[0]: time_unix_nano "
            "18446744073709551615 does not fit int64 nanoseconds (after year 2262)");
  EXPECT_EQ(first_reason(1),
            "resource_metrics[0].scope_metrics[0].metrics[0].histogram.data_points[0]: has 1 bucket counts for 1 "
            "explicit bounds; expected 2");
  EXPECT_EQ(first_reason(2),
            "resource_metrics[0].scope_metrics[0].metrics[0].summary.data_points[0]: quantile_values[0].quantile 1.5 "
            "is outside 0..1");
  EXPECT_EQ(first_reason(3),
            "resource_metrics[0].scope_metrics[0].metrics[0].sum: aggregation_temporality 0 is not 1 (delta) or 2 "
            "(cumulative)");
  EXPECT_EQ(first_reason(4),
            "resource_metrics[0].scope_metrics[0].metrics[0].exponential_histogram.data_points[0]: scale 40 is "
            "outside -10..20");
  EXPECT_EQ(first_reason(5),
            "resource_metrics[0].scope_metrics[0].metrics[0]: name \"...\" has no letter, digit or ':'");
}

TEST(OtlpMetricsDecode, Json) {
  const std::string json = R"({"resourceMetrics":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"web"}}]},
    "scopeMetrics":[{"scope":{"name":"m","version":"2"},"metrics":[
      {"name":"requests","unit":"{request}","sum":{"aggregationTemporality":2,"isMonotonic":true,
        "dataPoints":[{"timeUnixNano":"1700000000000000000","asInt":"12",
          "attributes":[{"key":"code","value":{"intValue":"200"}}],
          "exemplars":[{"asDouble":1,"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174"}]}]}},
      {"name":"lat","histogram":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE",
        "dataPoints":[{"count":"3","sum":0.5,"bucketCounts":["1","2"],"explicitBounds":[0.1]}]}},
      {"name":"bad","exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[{"scale":99}]}}
    ]}]}]})";
  auto r = decode_otlp_metrics_json(json);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->samples.size(), 5u);
  EXPECT_EQ(r->samples[0].name, "requests_total");
  EXPECT_EQ(r->samples[0].value, 12);
  EXPECT_EQ(r->samples[0].timestamp_ns, 1700000000000000000);
  EXPECT_EQ(r->samples[0].labels,
            (KeyValues{{"code", "200"}, {"job", "web"}, {"otel_scope_name", "m"}, {"otel_scope_version", "2"}}));
  EXPECT_EQ(r->samples[1].name, "lat_bucket");
  EXPECT_EQ(r->samples[1].value, 1);
  EXPECT_EQ(r->samples[2].value, 3);
  EXPECT_EQ(r->rejected, 1u);
  EXPECT_EQ(r->rejected_reason,
            "1 of 3 data points rejected; first: "
            "resourceMetrics[0].scopeMetrics[0].metrics[2].exponentialHistogram.dataPoints[0]: scale 99 is outside "
            "-10..20");
}

TEST(OtlpMetricsDecode, MalformedInputNamesWhere) {
  ExportMetricsServiceRequest req;
  auto* g = scope(&req)->add_metrics();
  g->set_name("x");
  g->mutable_gauge()->add_data_points()->set_as_int(1);
  std::string bytes = req.SerializeAsString();
  auto r = decode_otlp_metrics_proto(bytes.substr(0, bytes.size() - 3));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("invalid protobuf at byte 0: length ", 0), 0u) << r.status().message();

  g->set_name(std::string("bad\xff", 4));
  std::string invalid_utf8 = req.SerializePartialAsString();
  r = decode_otlp_metrics_proto(invalid_utf8);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(
      r.status().message().find("(resource_metrics[0].scope_metrics[0].metrics[0].name): string is not valid UTF-8"),
      std::string::npos)
      << r.status().message();

  r = decode_otlp_metrics_json(
      R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","gauge":{"dataPoints":[{"timeUnixNano":"soon"}]}}]}]}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("invalid OTLP/JSON"), std::string::npos);
  EXPECT_NE(r.status().message().find("time_unix_nano"), std::string::npos) << r.status().message();

  r = decode_otlp_metrics_json("{");
  EXPECT_FALSE(r.ok());
}

TEST(OtlpMetricsDecode, Limits) {
  ExportMetricsServiceRequest req;
  auto* g = scope(&req)->add_metrics();
  g->set_name("x");
  for (int i = 0; i < 5; ++i) g->mutable_gauge()->add_data_points()->set_as_int(i);
  OtlpLimits limits;
  limits.max_records = 4;
  auto r = decode_otlp_metrics_proto(req.SerializeAsString(), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "more than 4 data points in one request (max_records_per_request)");

  // A histogram of many empty buckets: cheap on the wire, a sample each.
  ExportMetricsServiceRequest big;
  auto* h = scope(&big)->add_metrics();
  h->set_name("h");
  h->mutable_exponential_histogram()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* p = h->mutable_exponential_histogram()->add_data_points();
  for (int i = 0; i < 10000; ++i) p->mutable_positive()->add_bucket_counts(0);
  limits = OtlpLimits{};
  limits.max_values = 50000;
  r = decode_otlp_metrics_proto(big.SerializeAsString(), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("(max_values_per_request)"), std::string::npos);
  limits.max_values = 1000;
  r = decode_otlp_metrics_proto(req.SerializeAsString(), limits);
  EXPECT_TRUE(r.ok());
}

}  // namespace
}  // namespace sluice
