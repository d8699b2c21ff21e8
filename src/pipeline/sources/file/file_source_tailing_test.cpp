// The file source's wake-ups (inotify and polling), fairness between files,
// the per-file rate limit, compressed files, deleted files and lag metrics.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "pipeline/sources/file/file_source_test_util.hpp"

namespace sluice {
namespace {

using namespace file_test;  // NOLINT(build/namespaces)
using namespace std::chrono_literals;
using std::string_literals::operator""s;

std::string lines(const std::string& tag, int n, size_t width = 40) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    std::string line = tag + "-" + std::to_string(i) + " ";
    line.resize(width, 'x');
    s += line + "\n";
  }
  return s;
}

TEST_F(FileSourceTest, OneBusyFileDoesNotStarveTheOthers) {
  // 800 KB in big.log; small.log has 20 lines. Turns are 4 KiB per file, so
  // small.log is done within its first turn, while big.log needs hundreds.
  append(path("big.log"), lines("big", 20'000));
  append(path("small.log"), lines("small", 20));
  options_.max_bytes_per_turn = 4096;
  options_.max_batch_records = 200;
  Collector c;
  start(c);
  ASSERT_TRUE(c.wait_count(20'020));
  auto bodies = c.bodies();
  size_t last_small = 0;
  size_t big_before = 0;
  for (size_t i = 0; i < bodies.size(); ++i) {
    if (bodies[i].rfind("small-", 0) == 0) last_small = i;
  }
  for (size_t i = 0; i < last_small; ++i) big_before += bodies[i].rfind("big-", 0) == 0;
  // At most one turn of big.log (4 KiB of 41-byte lines, plus the line that
  // crosses the budget) before small.log's single turn.
  EXPECT_LE(big_before, 4096 / 41 + 1) << "small.log waited behind " << big_before << " lines of big.log";
}

TEST_F(FileSourceTest, RateLimitedFileArrivesCompleteAndOthersAreNotHeldBack) {
  constexpr uint64_t kRate = 20'000;
  options_.max_read_bytes_per_second = kRate;
  append(path("limited.log"), lines("lim", 1000));  // 41 KB: over a second at the limit, after its burst
  Collector c;
  const auto t0 = std::chrono::steady_clock::now();
  FileSource& s = start(c);
  auto count_of = [&](const std::string& tag) {
    auto b = c.bodies();
    return static_cast<uint64_t>(
        std::count_if(b.begin(), b.end(), [&](const std::string& x) { return x.rfind(tag + "-", 0) == 0; }));
  };
  // Another file is read in full meanwhile.
  ASSERT_TRUE(c.wait_count(100));
  append(path("other.log"), lines("other", 10));
  ASSERT_TRUE(eventually([&] { return count_of("other") == 10; }));
  // The limit holds all along: by any time t after the start, at most the
  // bucket's one-second burst plus t times the rate, plus one read's
  // overdraw (4 KiB and the line that crosses it), was read from the file.
  // (A slow machine only reads less.)
  while (true) {
    const uint64_t n = count_of("lim");
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_LE(n * 41, kRate + kRate * t + 4096 + 41) << n << " lines of limited.log after " << t << " s";
    if (n == 1000) break;
    ASSERT_LT(t, 60) << "limited.log not read in full";
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(c.wait_count(1010));
  auto b = c.bodies();
  EXPECT_EQ(b.size(), 1010u);
  EXPECT_EQ(std::set<std::string>(b.begin(), b.end()).size(), 1010u);
  EXPECT_TRUE(eventually([&] {
    for (const auto& st : s.file_stats()) {
      if (st.lag_bytes != 0) return false;
    }
    return true;
  }));
}

TEST_F(FileSourceTest, CompressedFilesAreSkippedByTheirFirstBytes) {
  options_.include = {dir_ + "/*"};
  append(path("app.log.1"), "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\nbinary\n"s);
  append(path("app.log.2"), "BZh91AY&SY\nbinary\n"s);
  append(path("app.log.3"),
         "\xfd"
         "7zXZ\x00\x00\nbinary\n"s);
  append(path("app.log.4"), "\x28\xb5\x2f\xfd\x24\x00\nbinary\n"s);
  append(path("app.log.5"), "PK\x03\x04\x14\x00\nbinary\n"s);
  append(path("app.log.6.gz"), "not even gzip, but named so\n");
  append(path("app.log"), "plain\n");
  Collector c;
  FileSource& s = start(c);
  ASSERT_TRUE(c.wait_count(1));
  // A compressed file appearing later is skipped too.
  append(path("app.log.7"), "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\nmore binary\n"s);
  append(path("app.log"), "plain again\n");
  ASSERT_TRUE(c.wait_count(2));
  // Only app.log is followed; the compressed files are not listed.
  ASSERT_TRUE(eventually([&] { return s.file_stats().size() == 1; }));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"plain", "plain again"}));
}

TEST_F(FileSourceTest, InotifyDrivesReadsWithoutPolling) {
  // Polls that would never come within the test: every read below is
  // triggered by an inotify event.
  options_.poll_interval = 1h;
  options_.glob_interval = 1h;
  append(path("a.log"), "a1\n");
  Collector c;
  FileSource& s = start(c);
  if (!s.inotify_active()) GTEST_SKIP() << "no inotify here";
  ASSERT_TRUE(c.wait_count(1));
  append(path("a.log"), "a2\n");  // a write to a watched file
  ASSERT_TRUE(c.wait_count(2));
  append(path("b.log"), "b1\n");  // a new file in a watched directory
  ASSERT_TRUE(c.wait_count(3));
  fs::create_directories(path("sub"));  // not matched by *.log: nothing
  // Rename rotation: the old file is drained, the new one read.
  int fd = ::open(path("a.log").c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_EQ(::rename(path("a.log").c_str(), path("a.log.1").c_str()), 0);
  write_all(fd, "a3 after rename\n");
  ::close(fd);
  append(path("a.log"), "fresh1\n");
  ASSERT_TRUE(c.wait_count(5));
  // The renamed file is closed once confirmed gone and quiet, without a poll.
  ASSERT_TRUE(eventually([&] { return s.file_stats().size() == 2; }));
  for (const auto& st : s.file_stats()) EXPECT_TRUE(st.watched) << st.path;
  auto b = c.bodies();
  std::sort(b.begin(), b.end());
  EXPECT_EQ(b, (std::vector<std::string>{"a1", "a2", "a3 after rename", "b1", "fresh1"}));
}

TEST_F(FileSourceTest, PollingWhenInotifyIsOff) {
  options_.inotify = false;
  append(path("a.log"), "a1\n");
  Collector c;
  FileSource& s = start(c);
  EXPECT_FALSE(s.inotify_active());
  ASSERT_TRUE(c.wait_count(1));
  append(path("a.log"), "a2\n");
  append(path("b.log"), "b1\n");
  ASSERT_TRUE(c.wait_count(3));
  for (const auto& st : s.file_stats()) EXPECT_FALSE(st.watched);
}

TEST_F(FileSourceTest, DeletedWhileBeingReadIsReadToTheEndThenClosed) {
  options_.max_read_bytes_per_second = 30'000;
  append(path("gone.log"), lines("gone", 2000));  // 82 KB: seconds at the limit
  Collector c;
  FileSource& s = start(c);
  ASSERT_TRUE(c.wait_count(10));
  ASSERT_EQ(::unlink(path("gone.log").c_str()), 0);
  ASSERT_TRUE(eventually([&] {
    auto st = s.file_stats();
    return st.size() == 1 && st[0].rotated;
  }));
  ASSERT_TRUE(c.wait_count(2000));
  EXPECT_EQ(c.bodies().size(), 2000u);
  EXPECT_TRUE(eventually([&] { return s.file_stats().empty(); }));
}

// logrotate's numbered rename rotation (app.log.1 -> app.log.2, then
// app.log -> app.log.1) three times while the source is held inside emit:
// the files created in between lived at app.log only until the next
// rotation, and were renamed twice, before the source saw their creation.
// Each is read whole; nothing is read twice.
TEST_F(FileSourceTest, FilesRenamedAwayBeforeTheSourceSawThemAreReadWhole) {
  options_.glob_interval = std::chrono::seconds(10);  // only the directory's events can find them
  append(path("app.log"), lines("a", 1));
  Collector c;
  FileSource& s = start(c);
  ASSERT_TRUE(c.wait_count(1));
  ASSERT_TRUE(eventually([&] { return s.file_stats().size() == 1; }));
  c.set_gate(true);
  append(path("app.log"), lines("a", 2).substr(41));  // a-1
  ASSERT_TRUE(c.wait_emit_calls(2));                  // held inside emit from now on
  const std::vector<std::string> gens = {"b", "c", "d"};
  for (const std::string& g : gens) {
    for (int n = 2; n >= 1; --n) {  // app.log.2 -> app.log.3, app.log.1 -> app.log.2
      const std::string from = path("app.log." + std::to_string(n));
      if (!fs::exists(from)) continue;
      ASSERT_EQ(::rename(from.c_str(), path("app.log." + std::to_string(n + 1)).c_str()), 0);
    }
    ASSERT_EQ(::rename(path("app.log").c_str(), path("app.log.1").c_str()), 0);
    append(path("app.log"), lines(g, 100));
  }
  // File times are as coarse as the kernel's tick: the same for b and c
  // here, the order must then come from the renames.
  const timespec same[2] = {{1'700'000'000, 0}, {1'700'000'000, 0}};
  for (const char* name : {"app.log.1", "app.log.2"}) ASSERT_EQ(::utimensat(AT_FDCWD, path(name).c_str(), same, 0), 0);
  c.set_gate(false);
  ASSERT_TRUE(c.wait_count(2 + 300)) << c.bodies().size();
  // Rotated files settle and close, leaving the live file (d); a duplicate
  // would show by then.
  const std::string live = key_of(path("app.log"));
  ASSERT_TRUE(eventually([&] {
    auto st = s.file_stats();
    return st.size() == 1 && st[0].key == live && st[0].lag_bytes == 0;
  }));
  auto bodies = c.bodies();
  std::set<std::string> unique(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies.size(), 302u);
  EXPECT_EQ(unique.size(), 302u);
  for (const std::string& g : gens) {
    EXPECT_EQ(
        std::count_if(bodies.begin(), bodies.end(), [&](const std::string& b) { return b.rfind(g + "-", 0) == 0; }),
        100)
        << g;
  }
  // Oldest first, and under the name they were written to.
  auto first_of = [&](const std::string& g) {
    return std::find_if(bodies.begin(), bodies.end(), [&](const std::string& b) { return b.rfind(g + "-", 0) == 0; });
  };
  EXPECT_LT(first_of("b"), first_of("c"));
  for (const LogRecord& r : c.records()) EXPECT_EQ(attr(r, "log.file.path"), path("app.log")) << r.body;
}

// The trail of a rename outlives the file it led to: app.log.1, read to its
// end and closed, is renamed on to app.log.2 (the next rotation of a quiet
// log). It is not read again.
TEST_F(FileSourceTest, AFileClosedAfterItsRenameIsNotReadAgainWhenRenamedOn) {
  append(path("app.log"), lines("a", 3));
  Collector c;
  FileSource& s = start(c);
  ASSERT_TRUE(c.wait_count(3));
  ASSERT_EQ(::rename(path("app.log").c_str(), path("app.log.1").c_str()), 0);
  append(path("app.log"), lines("b", 2));
  ASSERT_TRUE(c.wait_count(5));
  const std::string live = key_of(path("app.log"));
  ASSERT_TRUE(eventually([&] {  // app.log.1 drained and closed
    auto st = s.file_stats();
    return st.size() == 1 && st[0].key == live;
  }));
  ASSERT_EQ(::rename(path("app.log.1").c_str(), path("app.log.2").c_str()), 0);
  append(path("app.log"), lines("c", 1));  // something to wait for after the rename was handled
  ASSERT_TRUE(c.wait_count(6));
  std::this_thread::sleep_for(200ms);  // a second read of app.log.2 would show by now
  auto bodies = c.bodies();
  EXPECT_EQ(bodies.size(), 6u);
  EXPECT_EQ(std::set<std::string>(bodies.begin(), bodies.end()).size(), 6u);
}

TEST_F(FileSourceTest, LagGaugePerFileGoesAwayWithTheFile) {
  options_.max_read_bytes_per_second = 1000;  // the file stays behind for a while
  append(path("lag.log"), lines("lag", 500));
  Collector c;
  auto& registry = MetricsRegistry::global();
  source_ = std::make_unique<FileSource>("lagtest", options_);
  ASSERT_TRUE(source_->start(&c.ctx).ok());
  const std::string series = "sluice_file_source_lag_bytes{component=\"lagtest\",path=\"" + path("lag.log") + "\"} ";
  ASSERT_TRUE(eventually([&] {
    std::string text = registry.render();
    size_t at = text.find(series);
    return at != std::string::npos && std::stod(text.substr(at + series.size())) > 10'000;
  })) << registry.render();
  EXPECT_NE(registry.render().find("sluice_file_source_watched_files{component=\"lagtest\"} 1"), std::string::npos);
  ASSERT_EQ(::unlink(path("lag.log").c_str()), 0);
  source_->stop();  // the gauges go with the source
  EXPECT_EQ(registry.render().find("component=\"lagtest\""), std::string::npos);
}

TEST_F(FileSourceTest, LagGaugeFollowsATruncatedFileWhoseFirstLineIsIncomplete) {
  // A truncation leaves the file as a new generation without a complete
  // first line: turns that end early (nothing to read yet) still update the
  // gauge, down to 0 when the file is emptied. (The stale value was the
  // size before the truncation.)
  const std::string live = path("trunc.log");
  append(live, lines("t", 100));
  Collector c;
  source_ = std::make_unique<FileSource>("truncgauge", options_);
  ASSERT_TRUE(source_->start(&c.ctx).ok());
  ASSERT_TRUE(c.wait_count(100));
  const std::string series = "sluice_file_source_lag_bytes{component=\"truncgauge\",path=\"" + live + "\"} ";
  auto gauge = [&] {
    std::string text = MetricsRegistry::global().render();
    size_t at = text.find(series);
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + series.size()));
  };
  ASSERT_EQ(::truncate(live.c_str(), 0), 0);
  append(live, "partial first line, no newline yet");
  ASSERT_TRUE(eventually([&] { return gauge() == 34; })) << gauge();
  append(live, " and more of it");
  ASSERT_TRUE(eventually([&] { return gauge() == 49; })) << gauge();
  ASSERT_EQ(::truncate(live.c_str(), 0), 0);
  EXPECT_TRUE(eventually([&] { return gauge() == 0; })) << gauge();
  EXPECT_EQ(c.bodies().size(), 100u);
}

TEST_F(FileSourceTest, ForgottenFilesDoNotLeaveLagSeries) {
  options_.rotate_wait = 0ms;
  Collector c;
  source_ = std::make_unique<FileSource>("forget", options_);
  ASSERT_TRUE(source_->start(&c.ctx).ok());
  for (int i = 0; i < 50; ++i) append(path("f" + std::to_string(i) + ".log"), "x" + std::to_string(i) + "\n");
  ASSERT_TRUE(c.wait_count(50));
  auto count_series = [] {
    std::string text = MetricsRegistry::global().render();
    size_t n = 0;
    for (size_t p = text.find("component=\"forget\",path="); p != std::string::npos;
         p = text.find("component=\"forget\",path=", p + 1)) {
      ++n;
    }
    return n;
  };
  ASSERT_TRUE(eventually([&] { return count_series() == 50; }));
  for (int i = 0; i < 50; ++i) ::unlink(path("f" + std::to_string(i) + ".log").c_str());
  EXPECT_TRUE(eventually([&] { return count_series() == 0 && source_->file_stats().empty(); }));
}

}  // namespace
}  // namespace sluice
