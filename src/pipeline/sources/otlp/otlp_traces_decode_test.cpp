#include "pipeline/sources/otlp/otlp_traces_decode.hpp"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace sluice {
namespace {

using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using opentelemetry::proto::common::v1::KeyValue;
namespace pt = opentelemetry::proto::trace::v1;

const std::string kTraceId("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16);
const std::string kTraceHex = "5b8efff798038103d269b633813fc60c";
const std::string kSpanId("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8);
const std::string kSpanHex = "eee19b7ec3c1b174";
const std::string kParentId("\x00\x11\x22\x33\x44\x55\x66\x77", 8);
const std::string kParentHex = "0011223344556677";

void add_string(google::protobuf::RepeatedPtrField<KeyValue>* kvs, const std::string& k, const std::string& v) {
  auto* kv = kvs->Add();
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}

/// One resource (service "checkout"), one scope, `n` spans with every field set.
ExportTraceServiceRequest request(int n) {
  ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  add_string(rs->mutable_resource()->mutable_attributes(), "service.name", "checkout");
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("tracer");
  ss->mutable_scope()->set_version("0.9");
  for (int i = 0; i < n; ++i) {
    auto* s = ss->add_spans();
    s->set_trace_id(kTraceId);
    s->set_span_id(kSpanId);
    s->set_parent_span_id(kParentId);
    s->set_trace_state("vendor=x");
    s->set_flags(0x301);
    s->set_name("GET /cart " + std::to_string(i));
    s->set_kind(pt::Span::SPAN_KIND_SERVER);
    s->set_start_time_unix_nano(1700000000000000000ULL);
    s->set_end_time_unix_nano(1700000000250000000ULL);
    add_string(s->mutable_attributes(), "http.request.method", "GET");
    auto* e = s->add_events();
    e->set_time_unix_nano(1700000000100000000ULL);
    e->set_name("exception");
    add_string(e->mutable_attributes(), "exception.message", "boom");
    auto* l = s->add_links();
    l->set_trace_id(kTraceId);
    l->set_span_id(kParentId);
    l->set_trace_state("t=1");
    add_string(l->mutable_attributes(), "link.kind", "follows");
    s->mutable_status()->set_code(pt::Status::STATUS_CODE_ERROR);
    s->mutable_status()->set_message("failed");
  }
  return req;
}

Span expected_span(int i) {
  Span s;
  s.start_timestamp_ns = 1700000000000000000;
  s.end_timestamp_ns = 1700000000250000000;
  s.trace_id = kTraceHex;
  s.span_id = kSpanHex;
  s.parent_span_id = kParentHex;
  s.trace_state = "vendor=x";
  s.name = "GET /cart " + std::to_string(i);
  s.kind = 2;
  s.status_code = 2;
  s.status_message = "failed";
  s.flags = 0x301;
  s.attributes = {{"http.request.method", "GET"}};
  s.resource = {{"service.name", "checkout"}};
  s.service_name = "checkout";
  s.scope_name = "tracer";
  s.scope_version = "0.9";
  s.events = {SpanEvent{1700000000100000000, "exception", {{"exception.message", "boom"}}}};
  s.links = {SpanLink{kTraceHex, kParentHex, "t=1", {{"link.kind", "follows"}}}};
  return s;
}

TEST(OtlpTracesDecode, MapsEveryField) {
  auto r = decode_otlp_traces_proto(request(2).SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->spans.size(), 2u);
  EXPECT_EQ(r->rejected, 0u);
  EXPECT_EQ(r->spans[0], expected_span(0));
  EXPECT_EQ(r->spans[1], expected_span(1));
}

TEST(OtlpTracesDecode, RootSpanAndDefaults) {
  ExportTraceServiceRequest req;
  auto* s = req.add_resource_spans()->add_scope_spans()->add_spans();
  s->set_trace_id(kTraceId);
  s->set_span_id(kSpanId);
  s->set_parent_span_id(std::string(8, '\0'));  // all zero: a root span
  auto r = decode_otlp_traces_proto(req.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->spans.size(), 1u);
  Span want;
  want.trace_id = kTraceHex;
  want.span_id = kSpanHex;
  EXPECT_EQ(r->spans[0], want);
}

TEST(OtlpTracesDecode, PartialSuccess) {
  ExportTraceServiceRequest req = request(9);
  auto* spans = req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans();
  spans->Mutable(1)->set_trace_id("short");
  spans->Mutable(2)->clear_span_id();
  spans->Mutable(3)->set_trace_id(std::string(16, '\0'));
  spans->Mutable(4)->set_parent_span_id("123");
  spans->Mutable(5)->set_kind(static_cast<pt::Span::SpanKind>(9));
  spans->Mutable(6)->mutable_status()->set_code(static_cast<pt::Status::StatusCode>(3));
  spans->Mutable(7)->mutable_events(0)->set_time_unix_nano(UINT64_MAX);
  spans->Mutable(8)->mutable_links(0)->set_span_id("");
  auto r = decode_otlp_traces_proto(req.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->spans.size(), 1u);
  EXPECT_EQ(r->spans[0], expected_span(0));
  EXPECT_EQ(r->rejected, 8u);
  EXPECT_EQ(
      r->rejected_reason,
      "8 of 9 spans rejected; first: resource_spans[0].scope_spans[0].spans[1]: trace_id is 5 bytes, expected 16");

  auto reason = [&](int i) {
    ExportTraceServiceRequest one = request(0);
    *one.mutable_resource_spans(0)->mutable_scope_spans(0)->add_spans() = spans->Get(i);
    auto x = decode_otlp_traces_proto(one.SerializeAsString());
    EXPECT_TRUE(x.ok());
    return x->rejected_reason.substr(x->rejected_reason.find("spans[0]: ") + 10);
  };
  EXPECT_EQ(reason(2), "span_id is missing");
  EXPECT_EQ(reason(3), "trace_id is all zero");
  EXPECT_EQ(reason(4), "parent_span_id is 3 bytes, expected 8");
  EXPECT_EQ(reason(5), "kind 9 is outside 0..5");
  EXPECT_EQ(reason(6), "status.code 3 is outside 0..2");
  EXPECT_EQ(reason(7),
            "events[0].time_unix_nano 18446744073709551615 does not fit int64 nanoseconds (after year 2262)");
  EXPECT_EQ(reason(8), "links[0].span_id is missing");
}

TEST(OtlpTracesDecode, Json) {
  const std::string json = R"({"resourceSpans":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"web"}}]},
    "scopeSpans":[{"scope":{"name":"t"},"spans":[
      {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174","parentSpanId":"0011223344556677",
       "name":"child","kind":3,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":1700000000000000100,
       "flags":1,"status":{"code":"STATUS_CODE_ERROR","message":"x"},
       "events":[{"timeUnixNano":"1700000000000000050","name":"e"}],
       "links":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0011223344556677"}]},
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0011223344556677","name":"root","parentSpanId":""},
      {"traceId":"xyz","spanId":"0011223344556677","name":"bad"},
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0011223344556677","parentSpanId":"00112233445566",
       "name":"short parent"}
    ]}]}]})";
  auto r = decode_otlp_traces_json(json);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->spans.size(), 2u);
  const Span& c = r->spans[0];
  EXPECT_EQ(c.trace_id, kTraceHex);
  EXPECT_EQ(c.span_id, kSpanHex);
  EXPECT_EQ(c.parent_span_id, kParentHex);
  EXPECT_EQ(c.kind, 3);
  EXPECT_EQ(c.status_code, 2);
  EXPECT_EQ(c.end_timestamp_ns, 1700000000000000100);
  EXPECT_EQ(c.events.at(0).timestamp_ns, 1700000000000000050);
  EXPECT_EQ(c.links.at(0).span_id, kParentHex);
  EXPECT_EQ(c.service_name, "web");
  EXPECT_EQ(r->spans[1].parent_span_id, "");
  EXPECT_EQ(r->rejected, 2u);
  EXPECT_EQ(r->rejected_reason,
            "2 of 4 spans rejected; first: resourceSpans[0].scopeSpans[0].spans[2]: traceId \"xyz\" is not 32 hex "
            "digits");
  auto one = decode_otlp_traces_json(R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0011223344556677","parentSpanId":"00112233445566"}]}]}]})");
  ASSERT_TRUE(one.ok()) << one.status().to_string();
  EXPECT_EQ(one->rejected_reason,
            "1 of 1 spans rejected; first: resourceSpans[0].scopeSpans[0].spans[0]: parentSpanId \"00112233445566\" is "
            "not 16 hex digits");
}

TEST(OtlpTracesDecode, MalformedAndLimits) {
  std::string bytes = request(1).SerializeAsString();
  auto r = decode_otlp_traces_proto(bytes.substr(0, bytes.size() - 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("invalid protobuf at byte 0: length ", 0), 0u) << r.status().message();

  ExportTraceServiceRequest bad = request(1);
  bad.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->mutable_events(0)->set_name("\xc3");
  r = decode_otlp_traces_proto(bad.SerializePartialAsString());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("(resource_spans[0].scope_spans[0].spans[0].events[0].name): string is not "
                                      "valid UTF-8"),
            std::string::npos)
      << r.status().message();

  OtlpLimits limits;
  limits.max_records = 2;
  r = decode_otlp_traces_proto(request(3).SerializeAsString(), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "more than 2 spans in one request (max_records_per_request)");
  limits = OtlpLimits{};
  limits.max_values = 20;  // each span stores 1 + 2 + 2 + 1 key/values
  r = decode_otlp_traces_proto(request(4).SerializeAsString(), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);

  r = decode_otlp_traces_json(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"later"}]}]}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid OTLP/JSON"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace sluice
