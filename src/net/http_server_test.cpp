// HttpServer with deferred answers (HttpResponse::finish) and HttpConnection
// (keep-alive, pipelining), over real sockets on loopback.
#include "net/http_server.hpp"

#include <gtest/gtest.h>

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
  ASSERT_TRUE(conn.send(post(server.url(), "200 first")).ok());
  ASSERT_TRUE(conn.send(post(server.url(), "200 second")).ok());
  ASSERT_TRUE(conn.send(post(server.url(), "200 third")).ok());
  EXPECT_EQ(conn.owed(), 3u);
  // The first finish is held: the server still reads and handles the
  // next requests (the responder owes at most two answers, so the third
  // waits to be handled until the first is sent).
  ASSERT_TRUE(server.wait_decoded(2));
  EXPECT_TRUE(server.stored().empty());
  server.release();
  for (const char* want : {"200 first", "200 second", "200 third"}) {
    auto a = conn.receive(10s, 1 << 20);
    ASSERT_TRUE(a.ok()) << a.status().to_string();
    EXPECT_EQ(a->status, 200);
    EXPECT_EQ(a->body, std::string("answer to ") + want);
  }
  EXPECT_EQ(server.stored(), (std::vector<std::string>{"200 first", "200 second", "200 third"}));
  // One connection, kept open: one server thread handled them all.
  auto threads = server.threads();
  ASSERT_EQ(threads.size(), 3u);
  EXPECT_EQ(threads[0], threads[2]);
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
  Counter& timed_out = MetricsRegistry::global().counter("sluice_tcp_connections_timed_out_total", "",
                                                         {{"listener", "pipelining"}});
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
