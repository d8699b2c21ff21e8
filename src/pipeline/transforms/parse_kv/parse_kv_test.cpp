#include "pipeline/transforms/parse_kv/parse_kv.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

constexpr int64_t kS = 1'000'000'000;

KeyValues scan(std::string_view text, std::string fd = " ", std::string kd = "=", bool standalone = true) {
  KvScanner s(std::move(fd), std::move(kd), standalone);
  KeyValues out;
  Status st = s.scan(text, out);
  EXPECT_TRUE(st.ok()) << st.to_string() << " for " << text;
  return out;
}

std::string scan_error(std::string_view text, std::string fd = " ", std::string kd = "=") {
  KvScanner s(std::move(fd), std::move(kd), true);
  KeyValues out;
  Status st = s.scan(text, out);
  EXPECT_FALSE(st.ok()) << text;
  return st.message();
}

std::string attr(const LogRecord& rec, std::string_view key) {
  const std::string* v = find_key_value(rec.attributes, key);
  return v ? *v : "<missing>";
}

LogRecord run(std::string_view body, const ParseKvOptions& o) {
  auto t = make_parse_kv(o);
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  LogBatch b;
  b.records.resize(1);
  b.records[0].body = std::string(body);
  b.positions.push_back(SourcePosition{"app", "k", 7, "/x"});
  (*t)->process(b);
  EXPECT_EQ(b.positions.size(), 1u);
  return b.records[0];
}

TEST(KvScanner, SpaceDelimitedWithQuotes) {
  EXPECT_EQ(scan(R"(user=bob action="log in" note='it\'s' ok)"),
            (KeyValues{{"user", "bob"}, {"action", "log in"}, {"note", "it's"}, {"ok", "true"}}));
  EXPECT_EQ(scan("a=1  \t b=2 "), (KeyValues{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(scan("url=/a?b=c"), (KeyValues{{"url", "/a?b=c"}}));
  EXPECT_EQ(scan(R"("my key"=v "a\"b"=c)"), (KeyValues{{"my key", "v"}, {"a\"b", "c"}}));
  EXPECT_EQ(scan(R"(p="C:\\dir\n")"), (KeyValues{{"p", "C:\\dir\\n"}}));        // only \" \\ unescape
  EXPECT_EQ(scan(R"(v="x"y z)"), (KeyValues{{"v", "xy"}, {"z", "true"}}));      // text after the quote appended
  EXPECT_EQ(scan(R"(v=a"b c")"), (KeyValues{{"v", "a\"b"}, {"c\"", "true"}}));  // a quote inside is literal
  EXPECT_EQ(scan("flag a=1", " ", "=", false), (KeyValues{{"a", "1"}}));
}

TEST(KvScanner, IptablesLineKeepsEmptyValues) {
  EXPECT_EQ(
      scan("IN=eth0 OUT= MAC=52:54:00 SRC=203.0.113.9 DF PROTO=TCP"),
      (KeyValues{
          {"IN", "eth0"}, {"OUT", ""}, {"MAC", "52:54:00"}, {"SRC", "203.0.113.9"}, {"DF", "true"}, {"PROTO", "TCP"}}));
}

TEST(KvScanner, OtherDelimitersTrimBlanks) {
  EXPECT_EQ(scan("a = 1, b=2 ,, c = \"x, y\" ,d", ",", "="),
            (KeyValues{{"a", "1"}, {"b", "2"}, {"c", "x, y"}, {"d", "true"}}));
  EXPECT_EQ(scan("user: bob; role: admin;", ";", ":"), (KeyValues{{"user", "bob"}, {"role", "admin"}}));
  EXPECT_EQ(scan("a=1&b=&c=x=y", "&", "="), (KeyValues{{"a", "1"}, {"b", ""}, {"c", "x=y"}}));
  EXPECT_EQ(scan("k1 => v1 || k2 => v2", "||", "=>"), (KeyValues{{"k1", "v1"}, {"k2", "v2"}}));
}

TEST(KvScanner, Errors) {
  EXPECT_EQ(scan_error(R"(a=1 b="open)"), "unterminated quote starting at byte 6");
  EXPECT_EQ(scan_error(R"('x)"), "unterminated quote starting at byte 0");
  EXPECT_EQ(scan_error("a=1 =2"), "empty key at byte 4");
  EXPECT_EQ(scan_error(R"(""=2)"), "empty key at byte 0");
}

TEST(ParseKv, PrefixAndDuplicates) {
  ParseKvOptions o;
  o.prefix = "kv.";
  LogRecord r = run("user=bob user=alice level=warn", o);
  EXPECT_EQ(r.attributes, (KeyValues{{"kv.user", "alice"}, {"kv.level", "warn"}}));
  EXPECT_EQ(r.severity_number, 0);  // well_known_keys is off by default
  EXPECT_EQ(r.body, "user=bob user=alice level=warn");
}

TEST(ParseKv, WellKnownKeysMatchBeforeThePrefix) {
  ParseKvOptions o;
  o.prefix = "app.";
  o.well_known_keys = true;
  o.field_delimiter = ",";
  LogRecord r = run("time=2026-11-21T14:30:09Z, severity=error, msg=disk full, dev=sda", o);
  EXPECT_EQ(r.timestamp_ns, 1795271409 * kS);
  EXPECT_EQ(r.severity_text, "error");
  EXPECT_EQ(r.severity_number, 17);
  EXPECT_EQ(r.body, "disk full");
  EXPECT_EQ(r.attributes, (KeyValues{{"app.dev", "sda"}}));
  o.keep_body = true;
  r = run("msg=x lvl=debug", ParseKvOptions{"body", " ", "=", "", true, true, true});
  EXPECT_EQ(r.body, "msg=x lvl=debug");
  EXPECT_EQ(r.severity_number, 5);
  EXPECT_EQ(r.attributes, (KeyValues{{"msg", "x"}}));
}

TEST(ParseKv, ErrorsAndMissingField) {
  LogRecord r = run(R"(a="x)", ParseKvOptions{});
  EXPECT_EQ(r.attributes, (KeyValues{{"parse.error", "parse_kv: unterminated quote starting at byte 2"}}));
  ParseKvOptions o;
  o.field = "syslog.msg";
  r = run("a=1", o);
  EXPECT_EQ(attr(r, "parse.error"), "parse_kv: field \"syslog.msg\" is missing");
}

TEST(ParseKv, OptionValidation) {
  ParseKvOptions o;
  o.field_delimiter = "";
  EXPECT_EQ(make_parse_kv(o).status().message(), "parse_kv: field_delimiter must not be empty");
  o = {};
  o.kv_delimiter = " ";
  EXPECT_EQ(make_parse_kv(o).status().message(),
            "parse_kv: field_delimiter and kv_delimiter are both \" \"; they must differ");
  o = {};
  o.field = "";
  EXPECT_FALSE(make_parse_kv(o).ok());
}

}  // namespace
}  // namespace sluice
