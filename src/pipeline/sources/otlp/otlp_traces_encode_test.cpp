#include "pipeline/sources/otlp/otlp_traces_encode.hpp"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "pipeline/sources/otlp/otlp_traces_decode.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

Span full_span(int i) {
  Span s;
  s.start_timestamp_ns = 1700000000000000000 + i;
  s.end_timestamp_ns = 1700000000250000000 + i;
  s.trace_id = "5b8efff798038103d269b633813fc60c";
  s.span_id = "eee19b7ec3c1b17" + std::to_string(i % 10);
  s.parent_span_id = i == 0 ? "" : "eee19b7ec3c1b170";
  s.trace_state = "vendor=a,other=b";
  s.name = "SELECT orders " + std::to_string(i);
  s.kind = static_cast<uint8_t>(i % 6);
  s.status_code = static_cast<uint8_t>(i % 3);
  s.status_message = i % 3 == 2 ? "db down \xc3\xa9" : "";
  s.flags = 0x301;
  s.attributes = {{"db.system", "postgresql"}, {"db.statement", "SELECT 1"}, {"empty", ""}};
  s.resource = {{"host.name", "web-1"}, {"service.name", "checkout"}};
  s.service_name = "checkout";
  s.scope_name = "app.tracer";
  s.scope_version = "1.2.3";
  s.events = {SpanEvent{1700000000100000000, "cache.miss", {{"cache.key", "orders:1"}}},
              SpanEvent{1700000000200000000, "retry", {}}};
  s.links = {SpanLink{"0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "k=v", {{"link.reason", "follows"}}}};
  return s;
}

std::vector<Span> round_trip(const std::vector<Span>& in, std::string* positions = nullptr) {
  std::string bytes = encode_otlp_traces_proto(in, positions ? *positions : std::string_view());
  auto out = decode_otlp_traces_proto(bytes);
  EXPECT_TRUE(out.ok()) << out.status().to_string();
  if (!out.ok()) return {};
  EXPECT_EQ(out->rejected, 0u) << out->rejected_reason;
  if (positions) *positions = out->sluice_positions;
  return std::move(out->spans);
}

TEST(OtlpTracesEncode, EveryFieldRoundTripsThroughTheDecoder) {
  std::vector<Span> in = {full_span(0), full_span(1), full_span(2)};
  EXPECT_EQ(round_trip(in), in);
}

TEST(OtlpTracesEncode, KeepsSpanOrderAcrossResourcesAndScopes) {
  std::vector<Span> in;
  for (int i = 0; i < 12; ++i) {
    Span s = full_span(i);
    s.resource = {{"host.name", i % 3 == 0 ? "web-1" : "web-2"}};
    s.service_name = i % 4 == 0 ? "" : "svc" + std::to_string(i % 2);
    if (!s.service_name.empty()) s.resource.emplace_back("service.name", s.service_name);
    s.scope_name = i % 5 == 0 ? "" : "scope" + std::to_string(i % 2);
    s.scope_version = i % 2 ? "v1" : "";
    s.events.resize(static_cast<size_t>(i % 3));
    s.links.resize(static_cast<size_t>(i % 2));
    s.attributes.resize(static_cast<size_t>(i % 4));
    in.push_back(s);
  }
  EXPECT_EQ(round_trip(in), in);
  // Consecutive equal resources and scopes share messages.
  ExportTraceServiceRequest req;
  std::vector<Span> same = {full_span(0), full_span(1), full_span(2)};
  ASSERT_TRUE(req.ParseFromString(encode_otlp_traces_proto(same)));
  ASSERT_EQ(req.resource_spans_size(), 1);
  ASSERT_EQ(req.resource_spans(0).scope_spans_size(), 1);
  EXPECT_EQ(req.resource_spans(0).scope_spans(0).spans_size(), 3);
  EXPECT_EQ(req.resource_spans(0).scope_spans(0).spans(2).status().code(), 2);
}

TEST(OtlpTracesEncode, ServiceNameBecomesTheResourceServiceNameAndTextIsRepaired) {
  Span s = full_span(1);
  s.resource = {{"host.name", "web-1"}};
  s.service_name = "billing";
  s.name = "bad \xff byte";
  s.span_id = "EEE19B7EC3C1B174";  // upper case is still an id
  auto out = round_trip({s});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].service_name, "billing");
  EXPECT_EQ(out[0].resource, (KeyValues{{"host.name", "web-1"}, {"service.name", "billing"}}));
  EXPECT_EQ(out[0].name, "bad \xef\xbf\xbd byte");
  EXPECT_EQ(out[0].span_id, "eee19b7ec3c1b174");
  // A span without a valid span id reaches the server without one, which
  // rejects it (partial success).
  s.span_id = "nothex";
  auto r = decode_otlp_traces_proto(encode_otlp_traces_proto(std::vector<Span>{s}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected, 1u);
}

TEST(OtlpTracesEncode, PositionsTravelInTheirOwnField) {
  std::vector<SluicePosition> ps = {{"otel", "buffer", 42}};
  std::string json;
  append_sluice_positions_json(json, ps);
  std::string carried = json;
  EXPECT_EQ(round_trip({full_span(0)}, &carried).size(), 1u);
  EXPECT_EQ(carried, json);
  ExportTraceServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(encode_otlp_traces_proto(std::vector<Span>{full_span(0)}, json)));
  EXPECT_EQ(req.resource_spans_size(), 1);
  carried = json;
  EXPECT_TRUE(round_trip({}, &carried).empty());
  EXPECT_EQ(carried, json);
}

}  // namespace
}  // namespace sluice
