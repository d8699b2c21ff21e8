#include "pipeline/sources/otlp/otlp_logs_encode.hpp"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "pipeline/sources/otlp/otlp_logs_decode.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

constexpr int64_t kReceived = 1700000009000000000;

LogRecord full_record(int i) {
  LogRecord r;
  r.timestamp_ns = 1700000000000000000 + i;
  r.observed_timestamp_ns = 1700000000500000000 + i;
  r.severity_number = 17;
  r.severity_text = "ERROR";
  r.body = "line " + std::to_string(i) + " \"quoted\" \xc3\xa9";
  r.attributes = {{"log.file.path", "/var/log/app.log"}, {"http.response.status_code", "503"}, {"empty", ""}};
  r.resource = {{"host.name", "web-1"}, {"service.name", "checkout"}};
  r.service_name = "checkout";
  r.scope_name = "app.logger";
  r.scope_version = "1.2.3";
  r.trace_id = "5b8efff798038103d269b633813fc60c";
  r.span_id = "eee19b7ec3c1b174";
  r.trace_flags = 1;
  return r;
}

std::vector<LogRecord> round_trip(const std::vector<LogRecord>& in, std::string* positions = nullptr) {
  std::string bytes = encode_otlp_logs_proto(in, positions ? *positions : std::string_view());
  auto out = decode_otlp_logs_proto(bytes, kReceived);
  EXPECT_TRUE(out.ok()) << out.status().to_string();
  if (!out.ok()) return {};
  EXPECT_EQ(out->rejected, 0u) << out->rejected_reason;
  if (positions) *positions = out->sluice_positions;
  return std::move(out->records);
}

TEST(OtlpLogsEncode, EveryFieldRoundTripsThroughTheDecoder) {
  std::vector<LogRecord> in = {full_record(0), full_record(1)};
  EXPECT_EQ(round_trip(in), in);
}

TEST(OtlpLogsEncode, KeepsRecordOrderAcrossResourcesAndScopes) {
  std::vector<LogRecord> in;
  for (int i = 0; i < 12; ++i) {
    LogRecord r = full_record(i);
    r.resource = {{"host.name", i % 3 == 0 ? "web-1" : "web-2"}};
    r.service_name = i % 4 == 0 ? "" : "svc" + std::to_string(i % 2);
    if (!r.service_name.empty()) r.resource.emplace_back("service.name", r.service_name);
    r.scope_name = i % 5 == 0 ? "" : "scope" + std::to_string(i % 2);
    r.scope_version = i % 2 ? "v1" : "";
    r.trace_id = i % 2 ? "" : r.trace_id;
    r.span_id = i % 3 ? "" : r.span_id;
    r.severity_number = static_cast<uint8_t>(i);
    r.severity_text = i == 0 ? "" : "sev" + std::to_string(i);
    r.body = i == 7 ? "" : r.body;
    r.attributes.resize(static_cast<size_t>(i % 4));
    in.push_back(r);
  }
  EXPECT_EQ(round_trip(in), in);
  // Consecutive equal resources and scopes share messages.
  ExportLogsServiceRequest req;
  std::vector<LogRecord> same = {full_record(0), full_record(1), full_record(2)};
  ASSERT_TRUE(req.ParseFromString(encode_otlp_logs_proto(same)));
  ASSERT_EQ(req.resource_logs_size(), 1);
  ASSERT_EQ(req.resource_logs(0).scope_logs_size(), 1);
  EXPECT_EQ(req.resource_logs(0).scope_logs(0).log_records_size(), 3);
}

TEST(OtlpLogsEncode, ServiceNameBecomesTheResourceServiceName) {
  LogRecord r = full_record(0);
  r.resource = {{"host.name", "web-1"}};  // service_name set by a transform, not in the resource
  r.service_name = "billing";
  auto out = round_trip({r});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].service_name, "billing");
  EXPECT_EQ(out[0].resource, (KeyValues{{"host.name", "web-1"}, {"service.name", "billing"}}));
  r.resource = {{"service.name", "old"}, {"host.name", "web-1"}};  // renamed later: the column wins
  out = round_trip({r});
  EXPECT_EQ(out[0].service_name, "billing");
  EXPECT_EQ(out[0].resource, (KeyValues{{"service.name", "billing"}, {"host.name", "web-1"}}));
}

TEST(OtlpLogsEncode, MinimalRecordGetsTheDecodersDefaults) {
  LogRecord r;
  r.body = "plain";
  auto out = round_trip({r});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].body, "plain");
  EXPECT_EQ(out[0].observed_timestamp_ns, kReceived);
  EXPECT_EQ(out[0].timestamp_ns, kReceived);
  EXPECT_TRUE(out[0].resource.empty());
}

TEST(OtlpLogsEncode, BadIdsAreLeftOutAndTextIsRepaired) {
  LogRecord r = full_record(0);
  r.trace_id = "not-hex";
  r.span_id = "EEE19B7EC3C1B174";  // upper case is still an id
  r.body = "bad \xff byte";
  r.attributes = {{"k\xc3", "v\xe2\x82"}};
  r.severity_number = 99;  // out of range: sent as unspecified, derived from the text
  auto out = round_trip({r});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].trace_id, "");
  EXPECT_EQ(out[0].span_id, "eee19b7ec3c1b174");
  EXPECT_EQ(out[0].body, "bad \xef\xbf\xbd byte");
  EXPECT_EQ(out[0].attributes, (KeyValues{{"k\xef\xbf\xbd", "v\xef\xbf\xbd"}}));
  EXPECT_EQ(out[0].severity_number, 17);
}

TEST(OtlpLogsEncode, PositionsTravelInTheirOwnFieldThatOtherReceiversSkip) {
  std::vector<SluicePosition> ps = {{"app", "2049:131:9f86d081884c7d65", 1048576}, {"app", "k\"2", 7, true}};
  std::string json;
  append_sluice_positions_json(json, ps);
  std::string carried = json;
  auto out = round_trip({full_record(0)}, &carried);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(carried, json);
  // A plain OTLP parser sees an ordinary request.
  ExportLogsServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(encode_otlp_logs_proto(std::vector<LogRecord>{full_record(0)}, json)));
  EXPECT_EQ(req.resource_logs_size(), 1);
  // Positions alone (no records): an empty request that still carries them.
  carried = json;
  EXPECT_TRUE(round_trip({}, &carried).empty());
  EXPECT_EQ(carried, json);
}

}  // namespace
}  // namespace sluice
