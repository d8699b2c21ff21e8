#include "pipeline/transforms/parse_cri/parse_cri.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace sluice {
namespace {

constexpr int64_t kMs = 1'000'000;

std::string attr(const LogRecord& rec, std::string_view key) {
  const std::string* v = find_key_value(rec.attributes, key);
  return v ? *v : "<missing>";
}

LogRecord line(std::string body, std::string path = "/var/log/pods/a/c/0.log") {
  LogRecord r;
  r.body = std::move(body);
  r.attributes = {{"log.file.path", path}, {"log.file.name", "0.log"}};
  return r;
}

std::vector<std::string> bodies(const LogBatch& b) {
  std::vector<std::string> out;
  for (const auto& r : b.records) out.push_back(r.body);
  return out;
}

/// A transform with a manual clock (ms).
struct Fixture {
  int64_t now_ms = 0;
  ParseCri t;
  explicit Fixture(ParseCriOptions o = {}) : t(o, [this] { return now_ms * kMs; }) {}
};

/// An acknowledgement that counts completions and remembers the status.
struct AckProbe {
  std::atomic<int> done{0};
  DeliveryStatus status = DeliveryStatus::kDelivered;
  std::shared_ptr<Acknowledgement> make() {
    return std::make_shared<Acknowledgement>([this](DeliveryStatus s, const std::string&) {
      status = s;
      ++done;
    });
  }
};

TEST(ParseCri, ParsesAFullLine) {
  LogRecord r = line("2016-10-06T00:17:09.669794202Z stdout F hello world ");
  LinePiece p = ParseCri::parse_record(r);
  EXPECT_EQ(p.kind, LinePiece::Kind::kFinal);
  EXPECT_EQ(r.body, "hello world ");
  EXPECT_EQ(r.timestamp_ns, 1475713029'669794202);
  EXPECT_EQ(attr(r, "log.iostream"), "stdout");
  EXPECT_EQ(attr(r, "log.file.path"), "/var/log/pods/a/c/0.log");
  EXPECT_EQ(p.path, "/var/log/pods/a/c/0.log");

  r = line("2016-10-06T00:17:09.5+02:00 stderr P:x partial");
  p = ParseCri::parse_record(r);
  EXPECT_EQ(p.kind, LinePiece::Kind::kPartial);
  EXPECT_EQ(r.body, "partial");
  EXPECT_EQ(r.timestamp_ns, 1475705829'500000000);
  EXPECT_EQ(attr(r, "log.iostream"), "stderr");
  EXPECT_NE(p.key, LinePiece{}.key);

  for (std::string empty : {"2016-10-06T00:17:09Z stdout F", "2016-10-06T00:17:09Z stdout F "}) {
    r = line(empty);
    EXPECT_EQ(ParseCri::parse_record(r).kind, LinePiece::Kind::kFinal);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(attr(r, "parse.error"), "<missing>");
  }
}

TEST(ParseCri, RejectsOtherLinesKeepingThem) {
  struct Case {
    std::string text, error;
  };
  for (const Case& c : std::vector<Case>{
           {"hello", "parse_cri: expected \"<RFC 3339 time> <stdout|stderr> <P|F> <message>\", found \"hello\""},
           {"2016-10-06 stdout F x", "parse_cri: time at byte 0: "},
           {"2016-10-06T00:17:09Z stdin F x",
            "parse_cri: expected stream stdout or stderr at byte 21, found \"stdin\""},
           {"2016-10-06T00:17:09Z stdout", "parse_cri: expected a log tag (P or F) at byte 27, found the end"},
           {"2016-10-06T00:17:09Z stdout X x", "parse_cri: expected log tag P or F at byte 28, found \"X\""},
           {"2016-10-06T00:17:09Z stdout  x", "parse_cri: expected log tag P or F at byte 28, found \"\""},
       }) {
    LogRecord r = line(c.text);
    EXPECT_EQ(ParseCri::parse_record(r).kind, LinePiece::Kind::kOther) << c.text;
    EXPECT_EQ(r.body, c.text);
    EXPECT_EQ(attr(r, "parse.error").substr(0, c.error.size()), c.error) << attr(r, "parse.error");
    EXPECT_EQ(r.timestamp_ns, 0);
  }
}

TEST(ParseCri, JoinsPartialsInOneBatchInPlaceOfTheFinalPiece) {
  Fixture f;
  LogBatch b;
  b.records.push_back(line("2024-01-01T00:00:00Z stdout P first "));
  b.records.push_back(line("2024-01-01T00:00:01Z stderr F err line"));
  b.records.push_back(line("2024-01-01T00:00:02Z stdout P second "));
  b.records.push_back(line("not cri"));
  b.records.push_back(line("2024-01-01T00:00:03Z stdout F third"));
  b.positions.push_back(SourcePosition{"pods", "1:2:x", 500, "/var/log/pods/a/c/0.log"});
  f.t.process(b);
  EXPECT_EQ(bodies(b), (std::vector<std::string>{"err line", "not cri", "first second third"}));
  EXPECT_EQ(b.records[2].timestamp_ns, 1704067200'000000000);  // the first piece's
  EXPECT_EQ(attr(b.records[2], "log.split"), "<missing>");
  EXPECT_EQ(attr(b.records[2], "log.iostream"), "stdout");
  ASSERT_EQ(b.positions.size(), 1u);
  EXPECT_EQ(b.positions[0].offset, 500u);
  EXPECT_EQ(f.t.joiner().held_lines(), 0u);
}

TEST(ParseCri, HoldsAcrossBatchesWithPositionsAndAcks) {
  Fixture f;
  AckProbe ack1, ack2;
  const std::string a = "/pods/a.log", other = "/pods/b.log";
  {
    LogBatch b1;
    b1.records.push_back(line("2024-01-01T00:00:00Z stdout F whole", a));
    b1.records.push_back(line("2024-01-01T00:00:01Z stdout P part1-", a));
    b1.records.push_back(line("2024-01-01T00:00:01Z stdout F other file", other));
    b1.positions = {{"pods", "ka", 100, a}, {"pods", "kb", 50, other}};
    b1.acks.push_back(ack1.make());
    f.t.process(b1);
    EXPECT_EQ(bodies(b1), (std::vector<std::string>{"whole", "other file"}));
    ASSERT_EQ(b1.positions.size(), 1u);  // a's position waits for the held piece
    EXPECT_EQ(b1.positions[0].key, "kb");
    EXPECT_EQ(f.t.joiner().withheld_positions(), 1u);
    EXPECT_EQ(f.t.joiner().held_lines(), 1u);
  }                         // b1 released by the "sinks"
  EXPECT_EQ(ack1.done, 0);  // the held piece still references it
  {
    LogBatch b2;
    b2.records.push_back(line("2024-01-01T00:00:02Z stdout P part2-", a));
    b2.positions = {{"pods", "ka", 200, a}};
    f.now_ms = 3000;
    f.t.process(b2);
    EXPECT_TRUE(b2.records.empty());
    EXPECT_TRUE(b2.positions.empty());
  }
  LogBatch b3;
  b3.records.push_back(line("2024-01-01T00:00:03Z stdout F end", a));
  b3.positions = {{"pods", "ka", 300, a}};
  b3.acks.push_back(ack2.make());
  f.t.process(b3);
  EXPECT_EQ(bodies(b3), (std::vector<std::string>{"part1-part2-end"}));
  EXPECT_EQ(b3.records[0].timestamp_ns, 1704067201'000000000);
  ASSERT_EQ(b3.positions.size(), 1u);
  EXPECT_EQ(b3.positions[0].offset, 300u);  // the latest position of a
  EXPECT_EQ(b3.acks.size(), 2u);            // b1's ack travels with the joined line
  EXPECT_EQ(f.t.joiner().withheld_positions(), 0u);
  b3 = LogBatch{};
  EXPECT_EQ(ack1.done, 1);
  EXPECT_EQ(ack2.done, 1);
}

TEST(ParseCri, TimeoutEmitsTheHeldPartAndMarksTheRestLast) {
  ParseCriOptions o;
  o.partial_timeout = std::chrono::seconds(5);
  Fixture f(o);
  EXPECT_EQ(f.t.flush_interval(), std::chrono::seconds(1));
  AckProbe ack;
  {
    LogBatch b;
    b.records.push_back(line("2024-01-01T00:00:00Z stdout P waiting "));
    b.positions = {{"pods", "k", 10, "/var/log/pods/a/c/0.log"}};
    b.acks.push_back(ack.make());
    f.t.process(b);
    EXPECT_TRUE(b.records.empty());
  }
  LogBatch out;
  f.now_ms = 4999;
  f.t.flush(out, false);
  EXPECT_TRUE(out.empty());
  f.now_ms = 5000;
  f.t.flush(out, false);
  EXPECT_EQ(bodies(out), (std::vector<std::string>{"waiting "}));
  EXPECT_EQ(attr(out.records[0], "log.split"), "first");
  ASSERT_EQ(out.positions.size(), 1u);
  EXPECT_EQ(out.positions[0].offset, 10u);
  EXPECT_EQ(out.acks.size(), 1u);
  out = LogBatch{};
  EXPECT_EQ(ack.done, 1);

  LogBatch late;
  late.records.push_back(line("2024-01-01T00:00:09Z stdout F done"));
  f.t.process(late);
  EXPECT_EQ(bodies(late), (std::vector<std::string>{"done"}));
  EXPECT_EQ(attr(late.records[0], "log.split"), "last");
  // The continuation is forgotten once the line ended.
  LogBatch next;
  next.records.push_back(line("2024-01-01T00:00:10Z stdout F next"));
  f.t.process(next);
  EXPECT_EQ(attr(next.records[0], "log.split"), "<missing>");
}

TEST(ParseCri, MaxBytesSplitsLongLines) {
  ParseCriOptions o;
  o.max_bytes = 10;
  Fixture f(o);
  LogBatch b;
  for (std::string piece : {"aaaa", "bbbb", "cccc", "dddddddddddd", "ee"}) {
    b.records.push_back(line("2024-01-01T00:00:00Z stdout P " + piece));
  }
  b.records.push_back(line("2024-01-01T00:00:00Z stdout F f"));
  f.t.process(b);
  EXPECT_EQ(bodies(b), (std::vector<std::string>{"aaaabbbb", "cccc", "dddddddddddd", "eef"}));
  std::vector<std::string> parts;
  for (const auto& r : b.records) parts.push_back(attr(r, "log.split"));
  EXPECT_EQ(parts, (std::vector<std::string>{"first", "middle", "middle", "last"}));
  EXPECT_EQ(f.t.joiner().held_lines(), 0u);
}

TEST(ParseCri, StreamsAndFilesAreJoinedSeparately) {
  Fixture f;
  LogBatch b;
  b.records.push_back(line("2024-01-01T00:00:00Z stdout P out-", "/a"));
  b.records.push_back(line("2024-01-01T00:00:00Z stderr P err-", "/a"));
  b.records.push_back(line("2024-01-01T00:00:00Z stdout P other-", "/b"));
  b.records.push_back(line("2024-01-01T00:00:00Z stderr F 1", "/a"));
  b.records.push_back(line("2024-01-01T00:00:00Z stdout F 2", "/b"));
  b.records.push_back(line("2024-01-01T00:00:00Z stdout F 3", "/a"));
  f.t.process(b);
  EXPECT_EQ(bodies(b), (std::vector<std::string>{"err-1", "other-2", "out-3"}));
}

TEST(ParseCri, FinalFlushEmitsEverythingAndReleasesPositions) {
  Fixture f;
  LogBatch b;
  b.records.push_back(line("2024-01-01T00:00:00Z stdout P a", "/a"));
  b.records.push_back(line("2024-01-01T00:00:00Z stdout P b", "/b"));
  b.positions = {{"pods", "ka", 1, "/a"}, {"pods", "kb", 2, "/b"}, {"pods", "kc", 3, "/c"}};
  f.t.process(b);
  EXPECT_TRUE(b.records.empty());
  ASSERT_EQ(b.positions.size(), 1u);
  EXPECT_EQ(b.positions[0].key, "kc");
  LogBatch out;
  f.t.flush(out, true);
  EXPECT_EQ(bodies(out), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(out.positions.size(), 2u);
  EXPECT_EQ(f.t.joiner().held_lines(), 0u);
  EXPECT_EQ(f.t.joiner().withheld_positions(), 0u);
}

TEST(ParseCri, UnknownInputBlocksEveryPositionOfItsBatch) {
  Fixture f;
  LogBatch b;
  LogRecord r;
  r.body = "2024-01-01T00:00:00Z stdout P no path";
  b.records.push_back(r);
  b.positions = {{"src", "k1", 1, "/x"}, {"src", "k2", 2, "/y"}};
  f.t.process(b);
  EXPECT_TRUE(b.positions.empty());
  EXPECT_EQ(f.t.joiner().withheld_positions(), 2u);
}

TEST(ParseCri, Options) {
  EXPECT_TRUE(make_parse_cri(ParseCriOptions{}).ok());
  ParseCriOptions o;
  o.max_bytes = 0;
  EXPECT_FALSE(make_parse_cri(o).ok());
  EXPECT_EQ(partial_flush_interval(std::chrono::milliseconds(20)), std::chrono::milliseconds(10));
  EXPECT_EQ(partial_flush_interval(std::chrono::milliseconds(500)), std::chrono::milliseconds(100));
  const auto defaults = parse_cri_option_table().defaults();
  EXPECT_EQ(defaults.partial_timeout, std::chrono::seconds(5));
  EXPECT_EQ(defaults.max_bytes, 1u << 20);
}

}  // namespace
}  // namespace sluice
