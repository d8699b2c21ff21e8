#include "net/tcp_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <thread>

#include "net/http_types.hpp"
#include "net/udp_server.hpp"

namespace sluice {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Echoes what it reads until the peer closes.
void echo(TcpConnection& c) {
  char buf[256];
  while (true) {
    auto n = c.read_some(buf, sizeof(buf));
    if (!n.ok() || *n == 0) return;
    if (!c.write_all(std::string_view(buf, *n)).ok()) return;
  }
}

TcpServerOptions local(std::string name) {
  TcpServerOptions o;
  o.name = std::move(name);
  o.listen = "127.0.0.1:0";
  return o;
}

std::string read_until_closed(tcp::socket& s) {
  std::string out;
  char buf[256];
  boost::system::error_code ec;
  while (true) {
    size_t n = s.read_some(asio::buffer(buf), ec);
    if (ec) return out;
    out.append(buf, n);
  }
}

TEST(TcpServer, ServesEachConnectionOnItsOwnThread) {
  TcpServer server(local("echo"), echo);
  ASSERT_TRUE(server.start().ok());
  asio::io_context io;
  tcp::socket a(io), b(io);
  a.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  b.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  asio::write(b, asio::buffer(std::string("second")));
  asio::write(a, asio::buffer(std::string("first")));
  char buf[16];
  size_t n = asio::read(a, asio::buffer(buf, 5));
  EXPECT_EQ(std::string(buf, n), "first");
  n = asio::read(b, asio::buffer(buf, 6));
  EXPECT_EQ(std::string(buf, n), "second");
  server.stop();
}

TEST(TcpServer, ClosesConnectionsPastTheLimit) {
  TcpServerOptions o = local("limited");
  o.max_connections = 1;
  TcpServer server(o, echo);
  ASSERT_TRUE(server.start().ok());
  asio::io_context io;
  tcp::socket a(io), b(io);
  a.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  asio::write(a, asio::buffer(std::string("x")));
  char c;
  asio::read(a, asio::buffer(&c, 1));  // `a` is being served now
  b.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  EXPECT_EQ(read_until_closed(b), "");  // closed at once, nothing served
  server.stop();
}

TEST(TcpServer, IdleConnectionIsShutDown) {
  TcpServerOptions o = local("idle");
  o.idle_timeout = std::chrono::milliseconds(200);
  TcpServer server(o, echo);
  ASSERT_TRUE(server.start().ok());
  asio::io_context io;
  tcp::socket a(io);
  a.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  EXPECT_EQ(read_until_closed(a), "");  // returns once the janitor shut it down
  server.stop();
}

TEST(TcpServer, StopEndsOpenConnections) {
  TcpServer server(local("stop"), echo);
  ASSERT_TRUE(server.start().ok());
  asio::io_context io;
  tcp::socket a(io);
  a.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  std::thread reader([&] { read_until_closed(a); });
  server.stop();  // must not hang on the blocked handler
  reader.join();
}

TEST(TcpServer, BadListenAddressesAreNamed) {
  for (std::string bad : {"nohost", "127.0.0.1:http", "127.0.0.1:70000", "300.1.1.1:80"}) {
    auto r = parse_listen_address(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
  }
  EXPECT_TRUE(parse_listen_address("[::1]:0").ok());
}

TEST(UdpServer, DeliversDatagramsAndFlagsTruncatedOnes) {
  std::mutex mu;
  std::vector<std::pair<std::string, bool>> got;
  UdpServerOptions o;
  o.listen = "127.0.0.1:0";
  o.max_datagram_bytes = 8;
  UdpServer server(o, [&](std::string_view d, bool truncated, const std::string&) {
    std::lock_guard<std::mutex> l(mu);
    got.emplace_back(std::string(d), truncated);
  });
  ASSERT_TRUE(server.start().ok());
  asio::io_context io;
  asio::ip::udp::socket s(io, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
  asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), server.port());
  s.send_to(asio::buffer(std::string("hello")), to);
  s.send_to(asio::buffer(std::string("much too long")), to);
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (got.size() == 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server.stop();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], std::make_pair(std::string("hello"), false));
  EXPECT_EQ(got[1], std::make_pair(std::string("much too"), true));
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST(HttpTypes, MediaTypeDropsParametersAndCase) {
  EXPECT_EQ(media_type("Application/JSON; charset=utf-8"), "application/json");
  EXPECT_EQ(media_type("  application/x-protobuf "), "application/x-protobuf");
  EXPECT_EQ(media_type(""), "");
}

}  // namespace
}  // namespace sluice
