#include "model/json_records.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

constexpr int64_t kObserved = 1'800'000'000'000'000'000;

TEST(DecodeNdjson, OtelShaped) {
  auto r = decode_ndjson(
      R"({"timestamp":"2026-11-21T14:30:09.5Z","severity_number":17,"severity_text":"ERROR","body":"disk full",)"
      R"("attributes":{"http":{"method":"GET","status":500},"ok":false,"tags":["a","b"],"none":null},)"
      R"("resource":{"service.name":"api","host.name":"web-1"},"scope_name":"lib","scope_version":"1.2",)"
      R"("trace_id":"5B8EFFF798038103D269B633813FC60C","span_id":"eee19b7ec3c1b174","trace_flags":1,"extra":{"x":1.50}})",
      kObserved, 10);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  ASSERT_EQ(r.records.size(), 1u);
  const LogRecord& rec = r.records[0];
  EXPECT_EQ(rec.timestamp_ns, 1795271409'500'000'000);
  EXPECT_EQ(rec.observed_timestamp_ns, kObserved);
  EXPECT_EQ(rec.severity_number, 17);
  EXPECT_EQ(rec.severity_text, "ERROR");
  EXPECT_EQ(rec.body, "disk full");
  EXPECT_EQ(rec.attributes, (KeyValues{{"http.method", "GET"},
                                       {"http.status", "500"},
                                       {"ok", "false"},
                                       {"tags", R"(["a","b"])"},
                                       {"extra.x", "1.50"}}));
  EXPECT_EQ(rec.resource, (KeyValues{{"service.name", "api"}, {"host.name", "web-1"}}));
  EXPECT_EQ(rec.service_name, "api");
  EXPECT_EQ(rec.scope_name, "lib");
  EXPECT_EQ(rec.scope_version, "1.2");
  EXPECT_EQ(rec.trace_id, "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(rec.span_id, "eee19b7ec3c1b174");
  EXPECT_EQ(rec.trace_flags, 1u);
}

TEST(DecodeNdjson, OtelDefaultsAndBodies) {
  auto r = decode_ndjson(
      "{\"severity_text\":\"warn\",\"body\":{\"k\":[1, 2]},\"attributes\":{}}\n"
      "{\"timestamp\":1700000000000000000,\"observed_timestamp\":\"1700000000000000001\",\"body\":42,"
      "\"service_name\":\"svc\",\"resource\":{\"service.name\":\"other\"}}\n",
      kObserved, 10);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].severity_number, 13);  // derived from severity_text
  EXPECT_EQ(r.records[0].body, "{\"k\":[1, 2]}");
  EXPECT_EQ(r.records[0].timestamp_ns, kObserved);  // defaults to observed
  EXPECT_EQ(r.records[1].timestamp_ns, 1700000000000000000);
  EXPECT_EQ(r.records[1].observed_timestamp_ns, 1700000000000000001);
  EXPECT_EQ(r.records[1].body, "42");
  EXPECT_EQ(r.records[1].service_name, "svc");
}

TEST(DecodeNdjson, FreeForm) {
  auto r = decode_ndjson(
      R"({"time":"2026-11-21T14:30:09+01:00","level":"warning","msg":"slow query","db":{"ms":1200,"name":"orders"},"user":"alice","ts":"not a time"})"
      "\n"
      R"({"@timestamp":1700000000.25,"message":"hello","severity":"INFO","msg":"also kept"})"
      "\n"
      R"({"a":1,"b":"x"})",
      kObserved, 10);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  ASSERT_EQ(r.records.size(), 3u);
  const LogRecord& a = r.records[0];
  EXPECT_EQ(a.timestamp_ns, 1795271409'000'000'000 - 3600'000'000'000);
  EXPECT_EQ(a.severity_text, "warning");
  EXPECT_EQ(a.severity_number, 13);
  EXPECT_EQ(a.body, "slow query");
  EXPECT_EQ(a.attributes,
            (KeyValues{{"db.ms", "1200"}, {"db.name", "orders"}, {"user", "alice"}, {"ts", "not a time"}}));
  const LogRecord& b = r.records[1];
  EXPECT_EQ(b.timestamp_ns, 1700000000'250'000'000);
  EXPECT_EQ(b.body, "hello");
  EXPECT_EQ(b.severity_number, 9);
  EXPECT_EQ(b.attributes, (KeyValues{{"msg", "also kept"}}));
  const LogRecord& c = r.records[2];
  EXPECT_EQ(c.body, R"({"a":1,"b":"x"})");  // no message field: the line itself
  EXPECT_EQ(c.attributes, (KeyValues{{"a", "1"}, {"b", "x"}}));
  EXPECT_EQ(c.timestamp_ns, kObserved);
}

TEST(DecodeNdjson, ErrorsCarryLineNumbers) {
  std::string body =
      "{\"msg\":\"one\"}\r\n"
      "\n"
      "   \n"
      "not json\n"
      "[1,2]\n"
      "{\"msg\":\"unterminated}\n"
      "{\"severity_number\":99}\n"
      "{\"severity_number\":3,\"trace_id\":\"xyz\"}\n"
      "{\"a\":1} {\"b\":2}\n"
      "{\"timestamp\":\"yesterday\",\"attributes\":{}}\n"
      "{\"msg\":\"last\"}";
  auto r = decode_ndjson(body, kObserved, 100);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].body, "one");
  EXPECT_EQ(r.records[1].body, "last");
  ASSERT_EQ(r.errors.size(), 7u);
  EXPECT_EQ(r.error_count, 7u);
  EXPECT_EQ(r.errors[0].line, 4u);
  EXPECT_EQ(r.errors[0].message, "expected a JSON object at byte 0, found 'n'");
  EXPECT_EQ(r.errors[1].line, 5u);
  EXPECT_EQ(r.errors[1].message, "expected a JSON object at byte 0, found '['");
  EXPECT_EQ(r.errors[2].line, 6u);
  EXPECT_NE(r.errors[2].message.find("invalid JSON"), std::string::npos) << r.errors[2].message;
  EXPECT_EQ(r.errors[3].line, 7u);
  EXPECT_EQ(r.errors[3].message, "field \"severity_number\": expected an integer 0..24, found 99");
  EXPECT_EQ(r.errors[4].line, 8u);
  EXPECT_EQ(r.errors[4].message, "field \"trace_id\": expected 32 hex digits, found \"xyz\"");
  EXPECT_EQ(r.errors[5].line, 9u);
  EXPECT_EQ(r.errors[5].message, "expected end of text after the JSON object at byte 8, found '{'");
  EXPECT_EQ(r.errors[6].line, 10u);
  EXPECT_NE(r.errors[6].message.find("field \"timestamp\": expected 4-digit year at position 0"), std::string::npos)
      << r.errors[6].message;
}

TEST(DecodeNdjson, MaxLineErrorsBoundsTheList) {
  auto r = decode_ndjson("x\ny\n{}\nz\n", kObserved, 2);
  EXPECT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.error_count, 3u);
  EXPECT_EQ(r.errors[1].line, 2u);
}

TEST(DecodeNdjson, EmptyAndBlankBodies) {
  EXPECT_TRUE(decode_ndjson("", kObserved, 10).records.empty());
  auto r = decode_ndjson("\n\n \t\r\n", kObserved, 10);
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(r.error_count, 0u);
}

TEST(DecodeNdjson, InvalidUtf8AndBadNumbersAreErrors) {
  auto r = decode_ndjson("{\"msg\":\"\xff\"}\n{\"n\":01}\n{\"n\":-}\n", kObserved, 10);
  EXPECT_EQ(r.records.size(), 0u);
  EXPECT_EQ(r.error_count, 3u);
}

TEST(JsonObjectParser, FlattenMergesAndReplaces) {
  JsonObjectParser p;
  KeyValues out{{"keep", "1"}, {"a.b", "old"}};
  ASSERT_TRUE(
      p.flatten_object(R"( {"a":{"b":"new","c":{"d":true}},"big":123456789012345678901234567890,"e":"\u00e9\n"} )", out)
          .ok());
  EXPECT_EQ(out, (KeyValues{{"keep", "1"},
                            {"a.b", "new"},
                            {"a.c.d", "true"},
                            {"big", "123456789012345678901234567890"},
                            {"e", "\xc3\xa9\n"}}));
  // Errors leave `out` unchanged.
  KeyValues before = out;
  Status st = p.flatten_object("GET / HTTP/1.1", out);
  EXPECT_EQ(st.message(), "expected a JSON object at byte 0, found 'G'");
  EXPECT_EQ(out, before);
  EXPECT_EQ(p.flatten_object("", out).message(), "expected a JSON object at byte 0, found end of text");
  EXPECT_EQ(p.flatten_object("  \x16\x03", out).message(), "expected a JSON object at byte 2, found '\\x16'");
  EXPECT_FALSE(p.flatten_object(R"({"a":1,"b":)", out).ok());
  EXPECT_EQ(out, before);
}

TEST(JsonObjectParser, DuplicateKeysLastWinsAtFirstPosition) {
  JsonObjectParser p;
  KeyValues out;
  ASSERT_TRUE(p.flatten_object(R"({"a":{"b":1},"x":0,"a.b":2})", out).ok());
  EXPECT_EQ(out, (KeyValues{{"a.b", "2"}, {"x", "0"}}));
  // Many keys take the hashed path.
  std::string big = "{";
  for (int i = 0; i < 100; ++i) big += "\"k" + std::to_string(i % 50) + "\":" + std::to_string(i) + ",";
  big.back() = '}';
  KeyValues many;
  ASSERT_TRUE(p.flatten_object(big, many).ok());
  ASSERT_EQ(many.size(), 50u);
  EXPECT_EQ(many[0], (KeyValues::value_type{"k0", "50"}));
}

TEST(JsonObjectParser, DeepNestingStopsFlatteningAtTheLimit) {
  JsonObjectParser p;
  std::string json;
  for (int i = 0; i < kMaxFlattenDepth + 3; ++i) json += "{\"a\":";
  json += "1";
  for (int i = 0; i < kMaxFlattenDepth + 3; ++i) json += "}";
  KeyValues out;
  ASSERT_TRUE(p.flatten_object(json, out).ok());
  ASSERT_EQ(out.size(), 1u);
  std::string key = "a";
  for (int i = 1; i < kMaxFlattenDepth; ++i) key += ".a";
  EXPECT_EQ(out[0].first, key);
  EXPECT_EQ(out[0].second, "{\"a\":{\"a\":{\"a\":1}}}");
}

}  // namespace
}  // namespace sluice
