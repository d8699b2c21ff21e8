#include "pipeline/transforms/parse_json/parse_json.hpp"

#include <gtest/gtest.h>

#include "model/timestamp.hpp"

namespace sluice {
namespace {

constexpr int64_t kObserved = 1795273200'000'000'000;  // 2026-11-21T15:00:00Z

std::unique_ptr<Transform> must_make(const ParseJsonOptions& o) {
  auto r = make_parse_json(o);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(r).value() : nullptr;
}

LogBatch batch_of(std::initializer_list<std::string_view> bodies) {
  LogBatch b;
  for (auto body : bodies) {
    LogRecord rec;
    rec.body = std::string(body);
    rec.observed_timestamp_ns = kObserved;
    b.records.push_back(std::move(rec));
  }
  b.positions.push_back(SourcePosition{"app", "k", 42, "/var/log/app.json"});
  return b;
}

std::string attr(const LogRecord& rec, std::string_view key) {
  const std::string* v = find_key_value(rec.attributes, key);
  return v ? *v : "<missing>";
}

TEST(ParseJson, MergesFlattenedFieldsKeepsOrderAndPositions) {
  auto t = must_make(ParseJsonOptions{});
  ASSERT_TRUE(t);
  LogBatch b = batch_of(
      {R"({"msg":"hi","http":{"status":200,"ok":true},"tags":["a"],"n":null})", "GET / HTTP/1.1", R"({"a":"1"})"});
  b.records[0].attributes = {{"source", "file"}, {"http.status", "old"}};
  t->process(b);
  ASSERT_EQ(b.records.size(), 3u);
  ASSERT_EQ(b.positions.size(), 1u);
  EXPECT_EQ(b.positions[0].offset, 42u);
  EXPECT_EQ(
      b.records[0].attributes,
      (KeyValues{{"source", "file"}, {"http.status", "200"}, {"msg", "hi"}, {"http.ok", "true"}, {"tags", "[\"a\"]"}}));
  EXPECT_EQ(b.records[0].body, R"({"msg":"hi","http":{"status":200,"ok":true},"tags":["a"],"n":null})");
  EXPECT_EQ(b.records[1].body, "GET / HTTP/1.1");
  EXPECT_EQ(b.records[1].attributes,
            (KeyValues{{"parse.error", "parse_json: expected a JSON object at byte 0, found 'G'"}}));
  EXPECT_EQ(attr(b.records[2], "a"), "1");
}

TEST(ParseJson, BodyTimestampAndSeverityFields) {
  ParseJsonOptions o;
  o.body_field = "message";
  o.timestamp_field = "time";
  o.severity_field = "log.level";
  auto t = must_make(o);
  ASSERT_TRUE(t);
  LogBatch b = batch_of({R"({"time":"2026-11-21T14:30:09.5+01:00","log":{"level":"warn"},"message":"slow"})",
                         R"({"time":"yesterday","message":"bad time"})", R"({"other":1})"});
  t->process(b);
  const auto& r = b.records;
  EXPECT_EQ(r[0].body, "slow");
  EXPECT_EQ(attr(r[0], "message"), "<missing>");
  EXPECT_EQ(r[0].timestamp_ns, *parse_timestamp("2026-11-21T13:30:09.5Z", "rfc3339"));
  EXPECT_EQ(r[0].severity_text, "warn");
  EXPECT_EQ(r[0].severity_number, 13);
  EXPECT_EQ(r[1].body, "bad time");
  EXPECT_EQ(r[1].timestamp_ns, 0);
  EXPECT_NE(attr(r[1], "parse.error").find("parse_json: field \"time\": expected 4-digit year at position 0"),
            std::string::npos)
      << attr(r[1], "parse.error");
  EXPECT_EQ(r[2].body, R"({"other":1})");  // no body_field: keep_body decides
}

TEST(ParseJson, DropBodyAndYearlessFormat) {
  ParseJsonOptions o;
  o.keep_body = false;
  o.timestamp_field = "ts";
  o.timestamp_format = "%b %e %H:%M:%S";
  auto t = must_make(o);
  ASSERT_TRUE(t);
  LogBatch b = batch_of({R"({"ts":"Nov 21 14:30:09"})", "not json"});
  t->process(b);
  EXPECT_EQ(b.records[0].body, "");
  EXPECT_EQ(b.records[0].timestamp_ns, *parse_timestamp("2026-11-21T14:30:09Z", "rfc3339"));
  EXPECT_EQ(b.records[1].body, "not json");  // unparsed records keep their body
}

TEST(ParseJson, RejectsBadTimestampFormat) {
  ParseJsonOptions o;
  o.timestamp_format = "%Y-%K";
  auto r = make_parse_json(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("parse_json: timestamp_format: timestamp format \"%Y-%K\": unknown directive"),
            std::string::npos)
      << r.status().message();
}

TEST(ParseJson, OptionTable) {
  const auto& table = parse_json_option_table();
  ParseJsonOptions d = table.defaults();
  EXPECT_TRUE(d.keep_body);
  EXPECT_EQ(d.timestamp_format, "rfc3339");
  toml::table t{{"type", "parse_json"}, {"keep_body", false}, {"severity_field", "level"}};
  ParseJsonOptions o;
  // "type" is a component key the registry handles: it passes it as a caller key.
  ASSERT_TRUE(table.apply(t, &o, "transforms.app", "sluice.toml", {"type", "inputs"}).ok());
  EXPECT_FALSE(o.keep_body);
  EXPECT_EQ(o.severity_field, "level");
  toml::table bad{{"timestamp_fmt", "unix"}};
  EXPECT_FALSE(table.apply(bad, &o, "transforms.app", "sluice.toml").ok());
}

}  // namespace
}  // namespace sluice
