#include "pipeline/sources/syslog/syslog_source.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <mutex>
#include <thread>

namespace sluice {
namespace {

namespace asio = boost::asio;

/// A pipeline stand-in: keeps the records of every emitted batch and
/// releases the batch at once (so its acknowledgement says "delivered").
struct Collector {
  std::mutex mu;
  std::vector<LogRecord> records;
  std::vector<std::string> streams;
  SourceContext ctx;
  Collector() {
    ctx.emit = [this](LogBatch&& b) {
      std::lock_guard<std::mutex> l(mu);
      streams.push_back(b.stream);
      for (auto& r : b.records) records.push_back(std::move(r));
      return Status::Ok();
    };
  }
  size_t size() {
    std::lock_guard<std::mutex> l(mu);
    return records.size();
  }
  bool wait_for(size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> l(mu);
    std::vector<std::string> out;
    for (const auto& r : records) out.push_back(r.body);
    return out;
  }
};

std::string attr(const LogRecord& rec, std::string_view key) {
  const std::string* v = find_key_value(rec.attributes, key);
  return v ? *v : "<missing>";
}

std::unique_ptr<SyslogSource> start(Collector& c, SyslogSourceOptions o) {
  o.listen = "127.0.0.1:0";
  auto s = std::make_unique<SyslogSource>("test_syslog", o, nullptr);
  Status st = s->start(&c.ctx);
  EXPECT_TRUE(st.ok()) << st.to_string();
  return s;
}

std::string octet(const std::string& m) { return std::to_string(m.size()) + " " + m; }

TEST(SyslogSource, TcpOctetCountedSplitWritesAndAMalformedNeighbour) {
  Collector c;
  SyslogSourceOptions o;
  o.mode = "tcp";
  auto src = start(c, o);
  asio::io_context io;
  asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), src->port());
  asio::ip::tcp::socket good(io), bad(io);
  good.connect(ep);
  bad.connect(ep);
  std::string stream;
  for (int i = 0; i < 20; ++i) {
    stream += octet("<165>1 2003-10-11T22:14:15.003Z host app 42 ID" + std::to_string(i) + " [ex@1 i=\"" +
                    std::to_string(i) + "\"] message " + std::to_string(i) + "\n");
  }
  // Half of it in 3-byte writes.
  size_t half = stream.size() / 2;
  for (size_t p = 0; p < half; p += 3)
    asio::write(good, asio::buffer(stream.data() + p, std::min<size_t>(3, half - p)));
  // The neighbour sends a malformed frame and is closed.
  asio::write(bad, asio::buffer(std::string("12x <13>oops\n")));
  char b;
  boost::system::error_code ec;
  bad.read_some(asio::buffer(&b, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  asio::write(good, asio::buffer(stream.data() + half, stream.size() - half));
  ASSERT_TRUE(c.wait_for(20)) << c.size();
  good.close();
  src->stop();
  auto bodies = c.bodies();
  ASSERT_EQ(bodies.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(bodies[i], "message " + std::to_string(i));
    EXPECT_EQ(attr(c.records[i], "syslog.sd.ex@1.i"), std::to_string(i));
    EXPECT_EQ(attr(c.records[i], "client.address"), "127.0.0.1");
  }
  EXPECT_EQ(c.streams.front(), "syslog");
}

TEST(SyslogSource, TcpNewlineFramingWithLongLinesAndUnparsedMessages) {
  Collector c;
  SyslogSourceOptions o;
  o.mode = "tcp";
  o.framing = "newline";
  o.max_message_bytes = 64;
  o.stream = "edge";
  auto src = start(c, o);
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), src->port()));
  std::string long_msg = "<14>Oct 11 22:14:15 host app: " + std::string(100, 'x');
  asio::write(s, asio::buffer("<13>Oct 11 22:14:15 web sshd[7]: hello\r\n" + long_msg + "\nnot syslog at all\n"));
  s.shutdown(asio::ip::tcp::socket::shutdown_send);
  ASSERT_TRUE(c.wait_for(5));
  src->stop();
  ASSERT_EQ(c.records.size(), 5u);  // the 130-byte line is cut into 64 + 64 + 2
  EXPECT_EQ(c.records[0].body, "hello");
  EXPECT_EQ(attr(c.records[0], "syslog.procid"), "7");
  EXPECT_EQ(attr(c.records[1], "log.split"), "first");
  EXPECT_EQ(attr(c.records[1], "syslog.app_name"), "app");
  EXPECT_EQ(c.records[1].body, long_msg.substr(30, 64 - 30));
  EXPECT_EQ(attr(c.records[2], "log.split"), "middle");
  EXPECT_EQ(c.records[2].body, long_msg.substr(64, 64));
  EXPECT_EQ(attr(c.records[2], "parse.error"), "<missing>");
  EXPECT_EQ(attr(c.records[3], "log.split"), "last");
  EXPECT_EQ(c.records[3].body, long_msg.substr(128));
  EXPECT_EQ(c.records[4].body, "not syslog at all");
  EXPECT_NE(attr(c.records[4], "parse.error").find("sources.test_syslog: RFC 3164: expected"), std::string::npos);
  EXPECT_EQ(c.streams.front(), "edge");
}

TEST(SyslogSource, UdpOneMessagePerDatagram) {
  Collector c;
  SyslogSourceOptions o;
  o.mode = "udp";
  o.max_message_bytes = 200;
  auto src = start(c, o);
  asio::io_context io;
  asio::ip::udp::socket s(io, asio::ip::udp::v4());
  asio::ip::udp::endpoint ep(asio::ip::make_address("127.0.0.1"), src->port());
  s.send_to(asio::buffer(std::string("<34>1 2003-10-11T22:14:15.003Z h su - ID47 - 'su root' failed\n")), ep);
  s.send_to(asio::buffer(std::string(300, 'z')), ep);  // too long: skipped and counted
  s.send_to(asio::buffer(std::string("<13>Oct 11 22:14:15 h app: two\nlines")), ep);
  ASSERT_TRUE(c.wait_for(2));
  src->stop();
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_EQ(c.records[0].body, "'su root' failed");
  EXPECT_EQ(c.records[0].severity_text, "crit");
  EXPECT_EQ(c.records[1].body, "two\nlines");
}

TEST(SyslogSource, OptionValidation) {
  SyslogSourceOptions o;
  o.stream = "Bad Stream";
  EXPECT_FALSE(make_syslog_source("x", o).ok());
  o = {};
  o.timezone = "Moon";
  EXPECT_FALSE(make_syslog_source("x", o).ok());
  o = {};
  o.tls_cert_file = "/nonexistent.pem";
  EXPECT_FALSE(make_syslog_source("x", o).ok());  // no key file
  o.tls_key_file = "/nonexistent.key";
  EXPECT_FALSE(make_syslog_source("x", o).ok());  // mode udp
  o.mode = "tcp";
  auto r = make_syslog_source("x", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent.pem"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace sluice
