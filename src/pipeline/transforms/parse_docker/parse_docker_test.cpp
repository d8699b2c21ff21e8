#include "pipeline/transforms/parse_docker/parse_docker.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

constexpr int64_t kMs = 1'000'000;

std::string attr(const LogRecord& rec, std::string_view key) {
  const std::string* v = find_key_value(rec.attributes, key);
  return v ? *v : "<missing>";
}

LogRecord line(std::string body, std::string path = "/var/lib/docker/containers/c1/c1-json.log") {
  LogRecord r;
  r.body = std::move(body);
  r.attributes = {{"log.file.path", path}};
  return r;
}

std::vector<std::string> bodies(const LogBatch& b) {
  std::vector<std::string> out;
  for (const auto& r : b.records) out.push_back(r.body);
  return out;
}

struct Fixture {
  int64_t now_ms = 0;
  ParseDocker t;
  explicit Fixture(ParseDockerOptions o = {}) : t(o, [this] { return now_ms * kMs; }) {}
};

TEST(ParseDocker, ParsesALine) {
  Fixture f;
  LogBatch b;
  b.records.push_back(line(R"({"log":"GET / 200\r\n","stream":"stderr","time":"2019-04-30T12:00:00.123456789Z",)"
                           R"("attrs":{"tag":"web"}})"));
  b.records.push_back(line(R"({"log":"\n","stream":"stdout","time":"2019-04-30T12:00:01Z"})"));
  f.t.process(b);
  ASSERT_EQ(b.records.size(), 2u);
  EXPECT_EQ(b.records[0].body, "GET / 200");
  EXPECT_EQ(b.records[0].timestamp_ns, 1556625600'123456789);
  EXPECT_EQ(b.records[0].attributes, (KeyValues{{"log.file.path", "/var/lib/docker/containers/c1/c1-json.log"},
                                                {"attrs.tag", "web"},
                                                {"log.iostream", "stderr"}}));
  EXPECT_EQ(b.records[1].body, "");
}

TEST(ParseDocker, JoinsLinesDockerSplitAt16KiB) {
  Fixture f;
  const std::string big(16384, 'x');
  LogBatch b1;
  b1.records.push_back(line(R"({"log":")" + big + R"(","stream":"stdout","time":"2019-04-30T12:00:00Z"})"));
  b1.records.push_back(line(R"({"log":"short\n","stream":"stderr","time":"2019-04-30T12:00:00.5Z"})"));
  b1.positions = {{"docker", "k", 17000, "/var/lib/docker/containers/c1/c1-json.log"}};
  f.t.process(b1);
  EXPECT_EQ(bodies(b1), (std::vector<std::string>{"short"}));
  EXPECT_TRUE(b1.positions.empty());
  LogBatch b2;
  b2.records.push_back(line(R"({"log":"tail\n","stream":"stdout","time":"2019-04-30T12:00:01Z"})"));
  b2.positions = {{"docker", "k", 17100, "/var/lib/docker/containers/c1/c1-json.log"}};
  f.t.process(b2);
  ASSERT_EQ(b2.records.size(), 1u);
  EXPECT_EQ(b2.records[0].body, big + "tail");
  EXPECT_EQ(b2.records[0].timestamp_ns, 1556625600'000000000);
  EXPECT_EQ(attr(b2.records[0], "log.split"), "<missing>");
  ASSERT_EQ(b2.positions.size(), 1u);
  EXPECT_EQ(b2.positions[0].offset, 17100u);
}

TEST(ParseDocker, LastLineWithoutNewlineIsFlushedAfterTheTimeout) {
  ParseDockerOptions o;
  o.partial_timeout = std::chrono::milliseconds(200);
  Fixture f(o);
  LogBatch b;
  b.records.push_back(line(R"({"log":"bye","stream":"stdout","time":"2019-04-30T12:00:00Z"})"));
  f.t.process(b);
  EXPECT_TRUE(b.records.empty());
  LogBatch out;
  f.now_ms = 200;
  f.t.flush(out, false);
  EXPECT_EQ(bodies(out), (std::vector<std::string>{"bye"}));
  EXPECT_EQ(attr(out.records[0], "log.split"), "first");
}

TEST(ParseDocker, BadLinesKeepTheirBody) {
  Fixture f;
  LogBatch b;
  b.records.push_back(line("hello"));
  b.records.push_back(line(R"({"stream":"stdout"})"));
  b.records.push_back(line(R"({"log":"x\n","time":"yesterday"})"));
  f.t.process(b);
  ASSERT_EQ(b.records.size(), 3u);
  EXPECT_EQ(b.records[0].body, "hello");
  EXPECT_EQ(attr(b.records[0], "parse.error"), "parse_docker: expected a JSON object at byte 0, found 'h'");
  EXPECT_EQ(b.records[1].body, R"({"stream":"stdout"})");
  EXPECT_EQ(attr(b.records[1], "parse.error"), "parse_docker: expected a \"log\" member");
  EXPECT_EQ(b.records[2].body, "x");
  EXPECT_NE(attr(b.records[2], "parse.error").find("parse_docker: member \"time\": "), std::string::npos);
  EXPECT_EQ(attr(b.records[2], "log.iostream"), "<missing>");
}

}  // namespace
}  // namespace sluice
