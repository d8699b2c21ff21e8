#include "pipeline/sources/exec/exec_source.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kDeadline = 20s;

/// Collects emitted records; tests wait on it.
class Collector {
 public:
  Collector() {
    ctx.emit = [this](LogBatch&& b) {
      std::lock_guard<std::mutex> lock(mu_);
      ++batches_;
      for (auto& r : b.records) records_.push_back(std::move(r));
      cv_.notify_all();
      return Status::Ok();
    };
  }
  /// Waits until at least `n` exit records arrived.
  bool wait_exits(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return exits_locked() >= n; });
  }
  std::vector<LogRecord> records() {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }
  size_t batches() {
    std::lock_guard<std::mutex> lock(mu_);
    return batches_;
  }
  SourceContext ctx;

 private:
  size_t exits_locked() const {
    size_t n = 0;
    for (const auto& r : records_) {
      const std::string* e = find_key_value(r.attributes, "event.name");
      if (e != nullptr && *e == "exec.exit") ++n;
    }
    return n;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<LogRecord> records_;
  size_t batches_ = 0;
};

std::string attr(const LogRecord& r, std::string_view key) {
  const std::string* v = find_key_value(r.attributes, key);
  return v ? *v : "<none>";
}

ExecSourceOptions shell(const std::string& script) {
  ExecSourceOptions o = exec_source_option_table().defaults();
  o.command = {"sh", "-c", script};
  o.allowed_commands = {"/bin/sh"};
  return o;
}

std::unique_ptr<Source> make(const ExecSourceOptions& o) {
  auto s = make_exec_source("t", o);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? std::move(*s) : nullptr;
}

/// True while `pid` exists and is not a zombie.
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

TEST(ExecSource, CapturesStdoutAndStderrLinesThenAnExitRecord) {
  Collector c;
  auto src = make(shell("echo out1; echo err1 >&2; printf 'out2'; exit 3"));
  ASSERT_TRUE(src);
  ASSERT_TRUE(src->start(&c.ctx).ok());
  ASSERT_TRUE(c.wait_exits(1));
  src->stop();
  auto recs = c.records();
  ASSERT_GE(recs.size(), 4u);
  std::vector<std::string> out, err;
  for (size_t i = 0; i + 1 < 4; ++i) {
    (attr(recs[i], "exec.stream") == "stdout" ? out : err).push_back(recs[i].body);
  }
  EXPECT_EQ(out, (std::vector<std::string>{"out1", "out2"}));
  EXPECT_EQ(err, (std::vector<std::string>{"err1"}));
  const LogRecord& exit = recs[3];
  EXPECT_EQ(attr(exit, "event.name"), "exec.exit");
  EXPECT_EQ(attr(exit, "process.exit.code"), "3");
  EXPECT_EQ(exit.body, "sh exited with code 3");
  EXPECT_EQ(attr(exit, "exec.output.lines"), "3");
  EXPECT_EQ(attr(exit, "process.pid"), attr(recs[0], "process.pid"));
  EXPECT_EQ(attr(recs[0], "process.command"), "sh");
  EXPECT_NE(attr(exit, "exec.duration_ms"), "<none>");
  EXPECT_EQ(exit.severity_number, 17);
}

TEST(ExecSource, StderrIgnoredWhenNotIncluded) {
  Collector c;
  ExecSourceOptions o = shell("echo err >&2; echo out");
  o.include_stderr = false;
  auto src = make(o);
  ASSERT_TRUE(src->start(&c.ctx).ok());
  ASSERT_TRUE(c.wait_exits(1));
  src->stop();
  auto recs = c.records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].body, "out");
  EXPECT_EQ(attr(recs[1], "process.exit.code"), "0");
  EXPECT_EQ(recs[1].severity_number, 9);
}

TEST(ExecSource, RunsAgainEveryInterval) {
  Collector c;
  ExecSourceOptions o = shell("echo tick");
  o.interval = 100ms;
  auto src = make(o);
  ASSERT_TRUE(src->start(&c.ctx).ok());
  ASSERT_TRUE(c.wait_exits(3));
  src->stop();
  size_t ticks = 0;
  for (const auto& r : c.records()) ticks += r.body == "tick";
  EXPECT_GE(ticks, 3u);
}

TEST(ExecSource, TimeoutKillsTheWholeProcessGroup) {
  fs::path pidfile = fs::temp_directory_path() / ("sluice-exec-bg-" + std::to_string(::getpid()));
  fs::remove(pidfile);
  Collector c;
  // The background sleep keeps stdout open; the timeout must end the run and
  // kill the grandchild too.
  ExecSourceOptions o = shell("sleep 60 & echo $! > " + pidfile.string() + "; echo started; wait");
  o.timeout = 300ms;
  o.kill_grace = 100ms;
  auto src = make(o);
  ASSERT_TRUE(src->start(&c.ctx).ok());
  ASSERT_TRUE(c.wait_exits(1));
  src->stop();
  auto recs = c.records();
  const LogRecord& exit = recs.back();
  EXPECT_EQ(attr(exit, "exec.timed_out"), "true");
  EXPECT_EQ(attr(exit, "exec.signal"), "SIGTERM");
  EXPECT_EQ(recs.front().body, "started");
  std::ifstream in(pidfile);
  pid_t bg = 0;
  in >> bg;
  ASSERT_GT(bg, 0);
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (alive(bg) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(alive(bg)) << "background child " << bg << " outlived its run";
  fs::remove(pidfile);
}

TEST(ExecSource, TermIgnoringCommandIsKilledAfterTheGrace) {
  Collector c;
  ExecSourceOptions o = shell("trap '' TERM; echo waiting; while :; do sleep 0.05; done");
  o.timeout = 200ms;
  o.kill_grace = 200ms;
  auto src = make(o);
  ASSERT_TRUE(src->start(&c.ctx).ok());
  ASSERT_TRUE(c.wait_exits(1));
  src->stop();
  EXPECT_EQ(attr(c.records().back(), "exec.signal"), "SIGKILL");
}

TEST(ExecSource, StopKillsARunningCommand) {
  fs::path pidfile = fs::temp_directory_path() / ("sluice-exec-stop-" + std::to_string(::getpid()));
  fs::remove(pidfile);
  Collector c;
  auto src = make(shell("echo $$ > " + pidfile.string() + "; exec sleep 60"));
  ASSERT_TRUE(src->start(&c.ctx).ok());
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  pid_t pid = 0;
  while (pid == 0 && std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(pidfile);
    in >> pid;
    if (pid == 0) std::this_thread::sleep_for(10ms);
  }
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(alive(pid));
  src->stop();  // returns only once the child is reaped
  EXPECT_FALSE(alive(pid));
  EXPECT_EQ(c.records().size(), 0u);
  fs::remove(pidfile);
}

TEST(ExecSource, OutputPastTheCapIsCountedNotStored) {
  Collector c;
  ExecSourceOptions o = shell("i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done");
  o.max_output_bytes = 1100;  // 100 lines of 11 bytes
  o.max_batch_records = 7;
  auto src = make(o);
  ASSERT_TRUE(src->start(&c.ctx).ok());
  ASSERT_TRUE(c.wait_exits(1));
  src->stop();
  auto recs = c.records();
  ASSERT_EQ(recs.size(), 101u);
  EXPECT_EQ(attr(recs.back(), "exec.output.lines"), "100");
  EXPECT_EQ(attr(recs.back(), "exec.output.dropped_bytes"), std::to_string(2000 * 11 - 1100));
  EXPECT_GE(c.batches(), 15u);  // 100 records in batches of at most 7
}

TEST(ExecSource, ChildSeesOnlyTheStandardDescriptors) {
  Collector c;
  // /proc/self/fd of the child lists its open descriptors (0, 1, 2 and the
  // one ls opens to read the directory).
  ExecSourceOptions o = shell("ls /proc/$$/fd");
  auto src = make(o);
  ASSERT_TRUE(src->start(&c.ctx).ok());
  ASSERT_TRUE(c.wait_exits(1));
  src->stop();
  std::vector<std::string> fds;
  for (const auto& r : c.records()) {
    if (attr(r, "exec.stream") == "stdout") fds.push_back(r.body);
  }
  EXPECT_EQ(fds, (std::vector<std::string>{"0", "1", "2"}));
}

TEST(ExecSource, CommandNotAllowedFailsAtMake) {
  ExecSourceOptions o = shell("true");
  o.allowed_commands = {"/usr/bin/env"};
  auto s = make_exec_source("t", o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("command \"sh\" resolves to"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("not in allowed_commands [\"/usr/bin/env\"]"), std::string::npos);
}

TEST(ExecSource, SpawnFailureBecomesAnExitRecord) {
  fs::path dir = fs::temp_directory_path() / ("sluice-exec-wd-" + std::to_string(::getpid()));
  Collector c;
  ExecSourceOptions o = shell("true");
  o.working_directory = dir.string();  // does not exist: the spawn fails
  auto src = make(o);
  ASSERT_TRUE(src->start(&c.ctx).ok());
  ASSERT_TRUE(c.wait_exits(1));
  src->stop();
  auto recs = c.records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_NE(attr(recs[0], "exec.error").find("No such file or directory"), std::string::npos)
      << attr(recs[0], "exec.error");
  EXPECT_EQ(attr(recs[0], "process.pid"), "<none>");
}

}  // namespace
}  // namespace sluice
