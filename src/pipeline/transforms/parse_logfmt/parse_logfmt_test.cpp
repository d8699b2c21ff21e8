#include "pipeline/transforms/parse_logfmt/parse_logfmt.hpp"

#include <gtest/gtest.h>

#include "pipeline/transforms/parse_logfmt/logfmt.hpp"

namespace sluice {
namespace {

constexpr int64_t kS = 1'000'000'000;

KeyValues decode(std::string_view line) {
  KeyValues out;
  Status st = decode_logfmt(line, out);
  EXPECT_TRUE(st.ok()) << st.to_string() << " for " << line;
  return out;
}

std::string decode_error(std::string_view line) {
  KeyValues out;
  Status st = decode_logfmt(line, out);
  EXPECT_FALSE(st.ok()) << line;
  return st.message();
}

std::string attr(const LogRecord& rec, std::string_view key) {
  const std::string* v = find_key_value(rec.attributes, key);
  return v ? *v : "<missing>";
}

LogRecord run(std::string_view body, ParseLogfmtOptions o = {}) {
  auto t = make_parse_logfmt(o);
  EXPECT_TRUE(t.ok());
  LogBatch b;
  b.records.resize(1);
  b.records[0].body = std::string(body);
  b.positions.push_back(SourcePosition{"app", "k", 42, "/var/log/app.log"});
  (*t)->process(b);
  EXPECT_EQ(b.records.size(), 1u);
  EXPECT_EQ(b.positions.size(), 1u);
  return b.records[0];
}

TEST(Logfmt, GoLogfmtGrammar) {
  EXPECT_EQ(decode(R"(key=value key2="quoted \" value" flag)"),
            (KeyValues{{"key", "value"}, {"key2", "quoted \" value"}, {"flag", "true"}}));
  EXPECT_EQ(decode("a= b=\"\" c"), (KeyValues{{"a", ""}, {"b", ""}, {"c", "true"}}));
  // Garbage between pairs: any bytes <= ' '.
  EXPECT_EQ(decode("\t a=1 \x01\x02 b=2\r\n"), (KeyValues{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(decode(""), KeyValues{});
  EXPECT_EQ(decode("   "), KeyValues{});
  // Unquoted values take any byte > ' ' but '=' and '"', including UTF-8.
  EXPECT_EQ(decode("path=/var/log?x&y user=jos\xC3\xA9"),
            (KeyValues{{"path", "/var/log?x&y"}, {"user", "jos\xC3\xA9"}}));
  // A quoted value needs no separator after it (go-logfmt).
  EXPECT_EQ(decode(R"(a="x"b=1)"), (KeyValues{{"a", "x"}, {"b", "1"}}));
  // Duplicates are kept by the decoder.
  EXPECT_EQ(decode("a=1 a=2"), (KeyValues{{"a", "1"}, {"a", "2"}}));
}

TEST(Logfmt, QuotedValuesAreJsonStrings) {
  EXPECT_EQ(decode(R"(m="a\\b\/c\td\ne\u00e9\ud83d\ude00")"),
            (KeyValues{{"m", "a\\b/c\td\ne\xC3\xA9\xF0\x9F\x98\x80"}}));
  EXPECT_EQ(decode(R"(m="lone \ud83d here")"), (KeyValues{{"m", "lone \xEF\xBF\xBD here"}}));
  EXPECT_EQ(decode(R"(m="it\'s")"), (KeyValues{{"m", "it's"}}));
  // With an escape, bytes that are not UTF-8 become U+FFFD; without, they are kept.
  EXPECT_EQ(decode("m=\"\\n\xFF\""), (KeyValues{{"m", "\n\xEF\xBF\xBD"}}));
  EXPECT_EQ(decode("m=\"\xFF\""), (KeyValues{{"m", "\xFF"}}));
  // Spaces, '=' and quotes are fine inside quotes.
  EXPECT_EQ(decode(R"(q="a=b c" r=1)"), (KeyValues{{"q", "a=b c"}, {"r", "1"}}));
}

TEST(Logfmt, ErrorsNameWhatAndWhere) {
  EXPECT_EQ(decode_error(R"(a="unterminated)"), "unterminated quoted value starting at byte 2");
  EXPECT_EQ(decode_error(R"(a="x\")"), "unterminated quoted value starting at byte 2");
  EXPECT_EQ(decode_error("=1"), "unexpected '=' at byte 0");
  EXPECT_EQ(decode_error("a==1"), "unexpected '=' at byte 2");
  EXPECT_EQ(decode_error("a=b=c"), "unexpected '=' at byte 3");
  EXPECT_EQ(decode_error(R"(a"b=1)"), "unexpected '\"' at byte 1");
  EXPECT_EQ(decode_error(R"(a=b"c)"), "unexpected '\"' at byte 3");
  EXPECT_EQ(decode_error("k\xFF=1"), "key at byte 0 is not valid UTF-8");
  EXPECT_EQ(decode_error(R"(a="\x")"), "invalid quoted value starting at byte 2: unknown escape \\x at byte 3");
  EXPECT_EQ(decode_error(R"(a="\u12")"),
            "invalid quoted value starting at byte 2: expected 4 hex digits after \\u at byte 3");
  EXPECT_EQ(decode_error("a=\"\\n\x01\""),
            "invalid quoted value starting at byte 2: unescaped control character 1 at byte 5");
}

TEST(ParseLogfmt, FieldsToAttributesWithWellKnownKeys) {
  LogRecord r = run(R"(ts=2026-11-21T14:30:09.5Z level=warn msg="disk almost full" path=/var retry)");
  EXPECT_EQ(r.body, "disk almost full");
  EXPECT_EQ(r.severity_text, "warn");
  EXPECT_EQ(r.severity_number, 13);
  EXPECT_EQ(r.timestamp_ns, 1795271409 * kS + 500'000'000);
  EXPECT_EQ(r.attributes, (KeyValues{{"path", "/var"}, {"retry", "true"}}));
}

TEST(ParseLogfmt, AliasesEpochTimestampsAndFirstWins) {
  LogRecord r = run("time=1795271409 lvl=ERROR message=boom severity=info msg=second");
  EXPECT_EQ(r.timestamp_ns, 1795271409 * kS);
  EXPECT_EQ(r.severity_text, "ERROR");
  EXPECT_EQ(r.severity_number, 17);
  EXPECT_EQ(r.body, "boom");
  EXPECT_EQ(r.attributes, (KeyValues{{"severity", "info"}, {"msg", "second"}}));
  EXPECT_EQ(run("timestamp=1795271409123").timestamp_ns, 1795271409123 * 1'000'000);
}

TEST(ParseLogfmt, LineWithoutMessageKeepsItsBody) {
  LogRecord r = run("user=bob action=login");
  EXPECT_EQ(r.body, "user=bob action=login");
  EXPECT_EQ(r.attributes, (KeyValues{{"user", "bob"}, {"action", "login"}}));
}

TEST(ParseLogfmt, KeepBody) {
  ParseLogfmtOptions o;
  o.keep_body = true;
  LogRecord r = run("level=info msg=hi", o);
  EXPECT_EQ(r.body, "level=info msg=hi");
  EXPECT_EQ(r.severity_number, 9);
  EXPECT_EQ(r.attributes, (KeyValues{{"msg", "hi"}}));
}

TEST(ParseLogfmt, BadTimestampStaysAnAttribute) {
  LogRecord r = run("ts=yesterday msg=x");
  EXPECT_EQ(r.timestamp_ns, 0);
  EXPECT_EQ(r.body, "x");
  EXPECT_EQ(attr(r, "ts"), "yesterday");
  EXPECT_NE(attr(r, "parse.error").find("parse_logfmt: field \"ts\": "), std::string::npos) << attr(r, "parse.error");
}

TEST(ParseLogfmt, ErrorKeepsTheRecord) {
  LogRecord r = run(R"(a=1 msg="open)");
  EXPECT_EQ(r.body, R"(a=1 msg="open)");
  EXPECT_EQ(r.attributes, (KeyValues{{"parse.error", "parse_logfmt: unterminated quoted value starting at byte 8"}}));
}

TEST(ParseLogfmt, AttributeFieldDuplicatesAndExistingAttributes) {
  auto t = make_parse_logfmt(ParseLogfmtOptions{"syslog.msg", false});
  ASSERT_TRUE(t.ok());
  LogBatch b;
  b.records.resize(2);
  b.records[0].body = "raw line";
  b.records[0].attributes = {{"syslog.msg", "a=1 a=2 b=x"}, {"b", "old"}};
  b.records[1].body = "no field";
  (*t)->process(b);
  EXPECT_EQ(b.records[0].body, "raw line");
  EXPECT_EQ(b.records[0].attributes, (KeyValues{{"syslog.msg", "a=1 a=2 b=x"}, {"b", "x"}, {"a", "2"}}));
  EXPECT_EQ(attr(b.records[1], "parse.error"), "parse_logfmt: field \"syslog.msg\" is missing");
  EXPECT_FALSE(make_parse_logfmt(ParseLogfmtOptions{"", false}).ok());
}

TEST(ParseLogfmt, ManyPairsStayLinear) {
  std::string line;
  for (int i = 0; i < 200'000; ++i) line += "k" + std::to_string(i % 100'000) + "=" + std::to_string(i) + " ";
  LogRecord r = run(line);
  ASSERT_EQ(r.attributes.size(), 100'000u);
  EXPECT_EQ(attr(r, "k0"), "100000");
  EXPECT_EQ(attr(r, "k99999"), "199999");
}

}  // namespace
}  // namespace sluice
