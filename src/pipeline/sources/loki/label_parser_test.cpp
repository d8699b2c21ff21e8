#include "pipeline/sources/loki/label_parser.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

KeyValues parse_ok(std::string_view s) {
  auto r = parse_label_set(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().to_string();
  return r.ok() ? *r : KeyValues{};
}

std::string parse_error(std::string_view s) {
  auto r = parse_label_set(s);
  EXPECT_FALSE(r.ok()) << s;
  return r.ok() ? "" : r.status().message();
}

TEST(LabelParser, PromtailStyle) {
  EXPECT_EQ(parse_ok(R"({filename="/var/log/syslog", job="varlogs"})"),
            (KeyValues{{"filename", "/var/log/syslog"}, {"job", "varlogs"}}));
}

TEST(LabelParser, EmptySetAndWhitespace) {
  EXPECT_TRUE(parse_ok("{}").empty());
  EXPECT_TRUE(parse_ok("  { }\n").empty());
  EXPECT_EQ(parse_ok("{ a = \"1\" ,\tb=\"2\" , }"), (KeyValues{{"a", "1"}, {"b", "2"}}));
}

TEST(LabelParser, Escapes) {
  EXPECT_EQ(parse_ok(R"({foo="b\"ar", p="C:\\dir", nl="a\nb"})"),
            (KeyValues{{"foo", "b\"ar"}, {"p", "C:\\dir"}, {"nl", "a\nb"}}));
  EXPECT_EQ(parse_ok(R"({t="\t\r\a\b\f\v\'"})"), (KeyValues{{"t", "\t\r\a\b\f\v'"}}));
  // Go's strconv.Quote escapes for bytes and code points.
  EXPECT_EQ(parse_ok(R"({x="\xff\x00", u="\u00e9\U0001F600"})"),
            (KeyValues{{"x", std::string("\xff\0", 2)}, {"u", "\xc3\xa9\xf0\x9f\x98\x80"}}));
  // Raw UTF-8 is kept as is.
  EXPECT_EQ(parse_ok("{city=\"Z\xc3\xbcrich\"}"), (KeyValues{{"city", "Z\xc3\xbcrich"}}));
}

TEST(LabelParser, QuotedNames) {
  EXPECT_EQ(parse_ok(R"({"service.name"="api", job="x"})"), (KeyValues{{"service.name", "api"}, {"job", "x"}}));
}

TEST(LabelParser, EmptyValuesAreDropped) { EXPECT_EQ(parse_ok(R"({a="", b="1"})"), (KeyValues{{"b", "1"}})); }

TEST(LabelParser, ErrorsNameTheByteOffset) {
  EXPECT_EQ(parse_error(""), "expected '{' at byte 0, found end of text");
  EXPECT_EQ(parse_error("job=\"x\""), "expected '{' at byte 0, found 'j'");
  EXPECT_EQ(parse_error("{job:\"x\"}"), "expected '=' after label name \"job\" at byte 4, found ':'");
  EXPECT_EQ(parse_error("{job=x}"), "expected '\"' starting the value of label \"job\" at byte 5, found 'x'");
  EXPECT_EQ(parse_error("{job=\"x}"), "expected '\"' closing the string at byte 8, found end of text");
  EXPECT_EQ(parse_error("{job=\"x\" a=\"b\"}"), "expected ',' or '}' at byte 9, found 'a'");
  EXPECT_EQ(parse_error("{1a=\"b\"}"), "expected a label name ([a-zA-Z_][a-zA-Z0-9_]*) at byte 1, found '1'");
  EXPECT_EQ(parse_error("{a=\"b\"} x"), "expected end of text after '}' at byte 8, found 'x'");
  EXPECT_EQ(parse_error("{a=\"\\q\"}"),
            "expected one of \\\\ \\\" \\' \\n \\t \\r \\a \\b \\f \\v \\x \\u \\U after '\\' at byte 5, found 'q'");
  EXPECT_EQ(parse_error("{a=\"\\x4\"}"), "expected a hex digit at byte 7, found '\"'");
  EXPECT_EQ(parse_error("{a=\"\\ud800\"}"), "escape at byte 4 is not a Unicode scalar value");
  EXPECT_EQ(parse_error("{a=\"x\ny\"}"),
            "expected '\"' closing the string (a line feed must be written \\n) at byte 5, found '\\x0a'");
  EXPECT_EQ(parse_error("{a=\"1\", b=\"2\", a=\"3\"}"), "duplicate label name \"a\" at byte 15");
  EXPECT_EQ(parse_error("{a=\"\", a=\"3\"}"), "duplicate label name \"a\" at byte 7");
  EXPECT_EQ(parse_error("{\"\"=\"3\"}"), "empty label name ending at byte 3");
}

}  // namespace
}  // namespace sluice
