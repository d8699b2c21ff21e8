#include "pipeline/sources/otlp/otlp_metrics_encode.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "pipeline/sources/otlp/otlp_metrics_decode.hpp"
#include "pipeline/sources/otlp/otlp_metrics_points.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
namespace pm = opentelemetry::proto::metrics::v1;

MetricSample sample(std::string name, MetricKind kind, double value, KeyValues labels, int64_t ts = 1700000000000000000,
                    KeyValues resource = {{"host.name", "web-1"}, {"os.type", "linux"}}) {
  MetricSample s;
  s.timestamp_ns = ts;
  s.name = std::move(name);
  s.kind = kind;
  s.value = value;
  s.labels = std::move(labels);
  s.resource = std::move(resource);
  return s;
}

/// What a host_metrics collection and a histogram look like: names already
/// suffixed, histogram series split, labels in the source's order.
std::vector<MetricSample> agent_samples() {
  return {
      sample("system_cpu_time_seconds_total", MetricKind::kCounter, 1234.5, {{"cpu", "0"}, {"state", "user"}}),
      sample("system_cpu_time_seconds_total", MetricKind::kCounter, 99.25, {{"cpu", "0"}, {"state", "system"}}),
      sample("system_memory_usage_bytes", MetricKind::kGauge, 8.0e9, {{"state", "used"}}),
      sample("system_cpu_utilization_ratio", MetricKind::kGauge, 0.25, {{"state", "idle"}, {"cpu", "1"}}),
      sample("http_request_duration_seconds_bucket", MetricKind::kHistogramBucket, 3, {{"le", "0.5"}}),
      sample("http_request_duration_seconds_bucket", MetricKind::kHistogramBucket, 7, {{"le", "+Inf"}}),
      sample("http_request_duration_seconds_sum", MetricKind::kHistogramSum, 2.5, {}),
      sample("http_request_duration_seconds_count", MetricKind::kHistogramCount, 7, {}),
      sample("rpc_latency", MetricKind::kSummaryQuantile, 0.1, {{"quantile", "0.99"}}),
      sample("up", MetricKind::kUnknown, prometheus_stale_nan(), {{"job", "node"}, {"instance", "a:9100"}}),
      sample("temperature_celsius", MetricKind::kGauge, -std::numeric_limits<double>::infinity(), {},
             1700000001000000000, {{"host.name", "web-2"}}),
      sample("queue_items", MetricKind::kGauge, 5, {{"otel_scope_name", "x"}}, 1700000001000000000,
             {{"host.name", "web-2"}}),
  };
}

TEST(OtlpMetricsEncode, AgentSamplesRoundTripVerbatim) {
  const auto in = agent_samples();
  auto out = decode_otlp_metrics_proto(encode_otlp_metrics_proto(in), {}, /*sluice_agent=*/true);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(out->rejected, 0u) << out->rejected_reason;
  EXPECT_EQ(out->data_points, in.size());
  EXPECT_EQ(out->samples, in);  // names, labels (in order), kinds, values bit for bit, timestamps, resources
  EXPECT_EQ(std::bit_cast<uint64_t>(out->samples[9].value), 0x7ff0000000000002u);
}

TEST(OtlpMetricsEncode, GroupsByResourceAndSeriesNameAndMarksTheKind) {
  ExportMetricsServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(encode_otlp_metrics_proto(agent_samples())));
  ASSERT_EQ(req.resource_metrics_size(), 2);
  const auto& first = req.resource_metrics(0).scope_metrics(0);
  ASSERT_EQ(first.metrics_size(), 8);
  const pm::Metric& cpu = first.metrics(0);
  EXPECT_EQ(cpu.name(), "system_cpu_time_seconds_total");
  EXPECT_EQ(cpu.gauge().data_points_size(), 2);
  ASSERT_EQ(cpu.metadata_size(), 1);
  EXPECT_EQ(cpu.metadata(0).key(), kSluiceMetricKindKey);
  EXPECT_EQ(cpu.metadata(0).value().string_value(), "counter");
  EXPECT_EQ(first.metrics(3).metadata(0).value().string_value(), "histogram_bucket");
  EXPECT_EQ(req.resource_metrics(1).scope_metrics(0).metrics_size(), 2);
  EXPECT_FALSE(first.has_scope());
}

TEST(OtlpMetricsEncode, WithoutTheAgentHeaderTheMarkerIsIgnoredAndTheSpecMappingApplies) {
  std::vector<MetricSample> in = {
      sample("http_requests_total", MetricKind::kCounter, 3, {{"http.request.method", "GET"}}, 1700000000000000000,
             {{"service.name", "api"}}),
  };
  auto out = decode_otlp_metrics_proto(encode_otlp_metrics_proto(in));
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  ASSERT_EQ(out->samples.size(), 1u);
  const MetricSample& s = out->samples[0];
  EXPECT_EQ(s.kind, MetricKind::kGauge);  // an OTLP gauge, as any client sent it
  EXPECT_EQ(s.labels, (KeyValues{{"http_request_method", "GET"}, {"job", "api"}}));
  EXPECT_EQ(s.value, 3);
  // With the header: verbatim.
  out = decode_otlp_metrics_proto(encode_otlp_metrics_proto(in), {}, true);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->samples, in);
}

TEST(OtlpMetricsEncode, BadMarkersAreRejectedFromAgents) {
  ExportMetricsServiceRequest req;
  auto* sm = req.add_resource_metrics()->add_scope_metrics();
  auto mark = [](pm::Metric* m, const std::string& kind) {
    auto* kv = m->add_metadata();
    kv->set_key(kSluiceMetricKindKey);
    kv->mutable_value()->set_string_value(kind);
  };
  pm::Metric* bad_kind = sm->add_metrics();
  bad_kind->set_name("a");
  mark(bad_kind, "histogram");
  bad_kind->mutable_gauge()->add_data_points()->set_as_double(1);
  pm::Metric* sum = sm->add_metrics();
  sum->set_name("b_total");
  mark(sum, "counter");
  sum->mutable_sum()->set_is_monotonic(true);
  sum->mutable_sum()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
  sum->mutable_sum()->add_data_points()->set_as_double(2);
  pm::Metric* unnamed = sm->add_metrics();
  mark(unnamed, "gauge");
  unnamed->mutable_gauge()->add_data_points()->set_as_double(3);
  pm::Metric* no_value = sm->add_metrics();
  no_value->set_name("c");
  mark(no_value, "gauge");
  no_value->mutable_gauge()->add_data_points();
  no_value->mutable_gauge()->add_data_points()->set_as_int(-4);
  auto out = decode_otlp_metrics_proto(req.SerializeAsString(), {}, true);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(out->rejected, 4u);
  EXPECT_EQ(out->rejected_reason,
            "4 of 5 data points rejected; first: resource_metrics[0].scope_metrics[0].metrics[0]: metadata "
            "sluice.metric.kind \"histogram\" is not a metric kind (unknown, gauge, counter, histogram_bucket, ...)");
  ASSERT_EQ(out->samples.size(), 1u);
  EXPECT_EQ(out->samples[0].name, "c");
  EXPECT_EQ(out->samples[0].value, -4);
  // The same request from an ordinary client: all mapped, none rejected
  // but the valueless point.
  out = decode_otlp_metrics_proto(req.SerializeAsString());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->rejected, 2u);  // the valueless point and the nameless metric
  EXPECT_EQ(out->samples.size(), 3u);
}

TEST(OtlpMetricsEncode, PositionsTravelInTheirOwnField) {
  std::string json = "[[\"host\",\"buffer\",7]]";
  auto out = decode_otlp_metrics_proto(encode_otlp_metrics_proto(agent_samples(), json), {}, true);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->sluice_positions, json);
  out = decode_otlp_metrics_proto(encode_otlp_metrics_proto({}, json), {}, true);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->samples.empty());
  EXPECT_EQ(out->sluice_positions, json);
}

}  // namespace
}  // namespace sluice
