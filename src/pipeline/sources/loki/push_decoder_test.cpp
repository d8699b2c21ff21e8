#include "pipeline/sources/loki/push_decoder.hpp"

#include <gtest/gtest.h>

#include "logproto/push.pb.h"

namespace sluice {
namespace {

constexpr size_t kNoLimit = 1ULL << 40;

std::vector<LogRecord> proto_ok(const std::string& bytes) {
  std::vector<LogRecord> out;
  Status st = decode_loki_push_protobuf(bytes, kNoLimit, &out);
  EXPECT_TRUE(st.ok()) << st.to_string();
  return out;
}

std::string proto_error(const std::string& bytes) {
  std::vector<LogRecord> out;
  Status st = decode_loki_push_protobuf(bytes, kNoLimit, &out);
  EXPECT_FALSE(st.ok());
  return st.message();
}

std::vector<LogRecord> json_ok(std::string_view text) {
  std::vector<LogRecord> out;
  Status st = decode_loki_push_json(text, kNoLimit, &out);
  EXPECT_TRUE(st.ok()) << st.to_string();
  return out;
}

std::string json_error(std::string_view text) {
  std::vector<LogRecord> out;
  Status st = decode_loki_push_json(text, kNoLimit, &out);
  EXPECT_FALSE(st.ok()) << text;
  return st.message();
}

logproto::EntryAdapter* add_entry(logproto::StreamAdapter* s, int64_t sec, int32_t nanos, const std::string& line) {
  auto* e = s->add_entries();
  e->mutable_timestamp()->set_seconds(sec);
  e->mutable_timestamp()->set_nanos(nanos);
  e->set_line(line);
  return e;
}

// The bytes as the protobuf encoding specifies them, written out by hand:
// PushRequest{streams: [{labels: '{a="b"}', entries: [{timestamp: {1, 2}, line: "hi"}]}]}.
TEST(LokiProtobuf, HandEncodedBytes) {
  const std::string entry = std::string("\x0a\x04\x08\x01\x10\x02", 6) + "\x12\x02hi";
  const std::string stream = std::string("\x0a\x07{a=\"b\"}") + "\x12" + static_cast<char>(entry.size()) + entry;
  const std::string request = std::string("\x0a") + static_cast<char>(stream.size()) + stream;
  ASSERT_EQ(request.size(), 23u);
  auto out = proto_ok(request);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].timestamp_ns, 1000000002);
  EXPECT_EQ(out[0].body, "hi");
  EXPECT_EQ(out[0].resource, (KeyValues{{"a", "b"}}));
}

TEST(LokiProtobuf, StreamsEntriesLabelsMetadata) {
  logproto::PushRequest req;
  auto* s1 = req.add_streams();
  s1->set_labels(R"({job="varlogs", service_name="api"})");
  add_entry(s1, 1700000000, 123456789, "first");
  auto* e = add_entry(s1, 1700000001, 0, "second");
  auto* kv = e->add_structuredmetadata();
  kv->set_name("trace_id");
  kv->set_value("abc");
  auto* s2 = req.add_streams();
  s2->set_labels(R"({"service.name"="web"})");
  add_entry(s2, 1, 999999999, "third");
  auto out = proto_ok(req.SerializeAsString());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].timestamp_ns, 1700000000123456789);
  EXPECT_EQ(out[0].body, "first");
  EXPECT_EQ(out[0].resource, (KeyValues{{"job", "varlogs"}, {"service_name", "api"}}));
  EXPECT_EQ(out[0].service_name, "api");
  EXPECT_TRUE(out[0].attributes.empty());
  EXPECT_EQ(out[1].attributes, (KeyValues{{"trace_id", "abc"}}));
  EXPECT_EQ(out[2].timestamp_ns, 1999999999);
  EXPECT_EQ(out[2].service_name, "web");
}

TEST(LokiProtobuf, LabelsAfterEntriesAndUnknownFields) {
  logproto::StreamAdapter entries_only;
  add_entry(&entries_only, 5, 0, "x");
  logproto::StreamAdapter labels_only;
  labels_only.set_labels("{k=\"v\"}");
  labels_only.set_hash(42);
  // Field 9 (varint) is unknown and skipped.
  std::string stream = entries_only.SerializeAsString() + labels_only.SerializeAsString() + "\x48\x01";
  std::string request = "\x0a" + std::string(1, static_cast<char>(stream.size())) + stream;
  auto out = proto_ok(request);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].resource, (KeyValues{{"k", "v"}}));
  EXPECT_EQ(out[0].timestamp_ns, 5000000000);
}

TEST(LokiProtobuf, MissingTimestampAndEmptyRequest) {
  logproto::PushRequest req;
  auto* s = req.add_streams();
  s->set_labels("{}");
  s->add_entries()->set_line("no time");
  auto out = proto_ok(req.SerializeAsString());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].timestamp_ns, 0);
  EXPECT_TRUE(proto_ok("").empty());
}

TEST(LokiProtobuf, RepeatedMetadataKeysKeepTheLastValue) {
  logproto::PushRequest req;
  auto* s = req.add_streams();
  s->set_labels("{}");
  auto* e = add_entry(s, 1, 0, "x");
  for (auto [k, v] : {std::pair{"a", "1"}, {"b", "2"}, {"a", "3"}}) {
    auto* kv = e->add_structuredmetadata();
    kv->set_name(k);
    kv->set_value(v);
  }
  auto out = proto_ok(req.SerializeAsString());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].attributes, (KeyValues{{"a", "3"}, {"b", "2"}}));
}

TEST(LokiProtobuf, ErrorsNameStreamEntryAndByte) {
  logproto::PushRequest req;
  auto* s = req.add_streams();
  s->set_labels("{ok=\"1\"}");
  add_entry(s, 1, 0, "fine");
  auto* bad = req.add_streams();
  bad->set_labels("{job:\"x\"}");
  add_entry(bad, 1, 0, "x");
  EXPECT_EQ(proto_error(req.SerializeAsString()),
            "stream 1: labels (field at byte 26): expected '=' after label name \"job\" at byte 4, found ':'");

  logproto::PushRequest req2;
  auto* s2 = req2.add_streams();
  s2->set_labels("{}");
  add_entry(s2, 1, 0, "ok");
  add_entry(s2, 1, 1000000000, "bad");
  EXPECT_EQ(proto_error(req2.SerializeAsString()),
            "stream 0, entry 1 (at byte 16): timestamp nanos 1000000000 is outside [0, 999999999]");

  EXPECT_EQ(proto_error(std::string("\x08\x01", 2)),
            "PushRequest: field streams at byte 0 has wire type 0, expected 2 (length-delimited)");
  EXPECT_EQ(proto_error(std::string("\x0a\x05\x0a", 3)),
            "PushRequest: field 1 at byte 0: length 5 exceeds the 1 bytes left");
  EXPECT_EQ(proto_error(std::string("\x0a\x04\x0a\x02{}\xff", 7)),
            "PushRequest: expected a field tag at byte 6, found an invalid or truncated varint");
  EXPECT_EQ(proto_error(std::string("\x0a\x00", 2)),
            "stream 0: labels (field at byte 2): expected '{' at byte 0, found end of text");
}

TEST(LokiProtobuf, MalformedEntry) {
  // Stream {labels "{}", entries: [0x0a]} where the entry is a truncated field.
  const std::string stream = std::string("\x0a\x02{}\x12\x01\x0a", 7);
  const std::string request = std::string("\x0a") + static_cast<char>(stream.size()) + stream;
  EXPECT_EQ(proto_error(request), "stream 0, entry 0 (at byte 6): malformed EntryAdapter message");
}

TEST(LokiProtobuf, RecordMemoryIsCapped) {
  logproto::PushRequest req;
  auto* s = req.add_streams();
  s->set_labels("{big=\"" + std::string(1000, 'x') + "\"}");
  for (int i = 0; i < 100; ++i) s->add_entries();  // 2 bytes each on the wire
  std::vector<LogRecord> out;
  Status st = decode_loki_push_protobuf(req.SerializeAsString(), 50000, &out);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.to_string();
}

TEST(LokiProtobuf, InvalidUtf8BecomesReplacementCharacters) {
  logproto::PushRequest req;
  auto* s = req.add_streams();
  s->set_labels("{a=\"\\xff\", b=\"ok\"}");
  auto* e = add_entry(s, 1, 0, "bad \xff\xfe bytes \xc3\xa9");
  auto* kv = e->add_structuredmetadata();
  kv->set_name("k\x80");
  kv->set_value("\xed\xa0\x80");  // an encoded surrogate
  auto out = proto_ok(req.SerializeAsString());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].body, "bad \xef\xbf\xbd\xef\xbf\xbd bytes \xc3\xa9");  // one U+FFFD per bad byte
  EXPECT_EQ(out[0].resource, (KeyValues{{"a", "\xef\xbf\xbd"}, {"b", "ok"}}));
  EXPECT_EQ(out[0].attributes, (KeyValues{{"k\xef\xbf\xbd", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}}));
}

TEST(LokiJson, DocumentedShape) {
  auto out = json_ok(R"({"streams":[{"stream":{"foo":"bar2","service_name":"svc"},
      "values":[["1570818238000000000","fizzbuzz"],
                ["1570818238000000001","with metadata",{"trace_id":"0242ac120002","user":"a"}]]}]})");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].timestamp_ns, 1570818238000000000);
  EXPECT_EQ(out[0].body, "fizzbuzz");
  EXPECT_EQ(out[0].resource, (KeyValues{{"foo", "bar2"}, {"service_name", "svc"}}));
  EXPECT_EQ(out[0].service_name, "svc");
  EXPECT_EQ(out[1].timestamp_ns, 1570818238000000001);
  EXPECT_EQ(out[1].attributes, (KeyValues{{"trace_id", "0242ac120002"}, {"user", "a"}}));
}

TEST(LokiJson, ValuesBeforeStreamNumberTimestampsAndUnknownKeys) {
  auto out = json_ok(R"({"x":1,"streams":[{"values":[[1700000000000000001,"a\nb"]],"extra":[],
      "stream":{"service.name":"s","empty":""}}]})");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].timestamp_ns, 1700000000000000001);
  EXPECT_EQ(out[0].body, "a\nb");
  EXPECT_EQ(out[0].resource, (KeyValues{{"service.name", "s"}}));
  EXPECT_EQ(out[0].service_name, "s");
  EXPECT_TRUE(json_ok(R"({"streams":[]})").empty());
  EXPECT_TRUE(json_ok("{}").empty());
}

TEST(LokiJson, Errors) {
  EXPECT_EQ(json_error("[]"), "the request: expected an object with a \"streams\" array, found an array at byte 0");
  EXPECT_EQ(json_error(R"({"streams":{}})"), "\"streams\": expected an array, found an object at byte 11");
  EXPECT_EQ(json_error(R"({"streams":[{"stream":{"a":1},"values":[]}]})"),
            "stream 0: \"stream\" \"a\": expected a string, found a number at byte 27");
  EXPECT_EQ(json_error(R"({"streams":[{"values":[["12x","l"]]}]})"),
            "stream 0, entry 0: timestamp: expected unix nanoseconds (at most 19 decimal digits, fitting int64), "
            "found \"12x\" at byte 29");
  EXPECT_EQ(json_error(R"({"streams":[{},{"values":[["1",2]]}]})"),
            "stream 1, entry 0: line: expected a string, found a number at byte 31");
  EXPECT_EQ(json_error(R"({"streams":[{"values":[["1"]]}]})"),
            "stream 0, entry 0: expected at least 2 elements (timestamp, line), found 1 at byte 28");
  EXPECT_EQ(json_error(R"({"streams":[{"values":[["1","l",{},4]]}]})"),
            "stream 0, entry 0: expected at most 3 elements (timestamp, line, metadata) at byte 35");
  EXPECT_EQ(json_error(R"({"streams":[{"values":[["1","l",{"k":true}]]}]})"),
            "stream 0, entry 0: structured metadata \"k\": expected a string, found a boolean at byte 37");
  EXPECT_EQ(json_error(R"({"streams":[{"values":[["99999999999999999999","l"]]}]})").substr(0, 40),
            "stream 0, entry 0: timestamp: expected u");
  EXPECT_EQ(json_error(R"({"streams":[]} x)").rfind("invalid JSON", 0), 0u);
  EXPECT_EQ(json_error(R"({"streams":[]} {})"), "expected end of text after the JSON object at byte 15");
  EXPECT_NE(json_error(R"({"streams":[)").find("invalid JSON"), std::string::npos);
  EXPECT_NE(json_error("{\"streams\":[{\"stream\":{\"a\":\"\xff\"}}]}").find("invalid JSON"), std::string::npos);
}

TEST(LokiJson, RecordMemoryIsCapped) {
  std::string body = R"({"streams":[{"stream":{"big":")" + std::string(1000, 'x') + R"("},"values":[)";
  for (int i = 0; i < 100; ++i) body += std::string(i ? "," : "") + R"(["1",""])";
  body += "]}]}";
  std::vector<LogRecord> out;
  Status st = decode_loki_push_json(body, 50000, &out);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.to_string();
}

}  // namespace
}  // namespace sluice
