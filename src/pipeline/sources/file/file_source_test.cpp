#include "pipeline/sources/file/file_source_test_util.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace sluice {
namespace {

using namespace file_test;  // NOLINT(build/namespaces)
namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST_F(FileSourceTest, StartAtBeginningReadsExistingLines) {
  append(path("a.log"), "one\ntwo\n");
  append(path("a.txt"), "not matched\n");
  Collector c;
  start(c);
  ASSERT_TRUE(c.wait_count(2));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"one", "two"}));
  auto recs = c.records();
  EXPECT_EQ(attr(recs[0], "log.file.path"), path("a.log"));
  EXPECT_EQ(attr(recs[0], "log.file.name"), "a.log");
  EXPECT_EQ(attr(recs[0], "log.split"), "<none>");
  EXPECT_EQ(recs[0].timestamp_ns, 0);
  EXPECT_GT(recs[0].observed_timestamp_ns, 0);
  auto batches = c.batches();
  ASSERT_FALSE(batches[0].positions.empty());
  EXPECT_EQ(batches[0].positions[0].source, "test");
  EXPECT_EQ(batches[0].positions[0].path, path("a.log"));
  EXPECT_EQ(c.positions(), (std::map<std::string, uint64_t>{{key_of(path("a.log")), 8}}));
}

TEST_F(FileSourceTest, StartAtEndSkipsExistingLinesButNotThePartialOne) {
  append(path("a.log"), "old1\nold2\npart");
  options_.start_at = "end";
  Collector c;
  start(c);
  // The starting point is committed at once, without records.
  ASSERT_TRUE(eventually([&] { return !c.positions().empty(); }));
  EXPECT_EQ(c.positions(), (std::map<std::string, uint64_t>{{key_of(path("a.log")), 10}}));
  EXPECT_TRUE(c.bodies().empty());
  append(path("a.log"), "ial\nnew\n");
  ASSERT_TRUE(c.wait_count(2));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"partial", "new"}));
  EXPECT_EQ(c.positions()[key_of(path("a.log"))], 22u);
}

TEST_F(FileSourceTest, FilesAppearingLaterAreReadFromTheBeginning) {
  options_.start_at = "end";
  Collector c;
  start(c);
  append(path("late.log"), "n1\nn2\n");
  ASSERT_TRUE(c.wait_count(2));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"n1", "n2"}));
}

TEST_F(FileSourceTest, DoubleStarIncludeWithExcludeAndCompressed) {
  fs::create_directories(path("a/b/c"));
  fs::create_directories(path("a/skipdir"));
  append(path("a/b/c/deep.log"), "deep\n");
  append(path("top.log"), "top\n");
  append(path("a/skip1.log"), "skipped\n");
  append(path("a/skipdir/x.log"), "skipped too\n");
  append(path("old.log.gz"), "compressed\n");
  options_.include = {dir_ + "/**/*.log*"};
  options_.exclude = {dir_ + "/**/skip*.log", dir_ + "/**/skipdir/**"};
  Collector c;
  start(c);
  ASSERT_TRUE(c.wait_count(2));
  // Give a late, wrong match a chance to show up: wait for one more file.
  append(path("a/b/later.log"), "later\n");
  ASSERT_TRUE(c.wait_count(3));
  auto b = c.bodies();
  std::sort(b.begin(), b.end());
  EXPECT_EQ(b, (std::vector<std::string>{"deep", "later", "top"}));
}

TEST_F(FileSourceTest, PartialLineIsHeldUntilItsNewline) {
  append(path("a.log"), "first\nabc");
  Collector c;
  FileSource& s = start(c);
  ASSERT_TRUE(c.wait_count(1));
  // The same read saw "abc"; nothing is emitted for it.
  ASSERT_TRUE(eventually([&] {
    auto st = s.file_stats();
    return st.size() == 1 && st[0].position == 6 && st[0].size == 9 && st[0].lag_bytes == 3;
  }));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"first"}));
  append(path("a.log"), "def\n");
  ASSERT_TRUE(c.wait_count(2));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"first", "abcdef"}));
  EXPECT_EQ(c.positions()[key_of(path("a.log"))], 13u);
}

TEST_F(FileSourceTest, CrLfLineEndings) {
  append(path("w.log"), "dos1\r\ndos2\r\nunix\n");
  Collector c;
  start(c);
  ASSERT_TRUE(c.wait_count(3));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"dos1", "dos2", "unix"}));
  EXPECT_EQ(c.positions()[key_of(path("w.log"))], 17u);
}

TEST_F(FileSourceTest, LongLinesAreSplitNeverDropped) {
  options_.max_line_bytes = 16;
  std::string longline;
  for (int i = 0; i < 40; ++i) longline += static_cast<char>('a' + i % 26);
  append(path("l.log"), longline + "\nshort\n");
  Collector c;
  start(c);
  ASSERT_TRUE(c.wait_count(4));
  auto recs = c.records();
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].body + recs[1].body + recs[2].body, longline);
  EXPECT_EQ(recs[0].body.size(), 16u);
  EXPECT_EQ(attr(recs[0], "log.split"), "first");
  EXPECT_EQ(attr(recs[1], "log.split"), "middle");
  EXPECT_EQ(attr(recs[2], "log.split"), "last");
  EXPECT_EQ(recs[3].body, "short");
  EXPECT_EQ(attr(recs[3], "log.split"), "<none>");
}

TEST_F(FileSourceTest, CopyTruncateRestartsFromZero) {
  append(path("t.log"), "l1\nl2\n");
  Collector c;
  start(c);
  ASSERT_TRUE(c.wait_count(2));
  std::string old_key = key_of(path("t.log"));
  ASSERT_EQ(::truncate(path("t.log").c_str(), 0), 0);
  append(path("t.log"), "n1\n");
  ASSERT_TRUE(c.wait_count(3));
  // Truncated and rewritten past the old position between two polls: the
  // changed first line gives it away.
  std::string big = "first-line-of-a-new-generation\n";
  ASSERT_EQ(::truncate(path("t.log").c_str(), 0), 0);
  int fd = ::open(path("t.log").c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_EQ(::pwrite(fd, big.data(), big.size(), 0), static_cast<ssize_t>(big.size()));
  ::close(fd);
  ASSERT_TRUE(c.wait_count(4));
  auto b = c.bodies();
  EXPECT_EQ(b, (std::vector<std::string>{"l1", "l2", "n1", "first-line-of-a-new-generation"}));
  EXPECT_EQ(c.positions()[key_of(path("t.log"))], big.size());
  EXPECT_NE(key_of(path("t.log")), old_key);
}

TEST_F(FileSourceTest, DeletedWhileOpenIsDrainedIncludingFinalPartialLine) {
  int fd = ::open(path("d.log").c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  write_all(fd, "x\n");
  Collector c;
  FileSource& s = start(c);
  ASSERT_TRUE(c.wait_count(1));
  ASSERT_EQ(::unlink(path("d.log").c_str()), 0);
  write_all(fd, "y\nz");
  ::close(fd);
  ASSERT_TRUE(c.wait_count(3));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_TRUE(eventually([&] { return s.file_stats().empty(); }));
}

TEST_F(FileSourceTest, ReusedInodeWithDifferentContentIsANewFile) {
  append(path("r.log"), "old-a\nold-b\n");
  struct stat st1 {};
  ::stat(path("r.log").c_str(), &st1);
  Collector c;
  FileSource& s = start(c);
  ASSERT_TRUE(c.wait_count(2));
  std::string old_key = key_of(path("r.log"));
  ASSERT_EQ(::unlink(path("r.log").c_str()), 0);
  ASSERT_TRUE(eventually([&] { return s.file_stats().empty(); }));  // drained and closed: the inode is free
  append(path("r.log"), "new-1\nnew-2\n");
  ASSERT_TRUE(c.wait_count(4));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"old-a", "old-b", "new-1", "new-2"}));
  struct stat st2 {};
  ::stat(path("r.log").c_str(), &st2);
  std::string new_key = key_of(path("r.log"));
  EXPECT_NE(new_key, old_key);
  if (st1.st_ino == st2.st_ino) {
    // Same inode: only the fingerprint tells the files apart.
    EXPECT_EQ(old_key.substr(0, old_key.rfind(':')), new_key.substr(0, new_key.rfind(':')));
  }
  EXPECT_EQ(c.positions()[new_key], 12u);
}

TEST_F(FileSourceTest, FileWithoutCompleteFirstLineIsNotReadYet) {
  options_.fingerprint_bytes = 64;
  append(path("f.log"), "no newline yet");
  Collector c;
  FileSource& s = start(c);
  ASSERT_TRUE(eventually([&] {
    auto st = s.file_stats();
    return st.size() == 1 && st[0].key.empty() && st[0].size == 14;
  }));
  append(path("f.log"), "\nsecond\n");
  ASSERT_TRUE(c.wait_count(2));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"no newline yet", "second"}));
}

// Exactly once across a crash: only a prefix of the batches was committed;
// a new source started with those positions emits exactly the rest.
TEST_F(FileSourceTest, ResumeFromCommittedPositionsIsExactlyOnce) {
  std::map<std::string, std::vector<std::string>> expected;
  for (const char* name : {"p.log", "q.log"}) {
    std::string data;
    for (int i = 0; i < 100; ++i) {
      std::string line = std::string(name) + "-" + std::to_string(i);
      data += line + (i % 3 == 0 ? "\r\n" : "\n");
      expected[path(name)].push_back(line);
    }
    append(path(name), data);
  }
  options_.max_batch_records = 7;
  options_.max_bytes_per_turn = 100;  // interleave the two files
  Collector first;
  start(first);
  ASSERT_TRUE(first.wait_count(200));
  source_->stop();
  auto batches = first.batches();
  for (const auto& b : batches) EXPECT_LE(b.records.size(), 7u);
  ASSERT_GT(batches.size(), 4u);

  // The store made only the first half durable before the crash.
  size_t k = batches.size() / 2;
  Collector second;
  std::vector<LogRecord> seen;
  for (size_t i = 0; i < k; ++i) {
    for (const auto& p : batches[i].positions) second.ctx.committed[p.key] = p.offset;
    seen.insert(seen.end(), batches[i].records.begin(), batches[i].records.end());
  }
  // More lines arrive while the process is down.
  for (const char* name : {"p.log", "q.log"}) {
    for (int i = 100; i < 120; ++i) {
      std::string line = std::string(name) + "-" + std::to_string(i);
      append(path(name), line + "\n");
      expected[path(name)].push_back(line);
    }
  }
  start(second);
  size_t remaining = 240 - seen.size();
  ASSERT_TRUE(second.wait_count(remaining));
  auto more = second.records();
  seen.insert(seen.end(), more.begin(), more.end());
  std::map<std::string, std::vector<std::string>> got;
  for (const auto& r : seen) got[attr(r, "log.file.path")].push_back(r.body);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(second.positions()[key_of(path("p.log"))], fs::file_size(path("p.log")));
}

TEST_F(FileSourceTest, CommittedPositionWinsOverStartAt) {
  append(path("c.log"), "a\nb\nc\n");
  options_.start_at = "end";
  Collector c;
  c.ctx.committed[key_of(path("c.log"))] = 2;
  start(c);
  ASSERT_TRUE(c.wait_count(2));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"b", "c"}));
}

// Resuming a key whose copies on other paths had got further, the source
// ends a batch at each of their offsets (SourceContext::resume_cuts).
TEST_F(FileSourceTest, ResumeCutsEndBatchesWhereOtherPathsStopped) {
  append(path("c.log"), "a\nb\nc\nd\ne\nf\n");
  Collector c;
  c.ctx.committed[key_of(path("c.log"))] = 2;
  c.ctx.resume_cuts[key_of(path("c.log"))] = {6, 8};
  start(c);
  ASSERT_TRUE(c.wait_count(5));
  std::vector<std::vector<std::string>> batches;
  std::vector<uint64_t> ends;
  for (const auto& b : c.batches()) {
    auto& bodies = batches.emplace_back();
    for (const auto& r : b.records) bodies.push_back(r.body);
    ASSERT_EQ(b.positions.size(), 1u);
    ends.push_back(b.positions[0].offset);
  }
  EXPECT_EQ(batches, (std::vector<std::vector<std::string>>{{"b", "c"}, {"d"}, {"e", "f"}}));
  EXPECT_EQ(ends, (std::vector<uint64_t>{6, 8, 12}));
  // What is read again up to the last cut is flagged, what follows is not.
  std::vector<bool> replay;
  for (const auto& b : c.batches()) replay.push_back(b.positions[0].replay == SourcePosition::Replay::kWhole);
  EXPECT_EQ(replay, (std::vector<bool>{true, true, false}));
}

// A cut past the file's end: the file was truncated since some sink read it
// there, so what it holds now is new to every sink, and nothing is flagged.
TEST_F(FileSourceTest, ResumeCutsPastTheEndFlagNothing) {
  append(path("c.log"), "a\nb\nc\n");
  Collector c;
  c.ctx.committed[key_of(path("c.log"))] = 2;
  c.ctx.resume_cuts[key_of(path("c.log"))] = {4, 100};
  start(c);
  ASSERT_TRUE(c.wait_count(2));
  for (const auto& b : c.batches()) {
    for (const auto& p : b.positions) EXPECT_EQ(p.replay, SourcePosition::Replay::kNo) << p.offset;
  }
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"b", "c"}));
}

// Lines read again share no batch with another file's: a sink that had them
// skips the batch whole, and must not skip the other file's lines with it.
TEST_F(FileSourceTest, LinesReadAgainShareNoBatchWithAnotherFile) {
  append(path("a.log"), "a1\na2\na3\na4\na5\na6\na7\na8\na9\n");
  append(path("b.log"), "b1\nb2\nb3\nb4\nb5\nb6\n");
  options_.max_bytes_per_turn = 6;  // the source takes turns between the two files
  Collector c;
  c.ctx.committed[key_of(path("a.log"))] = 0;
  c.ctx.resume_cuts[key_of(path("a.log"))] = {27};
  start(c);
  ASSERT_TRUE(c.wait_count(15));
  for (const auto& b : c.batches()) {
    ASSERT_EQ(b.positions.size(), 1u) << "a batch holds lines of two files";
    const bool from_a = b.positions[0].key == key_of(path("a.log"));
    EXPECT_EQ(b.positions[0].replay != SourcePosition::Replay::kNo, from_a);
  }
}

TEST_F(FileSourceTest, CommittedPositionBeyondEndMeansTruncatedStartAtZero) {
  append(path("s.log"), "a\nb\n");
  Collector c;
  c.ctx.committed[key_of(path("s.log"))] = 1000;
  start(c);
  ASSERT_TRUE(c.wait_count(2));
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"a", "b"}));
}

// A writer appends numbered lines and rotates by rename every kPerFile lines,
// writing a few more lines to the old descriptor after the rename, as a
// daemon does before it reopens its log. Every number must arrive exactly
// once, in order within each file generation.
class RotationTest : public FileSourceTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(RotationTest, RenameRotationUnderConcurrentWrites) {
  constexpr int kLines = 3000;
  constexpr int kPerFile = 300;
  constexpr int kAfterRename = 5;
  options_.include = {dir_ + "/" + GetParam()};
  options_.max_batch_records = 64;
  const std::string live = path("app.log");
  int fd = ::open(live.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  Collector c;
  FileSource& s = start(c);

  std::thread writer([&] {
    int gen = 0;
    int in_file = 0;
    int renamed_ago = -1;  // lines written since the rename, or -1
    for (int i = 0; i < kLines; ++i) {
      std::string line = "gen=" + std::to_string(gen) + " seq=" + std::to_string(i) + "\n";
      write_all(fd, line);
      ++in_file;
      if (renamed_ago >= 0 && ++renamed_ago == kAfterRename) {
        ::close(fd);
        fd = ::open(live.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        ++gen;
        in_file = 0;
        renamed_ago = -1;
      } else if (renamed_ago < 0 && in_file == kPerFile) {
        // Rotate only once the source follows this file: a file that lives
        // at a matched path for less than a scan can be missed by any
        // polling tailer (real rotation periods are far longer).
        struct stat st {};
        ::fstat(fd, &st);
        std::string prefix = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":";
        EXPECT_TRUE(eventually([&] {
          for (const auto& f : s.file_stats()) {
            if (f.key.rfind(prefix, 0) == 0) return true;
          }
          return false;
        }));
        ::rename(live.c_str(), path("app.log." + std::to_string(gen)).c_str());
        renamed_ago = 0;
      }
      if (i % 50 == 0) std::this_thread::sleep_for(1ms);  // let the reader interleave
    }
    ::close(fd);
  });
  writer.join();

  if (!c.wait_count(kLines)) {
    std::vector<int> seen(kLines, 0);
    for (const auto& b : c.bodies()) {
      int g = 0, q = 0;
      if (std::sscanf(b.c_str(), "gen=%d seq=%d", &g, &q) == 2) ++seen[q];
    }
    std::string missing;
    for (int i = 0; i < kLines; ++i) {
      if (seen[i] != 1 && missing.size() < 400) missing += std::to_string(i) + "x" + std::to_string(seen[i]) + " ";
    }
    for (const auto& st : s.file_stats())
      missing += "\n" + st.path + " " + st.key + " pos=" + std::to_string(st.position) +
                 " size=" + std::to_string(st.size) + " rotated=" + std::to_string(st.rotated);
    FAIL() << "got " << c.bodies().size() << " missing: " << missing;
  }
  // Let rotated files settle and close (the ones still matched stay open),
  // so a late duplicate would have shown up.
  ASSERT_TRUE(eventually([&] {
    for (const auto& st : s.file_stats()) {
      if (st.rotated || st.lag_bytes != 0) return false;
    }
    return true;
  }));
  auto bodies = c.bodies();
  EXPECT_EQ(bodies.size(), static_cast<size_t>(kLines));
  std::vector<int> count(kLines, 0);
  std::map<int, int> last_in_gen;
  for (const auto& b : bodies) {
    int gen = 0, seq = 0;
    ASSERT_EQ(std::sscanf(b.c_str(), "gen=%d seq=%d", &gen, &seq), 2) << b;
    ASSERT_GE(seq, 0);
    ASSERT_LT(seq, kLines);
    ++count[seq];
    auto it = last_in_gen.find(gen);
    if (it != last_in_gen.end()) {
      EXPECT_LT(it->second, seq) << "out of order in generation " << gen;
    }
    last_in_gen[gen] = seq;
  }
  for (int i = 0; i < kLines; ++i) EXPECT_EQ(count[i], 1) << "seq " << i;
  // Every file on disk was consumed to its end under its identity key.
  auto positions = c.positions();
  for (const auto& e : fs::directory_iterator(dir_)) {
    std::string k = key_of(e.path().string());
    ASSERT_TRUE(positions.count(k)) << e.path();
    EXPECT_EQ(positions[k], fs::file_size(e.path())) << e.path();
  }
}

INSTANTIATE_TEST_SUITE_P(Globs, RotationTest, ::testing::Values("app.log", "app.log*"),
                         [](const auto& info) { return info.index == 0 ? "LiveOnly" : "RotatedStillMatch"; });

TEST(FileSourceOptionsTest, TableDefaultsMatchTheStruct) {
  const auto& t = file_source_option_table();
  FileSourceOptions d = t.defaults();
  FileSourceOptions s;
  EXPECT_EQ(d.start_at, s.start_at);
  EXPECT_EQ(d.max_line_bytes, s.max_line_bytes);
  EXPECT_EQ(d.read_buffer_bytes, s.read_buffer_bytes);
  EXPECT_EQ(d.fingerprint_bytes, s.fingerprint_bytes);
  EXPECT_EQ(d.max_batch_records, s.max_batch_records);
  EXPECT_EQ(d.max_batch_bytes, s.max_batch_bytes);
  EXPECT_EQ(d.max_bytes_per_turn, s.max_bytes_per_turn);
  EXPECT_EQ(d.glob_interval, s.glob_interval);
  EXPECT_EQ(d.poll_interval, s.poll_interval);
  EXPECT_EQ(d.ignore_compressed, s.ignore_compressed);
  EXPECT_EQ(d.rotate_wait, s.rotate_wait);
  EXPECT_EQ(d.inotify, s.inotify);
  EXPECT_EQ(d.max_read_bytes_per_second, s.max_read_bytes_per_second);
  for (const auto& spec : t.specs()) EXPECT_FALSE(spec.description.empty()) << spec.name;
}

TEST(FileSourceOptionsTest, ApplyTomlAndRejectUnknownKeys) {
  const auto& t = file_source_option_table();
  auto ok = toml::parse(R"(include = ["/var/log/*.log"]
start_at = "end"
max_line_bytes = "1MiB"
poll_interval = "50ms"
)");
  FileSourceOptions o;
  ASSERT_TRUE(t.apply(ok, &o, "sources.app", "test.toml").ok());
  EXPECT_EQ(o.start_at, "end");
  EXPECT_EQ(o.max_line_bytes, 1024u * 1024u);
  EXPECT_EQ(o.poll_interval, 50ms);

  auto typo = toml::parse(R"(includ = ["/x"])");
  Status st = t.apply(typo, &o, "sources.app", "test.toml");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("\"include\""), std::string::npos) << st.message();

  auto missing = toml::parse(R"(start_at = "end")");
  EXPECT_FALSE(t.apply(missing, &o, "sources.app", "test.toml").ok());
}

TEST(FileSourceOptionsTest, Validation) {
  FileSourceOptions o;
  EXPECT_EQ(validate_file_source_options(o).code(), StatusCode::kInvalidArgument);  // no include
  o.include = {"relative/*.log"};
  EXPECT_EQ(validate_file_source_options(o).code(), StatusCode::kInvalidArgument);
  o.include = {"/abs/*.log"};
  EXPECT_TRUE(validate_file_source_options(o).ok());
  o.exclude = {"*.gz"};
  EXPECT_EQ(validate_file_source_options(o).code(), StatusCode::kInvalidArgument);
  o.exclude = {};
  o.start_at = "middle";
  EXPECT_EQ(validate_file_source_options(o).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(make_file_source("x", o).ok());
  o.start_at = "end";
  EXPECT_TRUE(make_file_source("x", o).ok());
}

}  // namespace
}  // namespace sluice
