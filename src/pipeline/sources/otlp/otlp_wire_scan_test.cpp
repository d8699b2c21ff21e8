#include "pipeline/sources/otlp/otlp_wire_scan.hpp"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace sluice {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::logs::v1::LogRecord;

Status scan(std::string_view bytes, WireScanCounts* counts = nullptr, WireScanLimits limits = {}) {
  WireScanCounts c;
  return scan_protobuf_wire(bytes, ExportLogsServiceRequest::descriptor(), LogRecord::descriptor(), limits,
                            counts != nullptr ? counts : &c);
}

TEST(OtlpWireScan, CountsMessagesAndRecords) {
  ExportLogsServiceRequest req;
  auto* sl = req.add_resource_logs()->add_scope_logs();
  for (int i = 0; i < 3; ++i) {
    auto* kv = sl->add_log_records()->add_attributes();
    kv->set_key("k");
    kv->mutable_value()->set_string_value("v");
  }
  WireScanCounts c;
  ASSERT_TRUE(scan(req.SerializeAsString(), &c).ok());
  EXPECT_EQ(c.counted, 3u);
  // resource_logs, scope_logs, 3 x (log record, key/value, any value)
  EXPECT_EQ(c.messages, 11u);
}

TEST(OtlpWireScan, NamesEachKindOfDamage) {
  struct Case {
    std::string bytes;
    std::string want;
  };
  const Case cases[] = {
      {"\x0a", "invalid protobuf at byte 0: truncated length"},
      {std::string("\x0a\x05\x12\x00", 4),
       "invalid protobuf at byte 0: length 5 runs past the end of the message (2 bytes left)"},
      {"\x0a\x02\x12\x05", "invalid protobuf at byte 2 (resource_logs[0]): length 5 runs past"},
      {"\x0b", "groups (wire types 3 and 4)"},
      {"\x0e", "invalid wire type 6"},
      {std::string("\x00\x01", 2), "field number 0 is outside"},
      {"\x08\xff\xff", "truncated varint"},
      {"\x09\x01\x02", "truncated 64-bit value"},
      {"\x80", "truncated field tag"},
      {std::string("\x90\x80\x80\x80\x80\x00\x01", 7), "invalid protobuf at byte 0: field tag longer than 5 bytes"},
      {std::string("\x0a\x80\x80\x80\x80\x80\x00", 7), "invalid protobuf at byte 0: length longer than 5 bytes"},
      // ResourceLogs[1].ScopeLogs[0].LogRecord[0].severity_text = "\xff"
      {std::string("\x0a\x00\x0a\x07\x12\x05\x12\x03\x1a\x01\xff", 11),
       "invalid protobuf at byte 8 (resource_logs[1].scope_logs[0].log_records[0].severity_text): string is not "
       "valid UTF-8"},
  };
  for (const auto& c : cases) {
    Status st = scan(c.bytes);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.want;
    EXPECT_NE(st.message().find(c.want), std::string::npos) << st.message();
  }
}

TEST(OtlpWireScan, UnknownFieldsAreSkipped) {
  // field 15 (varint), field 16 (bytes), field 17 (fixed32), then a record.
  std::string bytes("\x78\x01\x82\x01\x01x\x8d\x01\x01\x02\x03\x04\x0a\x04\x12\x02\x12\x00", 18);
  WireScanCounts c;
  ASSERT_TRUE(scan(bytes, &c).ok()) << scan(bytes).to_string();
  EXPECT_EQ(c.counted, 1u);
  ExportLogsServiceRequest req;
  EXPECT_TRUE(req.ParseFromString(bytes));
}

TEST(OtlpWireScan, NestingIsBounded) {
  // AnyValue.array_value -> ArrayValue.values -> AnyValue ..., 240 messages
  // deep, under log_records[0].body.
  ExportLogsServiceRequest req;
  auto* v = req.add_resource_logs()->add_scope_logs()->add_log_records()->mutable_body();
  for (int i = 0; i < 120; ++i) v = v->mutable_array_value()->add_values();
  std::string bytes = req.SerializeAsString();
  Status st = scan(bytes);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("nested deeper than 100"), std::string::npos) << st.message();
}

TEST(OtlpWireScan, LimitsAreResourceExhausted) {
  ExportLogsServiceRequest req;
  auto* lr = req.add_resource_logs()->add_scope_logs()->add_log_records();
  for (int i = 0; i < 10; ++i) lr->add_attributes();
  WireScanLimits l;
  l.max_messages = 13;  // resource_logs, scope_logs, log_records, 10 attributes
  EXPECT_TRUE(scan(req.SerializeAsString(), nullptr, l).ok());
  l.max_messages = 12;
  Status st = scan(req.SerializeAsString(), nullptr, l);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(st.message(), "more than 12 nested messages");
}

TEST(OtlpWireScan, Utf8) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));
}

}  // namespace
}  // namespace sluice
