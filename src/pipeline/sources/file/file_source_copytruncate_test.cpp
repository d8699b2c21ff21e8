// copytruncate rotation: the lines the original had not been read to when it
// was truncated are read once, from the copy; the lines it had been read to
// are not read again from the copy.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/sources/file/file_source_test_util.hpp"

namespace sluice {
namespace {

using namespace file_test;  // NOLINT(build/namespaces)
using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string numbered(const std::string& tag, int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += tag + " seq=" + std::to_string(i) + " padding-padding-padding\n";
  return s;
}

std::vector<std::string> numbered_lines(const std::string& tag, int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; ++i) v.push_back(tag + " seq=" + std::to_string(i) + " padding-padding-padding");
  return v;
}

/// Every expected line exactly once, nothing else.
void expect_exactly_once(std::vector<std::string> got, std::vector<std::string> want) {
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  std::vector<std::string> dup;
  for (size_t i = 1; i < got.size(); ++i) {
    if (got[i] == got[i - 1] && dup.size() < 10) dup.push_back(got[i]);
  }
  EXPECT_TRUE(dup.empty()) << "duplicates, e.g. " << dup[0];
  std::vector<std::string> missing;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
  EXPECT_TRUE(missing.empty()) << missing.size() << " missing, e.g. " << missing[0];
  EXPECT_EQ(got.size(), want.size());
}

class CopyTruncateTest : public FileSourceTest {
 protected:
  void SetUp() override {
    FileSourceTest::SetUp();
    options_.include = {dir_ + "/app.log*"};
  }
  /// Waits until no followed file lags or is gone.
  bool settled() {
    return eventually([&] {
      for (const auto& st : source_->file_stats()) {
        if (st.lag_bytes != 0 || st.rotated) return false;
      }
      return true;
    });
  }
  /// app.log holds "old" lines [first, last); the source reads its first
  /// turn and is held back; the file is copied to app.log.1, truncated and
  /// rewritten with "new" lines [first, last) (the same size), then the
  /// source goes on and one more line is appended. Every line arrives once.
  void expect_same_size_rewrite_read_once(int first, int last) {
    const std::string live = path("app.log");
    append(live, numbered("old", first, last));
    Collector c;
    c.set_gate(true);
    FileSource& s = start(c);
    ASSERT_TRUE(c.wait_emit_calls(1));  // the first turn's lines read, emit blocked
    copy_file(live, path("app.log.1"));
    ASSERT_EQ(::truncate(live.c_str(), 0), 0);
    append(live, numbered("new", first, last));  // same length as before
    c.set_gate(false);
    const size_t n = static_cast<size_t>(last - first);
    ASSERT_TRUE(c.wait_count(n));
    ASSERT_TRUE(eventually([&] {
      auto st = s.file_stats();
      return st.size() == 2 && !st[0].key.empty() && !st[1].key.empty();
    }));
    append(live, numbered("new", last, last + 1));
    ASSERT_TRUE(c.wait_count(2 * n + 1)) << c.bodies().size();
    ASSERT_TRUE(settled());
    std::vector<std::string> want = numbered_lines("old", first, last);
    auto more = numbered_lines("new", first, last + 1);
    want.insert(want.end(), more.begin(), more.end());
    expect_exactly_once(c.bodies(), want);
  }
};

TEST_F(CopyTruncateTest, UnreadTailIsReadFromTheCopyAfterTheTruncation) {
  const std::string live = path("app.log");
  append(live, numbered("old", 0, 100));
  options_.max_batch_records = 10;
  Collector c;
  c.set_gate(true);
  start(c);
  // The source is stuck emitting its first batch: it has read at most the
  // first buffer of the file.
  ASSERT_TRUE(c.wait_emit_calls(1));
  append(live, numbered("old", 100, 200));
  copy_file(live, path("app.log.1"));
  ASSERT_EQ(::truncate(live.c_str(), 0), 0);
  append(live, numbered("new", 0, 50));
  c.set_gate(false);
  ASSERT_TRUE(c.wait_count(250)) << c.bodies().size();
  ASSERT_TRUE(settled());
  std::vector<std::string> want = numbered_lines("old", 0, 200);
  auto more = numbered_lines("new", 0, 50);
  want.insert(want.end(), more.begin(), more.end());
  expect_exactly_once(c.bodies(), want);
}

TEST_F(CopyTruncateTest, CopySeenBeforeTheTruncationWaitsThenTakesOver) {
  const std::string live = path("app.log");
  append(live, numbered("old", 0, 400));      // ~18 KB
  options_.max_read_bytes_per_second = 6000;  // the source lags behind the file
  Collector c;
  FileSource& s = start(c);
  ASSERT_TRUE(c.wait_count(1));
  copy_file(live, path("app.log.1"));
  // The copy is recognised while the original is intact, and not read.
  ASSERT_TRUE(eventually([&] {
    for (const auto& st : s.file_stats()) {
      if (st.path == path("app.log.1") && st.copy) return true;
    }
    return false;
  }));
  auto before = s.file_stats();
  for (const auto& st : before) {
    if (st.path == live) {
      EXPECT_GT(st.lag_bytes, 0u) << "the test needs unread lines at the truncation";
    }
  }
  ASSERT_EQ(::truncate(live.c_str(), 0), 0);
  append(live, numbered("new", 0, 20));
  ASSERT_TRUE(c.wait_count(420)) << c.bodies().size();
  ASSERT_TRUE(settled());
  std::vector<std::string> want = numbered_lines("old", 0, 400);
  auto more = numbered_lines("new", 0, 20);
  want.insert(want.end(), more.begin(), more.end());
  expect_exactly_once(c.bodies(), want);
}

TEST_F(CopyTruncateTest, TruncatedWhileDownTheCopyResumesAtTheCommittedPosition) {
  const std::string live = path("app.log");
  append(live, numbered("old", 0, 100));
  options_.max_batch_records = 7;
  Collector first;
  start(first);
  ASSERT_TRUE(first.wait_count(100));
  source_->stop();
  // Only part of what was emitted became durable before the crash.
  auto batches = first.batches();
  ASSERT_GT(batches.size(), 4u);
  Collector second;
  std::vector<std::string> seen;
  for (size_t i = 0; i < batches.size() / 2; ++i) {
    for (const auto& p : batches[i].positions) second.ctx.committed[p.key] = p.offset;
    for (const auto& r : batches[i].records) seen.push_back(r.body);
  }
  // While sluice is down: more lines, then logrotate's copytruncate.
  append(live, numbered("old", 100, 150));
  copy_file(live, path("app.log.1"));
  ASSERT_EQ(::truncate(live.c_str(), 0), 0);
  append(live, numbered("new", 0, 20));
  start(second);
  size_t want_more = 150 - seen.size() + 20;
  ASSERT_TRUE(second.wait_count(want_more));
  ASSERT_TRUE(settled());
  auto more = second.bodies();
  seen.insert(seen.end(), more.begin(), more.end());
  std::vector<std::string> want = numbered_lines("old", 0, 150);
  auto fresh = numbered_lines("new", 0, 20);
  want.insert(want.end(), fresh.begin(), fresh.end());
  expect_exactly_once(seen, want);
}

// logrotate's race: lines written between its copy and its truncate are in
// the original only. Here they were read from it before the truncation, and
// the copy, seen only after the truncation, holds nothing unread.
TEST_F(CopyTruncateTest, CopyOlderThanTheLastReadIsNotReadAgain) {
  fs::create_directories(path("logs"));
  fs::create_directories(path("staging"));
  options_.include = {path("logs") + "/app.log*"};
  options_.inotify = false;  // the copy is found by a scan, after the truncation
  options_.glob_interval = 200ms;
  const std::string live = path("logs/app.log");
  append(live, numbered("old", 0, 100));
  Collector c;
  FileSource& s = start(c);
  ASSERT_TRUE(c.wait_count(100));
  copy_file(live, path("staging/app.log.1"));
  append(live, numbered("old", 100, 120));  // written after the copy, before the truncation
  ASSERT_TRUE(c.wait_count(120));
  ASSERT_EQ(::truncate(live.c_str(), 0), 0);
  append(live, numbered("new", 0, 5));
  ASSERT_TRUE(c.wait_count(125));
  ASSERT_TRUE(eventually([&] {
    auto st = s.file_stats();
    return st.size() == 1 && st[0].key == key_of(live);  // the truncation was seen
  }));
  fs::rename(path("staging/app.log.1"), path("logs/app.log.1"));
  ASSERT_TRUE(eventually([&] { return s.file_stats().size() == 2; }));
  ASSERT_TRUE(settled());
  std::vector<std::string> want = numbered_lines("old", 0, 120);
  auto more = numbered_lines("new", 0, 5);
  want.insert(want.end(), more.begin(), more.end());
  expect_exactly_once(c.bodies(), want);
}

// While the source is held back (its emit blocks: backpressure), the file is
// copied, truncated and rewritten to exactly the size it had when the source
// last looked (log lines of one length make equal sizes common). The size
// alone does not tell that the file changed: the copy must still be read on
// from where the original was, not from 0.
TEST_F(CopyTruncateTest, RewrittenToTheSameSizeWhileHeldBackTheCopyIsNotReadAgain) {
  expect_same_size_rewrite_read_once(10, 30);
}

// The source read the first part of the file (max_bytes_per_turn) and is
// held back; the file is copied, truncated and rewritten to the size it had.
// The rest of the old content is read from the copy, the new content once
// from the start, and nothing of the new content as if it continued the old.
TEST_F(CopyTruncateTest, RewrittenToTheSameSizeMidReadIsNotReadAsTheOldContinued) {
  options_.max_bytes_per_turn = 4096;
  expect_same_size_rewrite_read_once(1000, 1200);  // 7,400 bytes: two turns
}

// The truncation falls between two reads of one turn: the source is held
// back inside the turn (a full batch), the file is copied, truncated and
// rewritten, then the turn goes on. The next read is not used; the copy is
// read on from the last line emitted.
TEST_F(CopyTruncateTest, TruncatedBetweenTwoReadsOfOneTurnTheCopyGoesOn) {
  const std::string live = path("app.log");
  append(live, numbered("old", 1000, 1100));  // 3,700 bytes: four reads of 1 KiB
  options_.read_buffer_bytes = 1024;
  options_.max_line_bytes = 256;
  options_.max_batch_records = 5;
  Collector c;
  c.set_gate(true);
  FileSource& s = start(c);
  ASSERT_TRUE(c.wait_emit_calls(1));  // inside the turn's first read
  copy_file(live, path("app.log.1"));
  ASSERT_EQ(::truncate(live.c_str(), 0), 0);
  append(live, numbered("new", 1000, 1100));
  c.set_gate(false);
  ASSERT_TRUE(c.wait_count(200)) << c.bodies().size();
  ASSERT_TRUE(eventually([&] { return s.file_stats().size() == 2; }));
  ASSERT_TRUE(settled());
  std::vector<std::string> want = numbered_lines("old", 1000, 1100);
  auto more = numbered_lines("new", 1000, 1100);
  want.insert(want.end(), more.begin(), more.end());
  expect_exactly_once(c.bodies(), want);
}

TEST_F(CopyTruncateTest, FilesSharingOnlyAHeaderLineAreNotCopies) {
  options_.include = {dir_ + "/*.csv"};
  append(path("a.csv"), "time,host,message\n1,a,first\n2,a,second\n");
  append(path("b.csv"), "time,host,message\n1,b,only\n");
  Collector c;
  start(c);
  ASSERT_TRUE(c.wait_count(5));
  // A new file that so far holds only the header, then its own rows.
  append(path("c.csv"), "time,host,message\n");
  ASSERT_TRUE(eventually([&] { return source_->file_stats().size() == 3; }));
  append(path("c.csv"), "1,c,own row\n");
  ASSERT_TRUE(c.wait_count(7));
  ASSERT_TRUE(settled());
  auto b = c.bodies();
  EXPECT_EQ(std::count(b.begin(), b.end(), "time,host,message"), 3);
  EXPECT_EQ(b.size(), 7u);
}

// A writer appends numbered lines and, every kPerGeneration lines, copies the
// file and truncates it (between two of its own writes, so without
// logrotate's race), while the source reads. Every line arrives once.
TEST_F(CopyTruncateTest, RepeatedCopyTruncateUnderConcurrentWrites) {
  constexpr int kLines = 3000;
  constexpr int kPerGeneration = 250;
  options_.max_batch_records = 64;
  const std::string live = path("app.log");
  int fd = ::open(live.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  Collector c;
  start(c);
  std::thread writer([&] {
    int copies = 0;
    for (int i = 0; i < kLines; ++i) {
      write_all(fd, "line seq=" + std::to_string(i) + "\n");
      if ((i + 1) % kPerGeneration == 0) {
        copy_file(live, path("app.log." + std::to_string(++copies)));
        ASSERT_EQ(::ftruncate(fd, 0), 0);
      }
      if (i % 40 == 0) std::this_thread::sleep_for(1ms);
    }
    ::close(fd);
  });
  writer.join();
  ASSERT_TRUE(c.wait_count(kLines)) << c.bodies().size();
  ASSERT_TRUE(settled());
  std::vector<std::string> want;
  for (int i = 0; i < kLines; ++i) want.push_back("line seq=" + std::to_string(i));
  expect_exactly_once(c.bodies(), want);
}

}  // namespace
}  // namespace sluice
