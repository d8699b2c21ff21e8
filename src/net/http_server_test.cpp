// HttpServer with deferred answers (HttpResponse::finish) and HttpConnection
// (keep-alive, pipelining), over real sockets on loopback.
#include "net/http_server.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "net/http_client.hpp"

namespace sluice {
namespace {

using namespace std::chrono_literals;

/// A server whose handler notes each request's body ("decoded") and defers
/// its answer; `finish` notes the body as "stored" and answers the status
/// the body names ("200", "503", ...). The first finish waits until
/// `release()`, so a test can see what happens meanwhile.
class DeferringServer {
 public:
  explicit DeferringServer(std::chrono::nanoseconds idle_timeout = 60s) {
    HttpServerOptions o;
    o.name = "pipelining";
    o.listen = "127.0.0.1:0";
    o.idle_timeout = idle_timeout;
    server_ = std::make_unique<HttpServer>(o, [this](const HttpRequest& r) {
      {
        std::lock_guard<std::mutex> l(mu_);
        decoded_.push_back(r.body);
        threads_.push_back(std::this_thread::get_id());
      }
      cv_.notify_all();
      HttpResponse deferred;
      const std::string body = r.body;
      deferred.finish = [this, body] {
        std::unique_lock<std::mutex> l(mu_);
        ++started_;
        cv_.notify_all();
        if (stored_.empty()) cv_.wait(l, [&] { return released_; });
        stored_.push_back(body);
        const int status = std::stoi(body.substr(0, 3));
        return HttpResponse{status, "text/plain", "answer to " + body};
      };
      return deferred;
    });
    EXPECT_TRUE(server_->start().ok());
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  void release() {
    {
      std::lock_guard<std::mutex> l(mu_);
      released_ = true;
    }
    cv_.notify_all();
  }
  /// Waits until `n` requests were handled (decoded).
  bool wait_decoded(size_t n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, 10s, [&] { return decoded_.size() >= n; });
  }
  /// Waits until `n` finishes have started.
  bool wait_started(size_t n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, 10s, [&] { return started_ >= n; });
  }
  std::vector<std::string> decoded() {
    std::lock_guard<std::mutex> l(mu_);
    return decoded_;
  }
  std::vector<std::string> stored() {
    std::lock_guard<std::mutex> l(mu_);
    return stored_;
  }
  std::vector<std::thread::id> threads() {
    std::lock_guard<std::mutex> l(mu_);
    return threads_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  size_t started_ = 0;
  std::vector<std::string> decoded_;
  std::vector<std::string> stored_;
  std::vector<std::thread::id> threads_;
  std::unique_ptr<HttpServer> server_;
};

HttpClientRequest post(const std::string& url, std::string body) {
  HttpClientRequest r;
  r.url = url + "/x";
  r.body = std::move(body);
  r.timeout = 10s;
  return r;
}

TEST(HttpPipelining, TheNextRequestIsHandledWhileTheAnswerBeforeItIsFinishedAndAnswersKeepTheirOrder) {
  DeferringServer server;
  HttpConnection conn(server.url());
  const std::vector<std::string> bodies = {"200 first", "200 second", "200 third", "200 fourth", "200 fifth"};
  for (const auto& b : bodies) ASSERT_TRUE(conn.send(post(server.url(), b)).ok());
  EXPECT_EQ(conn.owed(), 5u);
  // The first finish is held: the server still reads and handles the
  // next requests, up to three decoded ones per connection (one being
  // finished, one queued, one waiting for room), not the fourth.
  ASSERT_TRUE(server.wait_decoded(3));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(server.decoded().size(), 3u);
  EXPECT_TRUE(server.stored().empty());
  server.release();
  for (const auto& want : bodies) {
    auto a = conn.receive(10s, 1 << 20);
    ASSERT_TRUE(a.ok()) << a.status().to_string();
    EXPECT_EQ(a->status, 200);
    EXPECT_EQ(a->body, "answer to " + want);
  }
  EXPECT_EQ(server.stored(), bodies);
  // One connection, kept open: one server thread handled them all.
  auto threads = server.threads();
  ASSERT_EQ(threads.size(), 5u);
  EXPECT_EQ(threads[0], threads[4]);
  EXPECT_TRUE(conn.open());
}

TEST(HttpPipelining, AfterAnAnswerThatIsNot2xxTheLaterRequestsAreNeverFinished) {
  DeferringServer server;
  server.release();
  HttpConnection conn(server.url());
  ASSERT_TRUE(conn.send(post(server.url(), "200 first")).ok());
  ASSERT_TRUE(conn.send(post(server.url(), "503 second")).ok());
  ASSERT_TRUE(conn.send(post(server.url(), "200 third")).ok());
  auto a = conn.receive(10s, 1 << 20);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a->status, 200);
  a = conn.receive(10s, 1 << 20);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a->status, 503);
  // The server closed the connection after the 503: the third request is
  // owed no answer, and was not stored.
  EXPECT_FALSE(conn.open());
  EXPECT_EQ(conn.owed(), 0u);
  EXPECT_FALSE(conn.receive(1s, 1 << 20).ok());
  EXPECT_EQ(server.stored(), (std::vector<std::string>{"200 first", "503 second"}));
  // Sent again, on a new connection, it is.
  ASSERT_TRUE(conn.send(post(server.url(), "200 third")).ok());
  a = conn.receive(10s, 1 << 20);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(server.stored(), (std::vector<std::string>{"200 first", "503 second", "200 third"}));
}

TEST(HttpPipelining, AConnectionTheServerClosedWhileIdleIsOpenedAgainBeforeTheNextRequest) {
  DeferringServer server(200ms);
  server.release();
  Counter& timed_out =
      MetricsRegistry::global().counter("sluice_tcp_connections_timed_out_total", "", {{"listener", "pipelining"}});
  const uint64_t timed_out_before = timed_out.value();
  HttpConnection conn(server.url());
  ASSERT_TRUE(conn.send(post(server.url(), "200 first")).ok());
  ASSERT_TRUE(conn.receive(10s, 1 << 20).ok());
  // Past the server's idle time-out, its janitor closes the connection.
  std::this_thread::sleep_for(600ms);
  ASSERT_TRUE(conn.send(post(server.url(), "200 second")).ok());
  auto a = conn.receive(10s, 1 << 20);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a->body, "answer to 200 second");
  EXPECT_EQ(timed_out.value(), timed_out_before + 1) << "the server did not close the idle connection";
}

TEST(HttpPipelining, RequestsOfAClientThatClosedTheConnectionAreNotFinished) {
  DeferringServer server;
  {
    HttpConnection conn(server.url());
    ASSERT_TRUE(conn.send(post(server.url(), "200 first")).ok());
    ASSERT_TRUE(conn.send(post(server.url(), "200 second")).ok());
    ASSERT_TRUE(server.wait_decoded(2));
    ASSERT_TRUE(server.wait_started(1));
  }  // closed with both answers owed
  std::this_thread::sleep_for(100ms);
  server.release();
  std::this_thread::sleep_for(300ms);
  // The first was being finished when the client left; the second was not
  // started, and nobody would have received its answer.
  EXPECT_EQ(server.stored(), (std::vector<std::string>{"200 first"}));
}

TEST(HttpPipelining, TheIdleTimeOutWaitsForAnAnswerInProgress) {
  DeferringServer server(200ms);
  HttpConnection conn(server.url());
  ASSERT_TRUE(conn.send(post(server.url(), "200 slow")).ok());
  ASSERT_TRUE(server.wait_decoded(1));
  std::this_thread::sleep_for(700ms);  // the finish takes longer than the idle time-out
  server.release();
  auto a = conn.receive(10s, 1 << 20);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a->body, "answer to 200 slow");
}

TEST(HttpPipelining, ClientTimeOutsApplyToAServerThatNeverAnswers) {
  // A listener that never accepts: the kernel completes the connection and
  // takes the request's bytes, and no answer ever comes.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
  HttpConnection conn(url);
  HttpClientRequest r = post(url, "200 x");
  r.timeout = 200ms;
  ASSERT_TRUE(conn.send(r).ok());
  auto a = conn.receive(200ms, 1 << 20);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(conn.open());
  auto once = http_send(r);
  ASSERT_FALSE(once.ok());
  EXPECT_EQ(once.status().code(), StatusCode::kUnavailable) << once.status().to_string();
}

TEST(HttpPipelining, AClientThatPipelinesAndNeverReadsIsCutOffAndOthersAreServed) {
  // Deferred answers of 1 MiB to a client that sends 20 requests and reads
  // nothing: once the socket buffers are full the server's write makes no
  // progress, and after idle_timeout the janitor shuts the connection down.
  HttpServerOptions o;
  o.name = "never-reads";
  o.listen = "127.0.0.1:0";
  o.idle_timeout = 300ms;
  HttpServer server(o, [](const HttpRequest&) {
    HttpResponse deferred;
    deferred.finish = [] { return HttpResponse{200, "text/plain", std::string(1 << 20, 'x')}; };
    return deferred;
  });
  ASSERT_TRUE(server.start().ok());
  Counter& timed_out =
      MetricsRegistry::global().counter("sluice_tcp_connections_timed_out_total", "", {{"listener", "never-reads"}});
  const uint64_t timed_out_before = timed_out.value();
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket sock(io);
  sock.open(boost::asio::ip::tcp::v4());
  sock.set_option(boost::asio::socket_base::receive_buffer_size(4096));
  sock.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
  std::string requests;
  for (int i = 0; i < 20; ++i) requests += "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na";
  boost::asio::write(sock, boost::asio::buffer(requests));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (timed_out.value() == timed_out_before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(timed_out.value(), timed_out_before + 1) << "the server did not cut the connection off";
  // Another client is served.
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  HttpConnection other(url);
  ASSERT_TRUE(other.send(post(url, "hello")).ok());
  auto a = other.receive(10s, 4 << 20);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a->status, 200);
  // The stuck client finds the connection closed after what was buffered,
  // far short of the 20 MiB it asked for.
  size_t received = 0;
  char buf[1 << 16];
  for (;;) {
    pollfd p{sock.native_handle(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 5000), 1) << "the connection was not closed; " << received << " bytes read";
    ssize_t n = ::recv(sock.native_handle(), buf, sizeof buf, 0);
    if (n <= 0) break;  // closed (or reset) by the server
    received += static_cast<size_t>(n);
  }
  EXPECT_LT(received, size_t{20} << 20);
  server.stop();
}

TEST(HttpPipelining, AConnectionRefusesAnotherServersUrlAndReportsAServerThatIsGone) {
  DeferringServer server;
  HttpConnection conn(server.url());
  auto st = conn.send(post("http://127.0.0.2:1", "200 x"));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.to_string();
  HttpConnection nowhere("http://127.0.0.1:1");
  st = nowhere.send(post("http://127.0.0.1:1", "200 x"));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.to_string();
  EXPECT_FALSE(nowhere.open());
  EXPECT_EQ(nowhere.receive(1s, 1 << 20).status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sluice
