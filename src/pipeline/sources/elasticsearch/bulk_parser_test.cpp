#include "pipeline/sources/elasticsearch/bulk_parser.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

std::vector<BulkItem> parse_ok(std::string_view body, BulkParseOptions o = {}) {
  BulkParser p;
  auto r = p.parse(body, o);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(*r) : std::vector<BulkItem>{};
}

std::string parse_error(std::string_view body) {
  BulkParser p;
  auto r = p.parse(body, {});
  EXPECT_FALSE(r.ok()) << body;
  return r.ok() ? "" : r.status().message();
}

TEST(BulkParser, IndexAndCreateWithFlattening) {
  auto items = parse_ok(
      R"({"index":{"_index":"logs","_id":"1"}})"
      "\n"
      R"({"@timestamp":"2024-05-01T10:00:00.123456789Z","message":"GET /","http":{"request":{"method":"GET"}},)"
      R"("tags":["a","b"],"n":1.50,"ok":true,"gone":null})"
      "\n"
      R"({"create":{"_index":"other","routing":"r","pipeline":"p"}})"
      "\n"
      R"({"@timestamp":1714557600123,"message":"m2"})"
      "\n");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].action, BulkAction::kIndex);
  EXPECT_EQ(items[0].line, 1u);
  EXPECT_EQ(items[0].index, "logs");
  EXPECT_EQ(items[0].id, "1");
  EXPECT_EQ(items[0].status, 0);
  EXPECT_EQ(items[0].record.body, "GET /");
  EXPECT_EQ(items[0].record.timestamp_ns, 1714557600123456789);
  EXPECT_EQ(items[0].record.attributes,
            (KeyValues{{"http.request.method", "GET"}, {"tags", R"(["a","b"])"}, {"n", "1.50"}, {"ok", "true"}}));
  EXPECT_EQ(items[1].action, BulkAction::kCreate);
  EXPECT_EQ(items[1].line, 3u);
  EXPECT_EQ(items[1].index, "other");
  EXPECT_EQ(items[1].id, "");
  EXPECT_EQ(items[1].record.body, "m2");
  EXPECT_EQ(items[1].record.timestamp_ns, 1714557600123000000);
  EXPECT_TRUE(items[1].record.attributes.empty());
}

TEST(BulkParser, PathIndexCrlfBlankLinesAndNoFinalNewline) {
  BulkParseOptions o;
  o.path_index = "from-path";
  auto items = parse_ok(
      "\n{\"index\":{}}\r\n{\"message\":\"a\",\"@timestamp\":\"1714557600123\"}\r\n\n"
      "{\"index\":{\"_index\":\"own\"}}\n{\"message\":\"b\"}",
      o);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].line, 2u);
  EXPECT_EQ(items[0].index, "from-path");
  EXPECT_EQ(items[0].record.timestamp_ns, 1714557600123000000);
  EXPECT_EQ(items[1].line, 5u);
  EXPECT_EQ(items[1].index, "own");
  EXPECT_EQ(items[1].record.body, "b");
}

TEST(BulkParser, CustomFieldsAndUnparsableTimestamp) {
  BulkParseOptions o;
  o.message_field = "log.msg";
  o.timestamp_field = "ts";
  auto items = parse_ok("{\"index\":{}}\n{\"log\":{\"msg\":\"x\"},\"ts\":\"yesterday\",\"message\":\"kept\"}\n", o);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].record.body, "x");
  EXPECT_EQ(items[0].record.timestamp_ns, 0);
  EXPECT_EQ(items[0].record.attributes, (KeyValues{{"ts", "yesterday"}, {"message", "kept"}}));
}

TEST(BulkParser, DeleteAndUpdateAreItemErrors) {
  auto items = parse_ok(
      "{\"delete\":{\"_index\":\"i\",\"_id\":\"1\"}}\n"
      "{\"update\":{\"_index\":\"i\",\"_id\":\"2\"}}\n{\"doc\":{\"a\":1}}\n"
      "{\"index\":{\"_index\":\"i\",\"_id\":3}}\n{\"message\":\"kept\"}\n");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].action, BulkAction::kDelete);
  EXPECT_EQ(items[0].status, 400);
  EXPECT_EQ(items[0].error_type, "illegal_argument_exception");
  EXPECT_EQ(items[1].action, BulkAction::kUpdate);
  EXPECT_EQ(items[1].status, 400);
  EXPECT_EQ(items[2].status, 0);
  EXPECT_EQ(items[2].id, "3");
  EXPECT_EQ(items[2].line, 4u);
}

TEST(BulkParser, BadDocumentIsAnItemError) {
  auto items = parse_ok("{\"index\":{}}\n[1,2]\n{\"index\":{}}\n{\"message\":\"ok\"}\n");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].status, 400);
  EXPECT_EQ(items[0].error_type, "document_parsing_exception");
  EXPECT_EQ(items[0].error_reason, "[2:1] failed to parse: expected a JSON object at byte 0, found '['");
  EXPECT_EQ(items[1].status, 0);
}

TEST(BulkParser, MalformedRequests) {
  EXPECT_EQ(parse_error("{\"index\":{}}\n"),
            "line 2: expected the document source after the [index] action on line 1, found the end of the body");
  EXPECT_EQ(parse_error("{\"index\":{}}\n{}\n{\"bogus\":{}}\n{}\n"),
            "Malformed action/metadata line [3]: expected field [create], [delete], [index] or [update] but found "
            "[bogus]");
  EXPECT_EQ(parse_error("[1]\n"), "Malformed action/metadata line [1]: expected a JSON object, found an array");
  EXPECT_EQ(parse_error("{\"index\":{},\"create\":{}}\n"),
            "Malformed action/metadata line [1]: expected one action per line, found a second field");
  EXPECT_EQ(parse_error("{}\n"), "Malformed action/metadata line [1]: expected an action, found an empty object");
  EXPECT_EQ(parse_error("{\"index\":1}\n{}\n"),
            "Malformed action/metadata line [1]: expected the action's metadata as an object, found a number");
  EXPECT_EQ(parse_error("{\"index\":{\"_index\":[1]}}\n{}\n"),
            "Malformed action/metadata line [1]: [_index] expected a string, found an array");
  EXPECT_EQ(parse_error("{\"index\":{}} {}\n{}\n"),
            "Malformed action/metadata line [1]: expected end of line after the action object");
  EXPECT_EQ(parse_error("{\"index\":{}\n").rfind("Malformed action/metadata line [1]: invalid JSON", 0), 0u);
}

TEST(BulkParser, MemoryIsCapped) {
  std::string body;
  for (int i = 0; i < 100; ++i) body += "{\"index\":{}}\n{\"message\":\"" + std::string(100, 'x') + "\"}\n";
  BulkParseOptions o;
  o.max_record_bytes = 10000;
  BulkParser p;
  auto r = p.parse(body, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace sluice
