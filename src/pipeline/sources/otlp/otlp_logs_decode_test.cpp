#include "pipeline/sources/otlp/otlp_logs_decode.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "pipeline/sources/otlp/otlp_any_value.hpp"

namespace sluice {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;
namespace otlp_logs = opentelemetry::proto::logs::v1;

constexpr int64_t kReceived = 1700000000123456789;

void add_string(google::protobuf::RepeatedPtrField<KeyValue>* kvs, const std::string& k, const std::string& v) {
  auto* kv = kvs->Add();
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}

/// One resource (service "checkout"), one scope, `n` records.
ExportLogsServiceRequest request(int n) {
  ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  add_string(rl->mutable_resource()->mutable_attributes(), "service.name", "checkout");
  auto* pid = rl->mutable_resource()->add_attributes();
  pid->set_key("process.pid");
  pid->mutable_value()->set_int_value(4242);
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("app.logger");
  sl->mutable_scope()->set_version("1.2.3");
  for (int i = 0; i < n; ++i) {
    auto* lr = sl->add_log_records();
    lr->set_time_unix_nano(1700000000000000000ULL + static_cast<uint64_t>(i));
    lr->set_observed_time_unix_nano(1700000000500000000ULL);
    lr->set_severity_number(otlp_logs::SEVERITY_NUMBER_WARN);
    lr->set_severity_text("WARN");
    lr->mutable_body()->set_string_value("line " + std::to_string(i));
    add_string(lr->mutable_attributes(), "http.request.method", "GET");
    lr->set_trace_id(std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
    lr->set_span_id(std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
    lr->set_flags(0x101);
  }
  return req;
}

TEST(OtlpLogsDecode, MapsEveryField) {
  auto r = decode_otlp_logs_proto(request(2).SerializeAsString(), kReceived);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->rejected, 0u);
  EXPECT_EQ(r->rejected_reason, "");
  const LogRecord& x = r->records[1];
  EXPECT_EQ(x.timestamp_ns, 1700000000000000001);
  EXPECT_EQ(x.observed_timestamp_ns, 1700000000500000000);
  EXPECT_EQ(x.severity_number, 13);
  EXPECT_EQ(x.severity_text, "WARN");
  EXPECT_EQ(x.body, "line 1");
  EXPECT_EQ(x.attributes, (KeyValues{{"http.request.method", "GET"}}));
  EXPECT_EQ(x.resource, (KeyValues{{"service.name", "checkout"}, {"process.pid", "4242"}}));
  EXPECT_EQ(x.service_name, "checkout");
  EXPECT_EQ(x.scope_name, "app.logger");
  EXPECT_EQ(x.scope_version, "1.2.3");
  EXPECT_EQ(x.trace_id, "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(x.span_id, "eee19b7ec3c1b174");
  EXPECT_EQ(x.trace_flags, 1u);
}

TEST(OtlpLogsDecode, MissingTimesDefaultToObservedThenReceived) {
  ExportLogsServiceRequest req;
  auto* sl = req.add_resource_logs()->add_scope_logs();
  sl->add_log_records()->set_observed_time_unix_nano(5);
  sl->add_log_records();
  auto r = decode_otlp_logs_proto(req.SerializeAsString(), kReceived);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->records[0].timestamp_ns, 5);
  EXPECT_EQ(r->records[0].observed_timestamp_ns, 5);
  EXPECT_EQ(r->records[1].timestamp_ns, kReceived);
  EXPECT_EQ(r->records[1].observed_timestamp_ns, kReceived);
  EXPECT_EQ(r->records[1].service_name, "");
  EXPECT_EQ(r->records[1].trace_id, "");
}

TEST(OtlpLogsDecode, EmptyRequestDecodesToNothing) {
  auto r = decode_otlp_logs_proto("", kReceived);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->records.empty());
}

TEST(OtlpLogsDecode, SeverityTextAloneIsMapped) {
  ExportLogsServiceRequest req;
  req.add_resource_logs()->add_scope_logs()->add_log_records()->set_severity_text("error");
  auto r = decode_otlp_logs_proto(req.SerializeAsString(), kReceived);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records[0].severity_number, 17);
}

TEST(OtlpLogsDecode, BodyAndAttributeKindsBecomeText) {
  ExportLogsServiceRequest req;
  auto* lr = req.add_resource_logs()->add_scope_logs()->add_log_records();
  auto* kv = lr->mutable_body()->mutable_kvlist_value()->add_values();
  kv->set_key("user");
  kv->mutable_value()->set_string_value("a\"b");
  auto* arr = lr->mutable_body()->mutable_kvlist_value()->add_values();
  arr->set_key("list");
  auto* a = arr->mutable_value()->mutable_array_value();
  a->add_values()->set_int_value(-3);
  a->add_values()->set_double_value(1.5);
  a->add_values()->set_bool_value(true);
  a->add_values()->set_bytes_value("hi");
  a->add_values()->set_double_value(NAN);
  a->add_values();  // empty
  auto add = [&](const std::string& k) -> AnyValue* {
    auto* e = lr->add_attributes();
    e->set_key(k);
    return e->mutable_value();
  };
  add("i")->set_int_value(9007199254740993);
  add("d")->set_double_value(0.1);
  add("b")->set_bool_value(false);
  add("y")->set_bytes_value(std::string("\0\1\2", 3));
  add("inf")->set_double_value(-INFINITY);
  add("e");
  add("i")->set_int_value(7);  // repeated key: first position, last value
  lr->set_event_name("user.login");
  auto r = decode_otlp_logs_proto(req.SerializeAsString(), kReceived);
  ASSERT_TRUE(r.ok());
  const LogRecord& x = r->records[0];
  EXPECT_EQ(x.body, R"({"user":"a\"b","list":[-3,1.5,true,"aGk=","NaN",null]})");
  EXPECT_EQ(x.attributes, (KeyValues{{"i", "7"},
                                     {"d", "0.1"},
                                     {"b", "false"},
                                     {"y", "AAEC"},
                                     {"inf", "-Infinity"},
                                     {"e", ""},
                                     {"event.name", "user.login"}}));
}

TEST(OtlpLogsDecode, ManyAttributesWithARepeatedKey) {
  ExportLogsServiceRequest req;
  auto* lr = req.add_resource_logs()->add_scope_logs()->add_log_records();
  for (int i = 0; i < 1000; ++i) add_string(lr->mutable_attributes(), "k" + std::to_string(i), std::to_string(i));
  add_string(lr->mutable_attributes(), "k10", "again");
  auto r = decode_otlp_logs_proto(req.SerializeAsString(), kReceived);
  ASSERT_TRUE(r.ok());
  const auto& attrs = r->records[0].attributes;
  ASSERT_EQ(attrs.size(), 1000u);
  EXPECT_EQ(attrs[10], (KeyValues::value_type("k10", "again")));
  EXPECT_EQ(attrs[999].second, "999");
}

TEST(OtlpLogsDecode, BadIdsAndSeverityRejectOnlyTheirRecords) {
  auto req = request(4);
  auto* records = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records();
  records->Mutable(1)->set_trace_id("short");
  records->Mutable(2)->set_span_id("123456789");
  records->Mutable(3)->set_severity_number(static_cast<otlp_logs::SeverityNumber>(99));
  auto r = decode_otlp_logs_proto(req.SerializeAsString(), kReceived);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].body, "line 0");
  EXPECT_EQ(r->rejected, 3u);
  EXPECT_EQ(r->rejected_reason,
            "3 of 4 log records rejected; first: resource_logs[0].scope_logs[0].log_records[1]: trace_id is 5 "
            "bytes, expected 16");
}

TEST(OtlpLogsDecode, AllZeroIdsAreAbsent) {
  auto req = request(1);
  auto* lr = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0);
  lr->set_trace_id(std::string(16, '\0'));
  lr->set_span_id(std::string(8, '\0'));
  auto r = decode_otlp_logs_proto(req.SerializeAsString(), kReceived);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records[0].trace_id, "");
  EXPECT_EQ(r->records[0].span_id, "");
}

TEST(OtlpLogsDecode, TimestampPastInt64IsRejected) {
  auto req = request(1);
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0)->set_time_unix_nano(UINT64_MAX);
  auto r = decode_otlp_logs_proto(req.SerializeAsString(), kReceived);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected, 1u);
  EXPECT_NE(r->rejected_reason.find("time_unix_nano 18446744073709551615 does not fit"), std::string::npos)
      << r->rejected_reason;
}

TEST(OtlpLogsDecode, MalformedProtobufNamesByteAndField) {
  std::string bytes = request(3).SerializeAsString();
  auto r = decode_otlp_logs_proto(bytes.substr(0, bytes.size() - 3), kReceived);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("invalid protobuf at byte 0: length"), std::string::npos) << r.status().message();
  auto req = request(3);
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(2)->mutable_body()->set_string_value("\xff");
  r = decode_otlp_logs_proto(req.SerializeAsString(), kReceived);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(
                "(resource_logs[0].scope_logs[0].log_records[2].body.string_value): string is not valid UTF-8"),
            std::string::npos)
      << r.status().message();
}

TEST(OtlpLogsDecode, LimitsRefuseTinyMessageFloods) {
  ExportLogsServiceRequest req;
  auto* sl = req.add_resource_logs()->add_scope_logs();
  for (int i = 0; i < 50; ++i) sl->add_log_records();
  auto r = decode_otlp_logs_proto(req.SerializeAsString(), kReceived, OtlpLimits{49, 1000});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "more than 49 log records in one request (max_records_per_request)");
  r = decode_otlp_logs_proto(req.SerializeAsString(), kReceived, OtlpLimits{50, 1000});
  EXPECT_TRUE(r.ok());
  // Resource attributes are stored once per record: 50 records x 30 > 1000.
  auto* res = req.mutable_resource_logs(0)->mutable_resource();
  for (int i = 0; i < 30; ++i) add_string(res->mutable_attributes(), "k" + std::to_string(i), "v");
  r = decode_otlp_logs_proto(req.SerializeAsString(), kReceived, OtlpLimits{50, 1000});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

// --- OTLP/JSON -------------------------------------------------------------

constexpr char kJsonRequest[] = R"({
  "resourceLogs": [{
    "resource": {"attributes": [
      {"key": "service.name", "value": {"stringValue": "web"}},
      {"key": "host.cpu", "value": {"intValue": "8"}}]},
    "unknownField": {"x": [1, 2]},
    "scopeLogs": [{
      "scope": {"name": "lib", "version": "0.1"},
      "logRecords": [{
        "timeUnixNano": "1700000000000000007",
        "observedTimeUnixNano": 1700000000000000008,
        "severityNumber": 17,
        "severityText": "ERROR",
        "body": {"stringValue": "boom"},
        "attributes": [{"key": "n", "value": {"doubleValue": 2.5}},
                       {"key": "list", "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": 1}]}}}],
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "eee19b7ec3c1b174",
        "flags": 1
      }, {
        "body": {"kvlistValue": {"values": [{"key": "k", "value": {"boolValue": true}}]}},
        "trace_id": "",
        "severity_text": "info"
      }]
    }]
  }]
})";

TEST(OtlpLogsDecodeJson, MapsEveryField) {
  auto r = decode_otlp_logs_json(kJsonRequest, kReceived);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->records.size(), 2u);
  const LogRecord& x = r->records[0];
  EXPECT_EQ(x.timestamp_ns, 1700000000000000007);
  EXPECT_EQ(x.observed_timestamp_ns, 1700000000000000008);
  EXPECT_EQ(x.severity_number, 17);
  EXPECT_EQ(x.severity_text, "ERROR");
  EXPECT_EQ(x.body, "boom");
  EXPECT_EQ(x.attributes, (KeyValues{{"n", "2.5"}, {"list", R"(["a",1])"}}));
  EXPECT_EQ(x.resource, (KeyValues{{"service.name", "web"}, {"host.cpu", "8"}}));
  EXPECT_EQ(x.service_name, "web");
  EXPECT_EQ(x.scope_name, "lib");
  EXPECT_EQ(x.scope_version, "0.1");
  EXPECT_EQ(x.trace_id, "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(x.span_id, "eee19b7ec3c1b174");
  EXPECT_EQ(x.trace_flags, 1u);
  const LogRecord& y = r->records[1];
  EXPECT_EQ(y.body, R"({"k":true})");
  EXPECT_EQ(y.severity_number, 9);
  EXPECT_EQ(y.trace_id, "");
  EXPECT_EQ(y.timestamp_ns, kReceived);
}

TEST(OtlpLogsDecodeJson, BadHexIdsRejectTheirRecords) {
  auto r = decode_otlp_logs_json(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
      {"body":{"stringValue":"ok"},"traceId":"000102030405060708090a0b0c0d0e0f"},
      {"traceId":"zz0102030405060708090a0b0c0d0e0f"},
      {"traceId":"0001020304050607"},
      {"spanId":"0001020304050607080a"},
      {"traceId":"abcdef"},
      {"traceId":"xyz"},
      {"spanId":"a!"},
      {"spanId":"00010203040506\u0030"}]}]}]})",
                                 kReceived);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].trace_id, "000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(r->rejected, 7u);
  EXPECT_EQ(r->rejected_reason,
            "7 of 8 log records rejected; first: resourceLogs[0].scopeLogs[0].logRecords[1]: traceId "
            "\"zz0102030405060708090a0b0c0d0e0f\" is not 32 hex digits");
}

TEST(OtlpLogsDecodeJson, ErrorsNameTheField) {
  auto r = decode_otlp_logs_json(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"soon"}]}]}]})",
                                 kReceived);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("(resource_logs[0].scope_logs[0].log_records[0].time_unix_nano): invalid value"),
            std::string::npos)
      << r.status().message();
  for (const char* bad : {"", "{", "[]", "{\"resourceLogs\": 3}", "nul",
                          "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":1}}]}]}]}"}) {
    auto b = decode_otlp_logs_json(bad, kReceived);
    EXPECT_FALSE(b.ok()) << bad;
  }
}

TEST(OtlpLogsDecodeJson, InvalidUtf8IsRefused) {
  for (const char* text : {"\xff", "\\ud800"}) {  // a raw bad byte; a lone surrogate escape
    SCOPED_TRACE(text);
    auto r = decode_otlp_logs_json(
        std::string(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityText":")") + text + "\"}]}]}]}",
        kReceived);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(r.status().message().find("UTF-8") != std::string::npos ||
                r.status().message().find("surrogate") != std::string::npos)
        << r.status().message();
  }
}

TEST(OtlpLogsDecodeJson, DeepNestingIsRefused) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += R"({"arrayValue":{"values":[)";
  deep += "{}";
  for (int i = 0; i < 200; ++i) deep += "]}}";
  auto r =
      decode_otlp_logs_json(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)" + deep + "}]}]}]}", kReceived);
  EXPECT_FALSE(r.ok());
}

TEST(OtlpAnyValue, Base64) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
}

}  // namespace
}  // namespace sluice
