#include "pipeline/sources/otlp/otlp_json_ids.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(OtlpJsonIds, RewritesIdValuesToBase64OfTheirText) {
  // base64("abcd") = "YWJjZA==", base64("0f") = "MGY=", base64("") = "".
  EXPECT_EQ(rewrite_otlp_json_ids(R"({"traceId":"abcd","spanId" : "0f","x":1})"),
            R"({"traceId":"YWJjZA==","spanId" : "MGY=","x":1})");
  EXPECT_EQ(rewrite_otlp_json_ids(R"({"trace_id": "", "span_id":"0f"})"), R"({"trace_id": "", "span_id":"MGY="})");
}

TEST(OtlpJsonIds, LeavesEverythingElseAlone) {
  for (const char* s : {
           R"({"key":"traceId","value":{"stringValue":"traceId"}})",  // a value, not a key
           R"(["traceId", "spanId"])",
           R"({"traceId":null,"spanId":12})",                    // the parser judges these
           R"({"body":{"stringValue":"a \"traceId\":\"x\""}})",  // inside a string
           R"({"trace\u0049d":"abcd"})",                         // escaped key
           R"({"traceId":"unterminated)",
           R"({"traceId")",
           "",
       }) {
    EXPECT_EQ(rewrite_otlp_json_ids(s), s) << s;
  }
}

TEST(OtlpJsonIds, EscapesInValuesAreKeptRaw) {
  // base64("a\\\"b") = base64 of the 4 raw characters a \ " b.
  EXPECT_EQ(rewrite_otlp_json_ids(R"({"spanId":"a\"b"})"), R"({"spanId":"YVwiYg=="})");
}

}  // namespace
}  // namespace sluice
