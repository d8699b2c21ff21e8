#include "pipeline/transforms/parse_syslog/syslog_message.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace sluice {
namespace {

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kObserved = 1795273200 * kS;  // 2026-11-21T15:00:00Z

std::string attr(const LogRecord& rec, std::string_view key) {
  const std::string* v = find_key_value(rec.attributes, key);
  return v ? *v : "<missing>";
}
std::string res(const LogRecord& rec, std::string_view key) {
  const std::string* v = find_key_value(rec.resource, key);
  return v ? *v : "<missing>";
}

LogRecord parse(std::string_view text, SyslogParserOptions o = {}) {
  LogRecord rec;
  rec.observed_timestamp_ns = kObserved;
  rec.body = std::string(text);
  parse_syslog_into(rec.body, o, "test: ", rec);
  return rec;
}

std::string error_of(std::string_view text, SyslogParserOptions o = {}) {
  SyslogMessage m;
  Status st = parse_syslog_message(text, o, kObserved, &m);
  return st.ok() ? "<ok>" : st.message();
}

// RFC 5424 section 6.5, example 1 (with the BOM before MSG).
TEST(SyslogRfc5424, Example1WithBom) {
  LogRecord r = parse(
      "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' failed for lonvick on "
      "/dev/pts/8");
  EXPECT_EQ(attr(r, "parse.error"), "<missing>");
  EXPECT_EQ(r.body, "'su root' failed for lonvick on /dev/pts/8");
  EXPECT_EQ(r.timestamp_ns, 1065910455 * kS + 3'000'000);
  EXPECT_EQ(r.severity_number, 18);  // crit
  EXPECT_EQ(r.severity_text, "crit");
  EXPECT_EQ(attr(r, "syslog.facility"), "4");
  EXPECT_EQ(attr(r, "syslog.severity"), "2");
  EXPECT_EQ(attr(r, "syslog.version"), "1");
  EXPECT_EQ(res(r, "host.name"), "mymachine.example.com");
  EXPECT_EQ(attr(r, "syslog.app_name"), "su");
  EXPECT_EQ(attr(r, "syslog.procid"), "<missing>");
  EXPECT_EQ(attr(r, "syslog.msgid"), "ID47");
}

// Example 2: offset timestamp with microseconds, no MSGID, no SD.
TEST(SyslogRfc5424, Example2Offset) {
  LogRecord r = parse(
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the "
      "do-nuts.");
  EXPECT_EQ(attr(r, "parse.error"), "<missing>");
  EXPECT_EQ(r.timestamp_ns, 1061727255 * kS + 3'000);
  EXPECT_EQ(r.body, "%% It's time to make the do-nuts.");
  EXPECT_EQ(r.severity_number, 10);  // notice
  EXPECT_EQ(attr(r, "syslog.facility"), "20");
  EXPECT_EQ(attr(r, "syslog.procid"), "8710");
  EXPECT_EQ(attr(r, "syslog.msgid"), "<missing>");
  EXPECT_EQ(res(r, "host.name"), "192.0.2.1");
}

// Examples 3 and 4: structured data, one and two SD-ELEMENTs.
TEST(SyslogRfc5424, Examples3And4StructuredData) {
  LogRecord r = parse(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
      "eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBF"
      "An application event log entry...");
  EXPECT_EQ(attr(r, "parse.error"), "<missing>");
  EXPECT_EQ(r.body, "An application event log entry...");
  EXPECT_EQ(attr(r, "syslog.sd.exampleSDID@32473.iut"), "3");
  EXPECT_EQ(attr(r, "syslog.sd.exampleSDID@32473.eventSource"), "Application");
  EXPECT_EQ(attr(r, "syslog.sd.exampleSDID@32473.eventID"), "1011");

  r = parse(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
      "eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]");
  EXPECT_EQ(attr(r, "parse.error"), "<missing>");
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(attr(r, "syslog.sd.examplePriority@32473.class"), "high");
  EXPECT_EQ(attr(r, "syslog.sd.exampleSDID@32473.iut"), "3");
}

TEST(SyslogRfc5424, StructuredDataEscapesRepeatsAndEmptyElements) {
  LogRecord r = parse(R"(<13>1 - - - - - [a@1 q="say \"hi\"" b="back\\slash" c="close\]" d="other\n" )"
                      R"(e="raw ] bracket" p="1" p="2"][timeQuality] msg)");
  EXPECT_EQ(attr(r, "parse.error"), "<missing>");
  EXPECT_EQ(attr(r, "syslog.sd.a@1.q"), "say \"hi\"");
  EXPECT_EQ(attr(r, "syslog.sd.a@1.b"), "back\\slash");
  EXPECT_EQ(attr(r, "syslog.sd.a@1.c"), "close]");
  EXPECT_EQ(attr(r, "syslog.sd.a@1.d"), "other\\n");  // RFC 5424 6.3.3: other escapes are kept as is
  EXPECT_EQ(attr(r, "syslog.sd.a@1.e"), "raw ] bracket");
  EXPECT_EQ(attr(r, "syslog.sd.a@1.p"), R"(["1","2"])");
  EXPECT_EQ(attr(r, "syslog.sd.timeQuality"), "");
  EXPECT_EQ(r.body, "msg");
  // NILVALUEs everywhere: no timestamp, host, app, procid, msgid.
  EXPECT_EQ(r.timestamp_ns, 0);
  EXPECT_EQ(res(r, "host.name"), "<missing>");
  EXPECT_EQ(attr(r, "syslog.app_name"), "<missing>");
}

TEST(SyslogRfc5424, NoMessageAndEmptyMessage) {
  EXPECT_EQ(parse("<13>1 - h a p m -").body, "");
  EXPECT_EQ(parse("<13>1 - h a p m - ").body, "");
  EXPECT_EQ(parse("<13>1 - h a p m -  two spaces").body, " two spaces");
}

TEST(SyslogRfc5424, KeepsExistingAttributesAndReplacesParsedOnes) {
  LogRecord rec;
  rec.observed_timestamp_ns = kObserved;
  rec.attributes = {{"keep", "me"}, {"syslog.app_name", "old"}};
  rec.body = "<14>1 - h app - - - hello";
  EXPECT_TRUE(parse_syslog_into(rec.body, {}, "", rec));
  EXPECT_EQ(attr(rec, "keep"), "me");
  EXPECT_EQ(attr(rec, "syslog.app_name"), "app");
  EXPECT_EQ(rec.attributes.size(), 5u);  // keep, app_name, facility, severity, version
}

TEST(SyslogRfc5424, MalformedNamesOffsetAndExpectation) {
  EXPECT_EQ(error_of("<34>1 2003-10-11T22:14:15.003Z host app - ID47 x"),
            "RFC 5424: expected STRUCTURED-DATA ('-' or '[') at byte 47, found 'x'");
  EXPECT_EQ(error_of("<34>1 - h a p m [id x=\"1] msg"),
            "RFC 5424: expected '\"' ending PARAM-VALUE at byte 29, found end of message");
  EXPECT_EQ(error_of("<34>1 - h a p m [id x=1]"), "RFC 5424: expected '\"' starting PARAM-VALUE at byte 22, found '1'");
  EXPECT_EQ(error_of("<34>1 - h a p m [id  x=\"1\"]"), "RFC 5424: expected PARAM-NAME at byte 20, found ' '");
  EXPECT_EQ(error_of("<34>1 - h a p m -x"),
            "RFC 5424: expected SP or end of message after STRUCTURED-DATA at byte 17, found 'x'");
  EXPECT_EQ(error_of("<34>1 - h\x01 a p m -"),
            "RFC 5424: expected PRINTUSASCII in HOSTNAME at byte 9, found byte 0x01");
  EXPECT_EQ(error_of("<34>1 2003-13-11T22:14:15Z h a p m -").substr(0, 36), "RFC 5424: TIMESTAMP at byte 6: expec");
  EXPECT_EQ(error_of("<34>1 - h " + std::string(49, 'a') + " p m -"),
            "RFC 5424: APP-NAME at byte 10: expected at most 48 bytes, found 49");
  EXPECT_EQ(error_of("<192>1 - - - - - -"), "syslog: PRIVAL at byte 1: 192 is out of range 0..191");
  EXPECT_EQ(error_of("<34"), "syslog: expected a digit or '>' ending PRI at byte 3, found end of message");
  EXPECT_EQ(error_of("<>1 - - - - - -"), "syslog: expected a PRIVAL digit at byte 1, found '>'");
  SyslogParserOptions strict;
  strict.format = SyslogFormat::kRfc5424;
  EXPECT_EQ(error_of("<34>Oct 11 22:14:15 host su: hi", strict),
            "RFC 5424: expected VERSION (a digit 1..9) at byte 4, found 'O'");
  EXPECT_EQ(error_of("<34>1x", strict), "RFC 5424: expected SP after VERSION at byte 5, found 'x'");
  EXPECT_EQ(error_of("no pri", strict), "RFC 5424: expected '<' starting PRI at byte 0, found 'n'");
}

TEST(SyslogMessage, UnparsedMessageIsKeptWithParseError) {
  LogRecord r = parse("<34>1 - h a p m [broken");
  EXPECT_EQ(r.body, "<34>1 - h a p m [broken");
  EXPECT_EQ(attr(r, "parse.error"),
            "test: RFC 5424: expected SP or ']' in SD-ELEMENT at byte 23, found end of message");
  EXPECT_EQ(r.severity_number, 0);
  EXPECT_EQ(attr(r, "syslog.facility"), "<missing>");
  // The text may come from elsewhere than the body.
  LogRecord other;
  parse_syslog_into("<1>", {}, "", other);
  EXPECT_EQ(other.body, "<1>");
  EXPECT_NE(attr(other, "parse.error"), "<missing>");
}

// RFC 3164 section 5.4 examples and the variants senders write.
TEST(SyslogRfc3164, Rfc3164Examples) {
  LogRecord r = parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");
  EXPECT_EQ(attr(r, "parse.error"), "<missing>");
  EXPECT_EQ(r.body, "'su root' failed for lonvick on /dev/pts/8");
  EXPECT_EQ(r.timestamp_ns, 1791756855 * kS);  // 2026 (the observed year)
  EXPECT_EQ(res(r, "host.name"), "mymachine");
  EXPECT_EQ(attr(r, "syslog.app_name"), "su");
  EXPECT_EQ(attr(r, "syslog.facility"), "4");
  EXPECT_EQ(r.severity_text, "crit");
  EXPECT_EQ(attr(r, "syslog.version"), "<missing>");

  r = parse("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!");
  EXPECT_EQ(res(r, "host.name"), "10.0.0.99");
  EXPECT_EQ(attr(r, "syslog.app_name"), "<missing>");
  EXPECT_EQ(r.body, "Use the BFG!");
  EXPECT_EQ(r.severity_number, 10);
}

TEST(SyslogRfc3164, PidNoPriNoHostRfc3339) {
  LogRecord r = parse("Oct 11 22:14:15 web1 sshd[4242]: Accepted publickey for root");
  EXPECT_EQ(attr(r, "parse.error"), "<missing>");
  EXPECT_EQ(attr(r, "syslog.app_name"), "sshd");
  EXPECT_EQ(attr(r, "syslog.procid"), "4242");
  EXPECT_EQ(res(r, "host.name"), "web1");
  EXPECT_EQ(r.body, "Accepted publickey for root");
  EXPECT_EQ(r.severity_number, 0);  // no PRI
  EXPECT_EQ(attr(r, "syslog.facility"), "<missing>");

  r = parse("<30>Oct 11 22:14:15 cron[12]: job done");  // no HOSTNAME
  EXPECT_EQ(res(r, "host.name"), "<missing>");
  EXPECT_EQ(attr(r, "syslog.app_name"), "cron");
  EXPECT_EQ(r.body, "job done");

  r = parse("<14>2026-10-11T22:14:15.5+02:00 host app[1]: rsyslog forward format");
  EXPECT_EQ(attr(r, "parse.error"), "<missing>");
  EXPECT_EQ(r.timestamp_ns, 1791749655 * kS + 500'000'000);
  EXPECT_EQ(r.body, "rsyslog forward format");

  r = parse("<14>Oct 11 22:14:15 host kernel: [  1.0] eth0: up");
  EXPECT_EQ(attr(r, "syslog.app_name"), "kernel");
  EXPECT_EQ(r.body, "[  1.0] eth0: up");

  r = parse("<14>Oct 11 22:14:15 host a:b not a tag");
  EXPECT_EQ(attr(r, "syslog.app_name"), "<missing>");
  EXPECT_EQ(r.body, "a:b not a tag");

  r = parse("<14>Oct 11 22:14:15");
  EXPECT_EQ(attr(r, "parse.error"), "<missing>");
  EXPECT_EQ(r.body, "");
}

TEST(SyslogRfc3164, DecemberLineReadInJanuaryIsLastYear) {
  LogRecord rec;
  rec.observed_timestamp_ns = 1767225610 * kS;  // 2026-01-01T00:00:10Z
  rec.body = "<14>Dec 31 23:59:58 host app: late";
  ASSERT_TRUE(parse_syslog_into(rec.body, {}, "", rec));
  EXPECT_EQ(rec.timestamp_ns, 1767225598 * kS);  // 2025-12-31T23:59:58Z
}

TEST(SyslogRfc3164, TimeZoneOption) {
  SyslogParserOptions o;
  o.time_zone = *syslog_time_zone_from_name("+02:00");
  EXPECT_EQ(parse("<14>Oct 11 22:14:15 host app: x", o).timestamp_ns, 1791749655 * kS);
  o.time_zone = *syslog_time_zone_from_name("-0130");
  EXPECT_EQ(parse("<14>Oct 11 22:14:15 host app: x", o).timestamp_ns, 1791756855 * kS + 5400 * kS);
  // A zone only applies to year-less timestamps; RFC 3339 carries its own.
  EXPECT_EQ(parse("<14>2026-10-11T22:14:15Z host app: x", o).timestamp_ns, 1791756855 * kS);

  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);  // Central Europe, DST until the last Sunday of October
  tzset();
  o.time_zone = *syslog_time_zone_from_name("local");
  EXPECT_EQ(parse("<14>Oct 11 22:14:15 host app: x", o).timestamp_ns, 1791749655 * kS);  // CEST, +02:00
  EXPECT_EQ(parse("<14>Nov  1 22:14:15 host app: x", o).timestamp_ns, 1793567655 * kS);  // CET, +01:00
  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(SyslogRfc3164, Malformed) {
  EXPECT_EQ(error_of("<14>hello"), "RFC 3164: expected SP after the month at byte 7, found 'l'");
  EXPECT_EQ(error_of("<14>h3"), "RFC 3164: expected a month name (\"Mmm dd hh:mm:ss\") at byte 5, found '3'");
  EXPECT_EQ(error_of("<14>Oct 11 22:14"), "RFC 3164: expected ':' in hh:mm:ss at byte 16, found end of message");
  EXPECT_EQ(error_of("<14> Oct"),
            "RFC 3164: expected TIMESTAMP (\"Mmm dd hh:mm:ss\" or RFC 3339) at byte 4, found ' '");
  EXPECT_EQ(error_of("<14>Foo 11 22:14:15 h x").substr(0, 33), "RFC 3164: TIMESTAMP at byte 4: ex");
  EXPECT_EQ(error_of("<14>Oct 11 22:14:15x"), "RFC 3164: expected SP after TIMESTAMP at byte 19, found 'x'");
}

TEST(SyslogMessage, OptionNames) {
  EXPECT_EQ(*syslog_format_from_name("rfc3164"), SyslogFormat::kRfc3164);
  EXPECT_FALSE(syslog_format_from_name("bsd").ok());
  EXPECT_EQ(syslog_time_zone_from_name("UTC")->offset_seconds, 0);
  EXPECT_EQ(syslog_time_zone_from_name("-05:00")->offset_seconds, -5 * 3600);
  EXPECT_TRUE(syslog_time_zone_from_name("local")->local);
  for (const char* bad : {"", "Europe/Berlin", "+5", "+25:00", "+01:60", "+01:0x", "01:00"}) {
    EXPECT_FALSE(syslog_time_zone_from_name(bad).ok()) << bad;
  }
}

TEST(SyslogMessage, SeverityMapping) {
  const uint8_t want[8] = {21, 19, 18, 17, 13, 10, 9, 5};
  const char* names[8] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
  for (int s = 0; s < 8; ++s) {
    EXPECT_EQ(syslog_severity_number(s), want[s]);
    EXPECT_EQ(syslog_severity_keyword(s), names[s]);
    LogRecord r = parse("<" + std::to_string(8 + s) + ">1 - - - - - - x");
    EXPECT_EQ(r.severity_number, want[s]);
    EXPECT_EQ(attr(r, "syslog.severity"), std::to_string(s));
    EXPECT_EQ(attr(r, "syslog.facility"), "1");
  }
}

}  // namespace
}  // namespace sluice
