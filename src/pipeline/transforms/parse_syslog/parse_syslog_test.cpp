#include "pipeline/transforms/parse_syslog/parse_syslog.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

std::string attr(const LogRecord& rec, std::string_view key) {
  const std::string* v = find_key_value(rec.attributes, key);
  return v ? *v : "<missing>";
}

std::unique_ptr<Transform> must_make(ParseSyslogOptions o) {
  auto t = make_parse_syslog(o);
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  return t.ok() ? std::move(t).value() : nullptr;
}

TEST(ParseSyslog, ParsesEachBodyInPlaceKeepingPositionsAndAttributes) {
  auto t = must_make({});
  LogBatch b;
  b.positions.push_back({"src", "k", 42, "/var/log/x"});
  LogRecord a;
  a.body = "<165>1 2003-10-11T22:14:15.003Z host evntslog - ID47 [exampleSDID@32473 iut=\"3\"] entry";
  a.attributes = {{"log.file.path", "/var/log/x"}};
  LogRecord c;
  c.body = "<13>Oct 11 22:14:15 host app[7]: bsd line";
  LogRecord bad;
  bad.body = "not syslog";
  b.records = {a, c, bad};
  t->process(b);
  ASSERT_EQ(b.records.size(), 3u);
  EXPECT_EQ(b.positions.size(), 1u);
  EXPECT_EQ(b.records[0].body, "entry");
  EXPECT_EQ(attr(b.records[0], "log.file.path"), "/var/log/x");
  EXPECT_EQ(attr(b.records[0], "syslog.sd.exampleSDID@32473.iut"), "3");
  EXPECT_EQ(b.records[1].body, "bsd line");
  EXPECT_EQ(attr(b.records[1], "syslog.procid"), "7");
  EXPECT_EQ(b.records[2].body, "not syslog");
  EXPECT_EQ(attr(b.records[2], "parse.error"),
            "parse_syslog: RFC 3164: expected the day of the month at byte 4, found 's'");
}

TEST(ParseSyslog, ForcedFormat) {
  ParseSyslogOptions o;
  o.format = "rfc3164";
  auto t = must_make(o);
  LogBatch b;
  b.records.resize(1);
  b.records[0].body = "<13>1 2003-10-11T22:14:15.003Z host app - - - hi";
  t->process(b);
  EXPECT_EQ(attr(b.records[0], "parse.error").substr(0, 39), "parse_syslog: RFC 3164: TIMESTAMP at by");
  EXPECT_EQ(b.records[0].body, "<13>1 2003-10-11T22:14:15.003Z host app - - - hi");
}

TEST(ParseSyslog, TimeZone) {
  ParseSyslogOptions o;
  o.timezone = "+01:00";
  auto t = must_make(o);
  LogBatch b;
  b.records.resize(1);
  b.records[0].observed_timestamp_ns = 1795273200LL * 1'000'000'000;
  b.records[0].body = "<13>Oct 11 22:14:15 host app: x";
  t->process(b);
  EXPECT_EQ(b.records[0].timestamp_ns, (1791756855LL - 3600) * 1'000'000'000);
}

TEST(ParseSyslog, RejectsBadOptions) {
  ParseSyslogOptions o;
  o.format = "bsd";
  EXPECT_FALSE(make_parse_syslog(o).ok());
  o = {};
  o.timezone = "Mars/Olympus";
  auto r = make_parse_syslog(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("timezone"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace sluice
