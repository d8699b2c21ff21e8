// Tests of the journald source against real journal files: written by
// systemd-journal-remote (Debian package systemd-journal-remote) from the
// Journal Export Format, read back through libsystemd. Skipped when that
// program is not installed.
#include "pipeline/sources/journald/journald_source.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kDeadline = 20s;
constexpr const char* kJournalRemote = "/lib/systemd/systemd-journal-remote";

/// A directory of journal files that tests append entries to.
class JournalDir {
 public:
  JournalDir() {
    dir_ = fs::temp_directory_path() /
           ("sluice-journald-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~JournalDir() { fs::remove_all(dir_); }
  static bool available() { return ::access(kJournalRemote, X_OK) == 0; }

  /// Appends entries (each a list of "FIELD=value" lines) to `file`.journal.
  void append(const std::vector<std::vector<std::string>>& entries, const std::string& file = "remote") {
    fs::path in = dir_ / "in.export";
    {
      std::ofstream out(in);
      for (const auto& e : entries) {
        ++n_;
        out << "__REALTIME_TIMESTAMP=" << (1700000000000000 + n_ * 1000) << "\n"
            << "__MONOTONIC_TIMESTAMP=" << n_ * 1000 << "\n"
            << "_BOOT_ID=0123456789abcdef0123456789abcdef\n";
        for (const auto& f : e) out << f << "\n";
        out << "\n";
      }
    }
    std::string cmd = std::string(kJournalRemote) + " --output=" + (dir_ / (file + ".journal")).string() + " " +
                      in.string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    fs::remove(in);
  }
  std::string str() const { return dir_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
  uint64_t n_ = 0;
};

/// Collects batches.
class Collector {
 public:
  Collector() {
    ctx.emit = [this](LogBatch&& b) {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& r : b.records) bodies_.push_back(r.body), records_.push_back(r);
      for (auto& p : b.positions) committed_[p.key] = p.offset;
      ++batches_;
      cv_.notify_all();
      return Status::Ok();
    };
  }
  bool wait_records(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return bodies_.size() >= n; });
  }
  bool wait_batches(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return batches_ >= n; });
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::vector<LogRecord> records() {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }
  std::unordered_map<std::string, uint64_t> committed() {
    std::lock_guard<std::mutex> lock(mu_);
    return committed_;
  }
  SourceContext ctx;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> bodies_;
  std::vector<LogRecord> records_;
  std::unordered_map<std::string, uint64_t> committed_;
  size_t batches_ = 0;
};

std::vector<std::vector<std::string>> messages(const std::string& prefix, int from, int to,
                                               const std::string& unit = "app.service") {
  std::vector<std::vector<std::string>> out;
  for (int i = from; i < to; ++i) {
    out.push_back({"MESSAGE=" + prefix + " " + std::to_string(i), "PRIORITY=6", "_SYSTEMD_UNIT=" + unit,
                   "SYSLOG_IDENTIFIER=app", "_PID=4242", "_HOSTNAME=host1"});
  }
  return out;
}

JournaldSourceOptions options(const JournalDir& d) {
  JournaldSourceOptions o = journald_source_option_table().defaults();
  o.directory = d.str();
  o.reopen_interval = 100ms;
  return o;
}

std::unique_ptr<Source> make(const JournaldSourceOptions& o) {
  auto s = make_journald_source("jd", o);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? std::move(*s) : nullptr;
}

#define REQUIRE_JOURNAL_REMOTE()                                                            \
  if (!JournalDir::available()) {                                                           \
    GTEST_SKIP() << kJournalRemote << " is not installed (Debian: systemd-journal-remote)"; \
  }

TEST(JournaldSource, ReadsEntriesAndMapsThem) {
  REQUIRE_JOURNAL_REMOTE();
  JournalDir d;
  d.append(messages("hello", 0, 3));
  Collector c;
  auto src = make(options(d));
  ASSERT_TRUE(src->start(&c.ctx).ok());
  ASSERT_TRUE(c.wait_records(3));
  src->stop();
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"hello 0", "hello 1", "hello 2"}));
  LogRecord r = c.records()[1];
  EXPECT_EQ(r.severity_number, 9);
  EXPECT_EQ(r.timestamp_ns, (1700000000000000 + 2 * 1000) * 1000);
  EXPECT_EQ(*find_key_value(r.attributes, "process.pid"), "4242");
  EXPECT_EQ(*find_key_value(r.attributes, "journald._SYSTEMD_UNIT"), "app.service");
  EXPECT_EQ(*find_key_value(r.resource, "host.name"), "host1");
  auto committed = c.committed();
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_EQ(committed.begin()->first.rfind("seqnum:", 0), 0u);
  EXPECT_EQ(committed.begin()->second, 4u);  // seqnums 1..3 emitted
}

TEST(JournaldSource, FollowsNewEntriesAndResumesExactlyAfterRestart) {
  REQUIRE_JOURNAL_REMOTE();
  JournalDir d;
  d.append(messages("a", 0, 5));
  Collector first;
  auto src = make(options(d));
  ASSERT_TRUE(src->start(&first.ctx).ok());
  ASSERT_TRUE(first.wait_records(5));
  d.append(messages("a", 5, 8));  // while running: picked up through inotify
  ASSERT_TRUE(first.wait_records(8));
  src->stop();

  d.append(messages("a", 8, 10));  // while stopped
  Collector second;
  second.ctx.committed = first.committed();
  src = make(options(d));
  ASSERT_TRUE(src->start(&second.ctx).ok());
  ASSERT_TRUE(second.wait_records(2));
  d.append(messages("a", 10, 11));
  ASSERT_TRUE(second.wait_records(3));
  src->stop();
  EXPECT_EQ(second.bodies(), (std::vector<std::string>{"a 8", "a 9", "a 10"}));
}

TEST(JournaldSource, OtherSequencesAreReadFromTheirStartAndFiltered) {
  REQUIRE_JOURNAL_REMOTE();
  JournalDir d;
  d.append(messages("one", 0, 3), "one");
  Collector first;
  auto src = make(options(d));
  ASSERT_TRUE(src->start(&first.ctx).ok());
  ASSERT_TRUE(first.wait_records(3));
  d.append(messages("two", 0, 2), "two");  // a second file with its own sequence
  ASSERT_TRUE(first.wait_records(5));
  src->stop();
  EXPECT_EQ(first.committed().size(), 2u);

  d.append(messages("one", 3, 4), "one");
  d.append(messages("two", 2, 3), "two");
  Collector second;
  second.ctx.committed = first.committed();
  src = make(options(d));
  ASSERT_TRUE(src->start(&second.ctx).ok());
  ASSERT_TRUE(second.wait_records(2));
  src->stop();
  auto bodies = second.bodies();
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"one 3", "two 2"}));
}

TEST(JournaldSource, StartAtEndSkipsExistingEntriesAndCommitsThatAtOnce) {
  REQUIRE_JOURNAL_REMOTE();
  JournalDir d;
  d.append(messages("old", 0, 4));
  Collector first;
  JournaldSourceOptions o = options(d);
  o.start_at = "end";
  auto src = make(o);
  ASSERT_TRUE(src->start(&first.ctx).ok());
  ASSERT_TRUE(first.wait_batches(1));  // the record-less starting point
  d.append(messages("new", 0, 2));
  ASSERT_TRUE(first.wait_records(2));
  src->stop();
  EXPECT_EQ(first.bodies(), (std::vector<std::string>{"new 0", "new 1"}));
  auto committed = first.committed();
  EXPECT_EQ(committed.count(std::string(kJournalStartKey)), 1u);
}

TEST(JournaldSource, UnitsFilter) {
  REQUIRE_JOURNAL_REMOTE();
  JournalDir d;
  auto entries = messages("app", 0, 2);
  auto other = messages("db", 0, 2, "db.service");
  entries.insert(entries.begin() + 1, other.begin(), other.end());
  d.append(entries);
  Collector c;
  JournaldSourceOptions o = options(d);
  o.units = {"db"};  // ".service" is implied
  auto src = make(o);
  ASSERT_TRUE(src->start(&c.ctx).ok());
  ASSERT_TRUE(c.wait_records(2));
  src->stop();
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"db 0", "db 1"}));
}

TEST(JournaldSource, MissingDirectoryIdlesUntilJournalAppears) {
  REQUIRE_JOURNAL_REMOTE();
  JournalDir d;
  Collector c;
  auto src = make(options(d));  // an empty directory: no journal files yet
  ASSERT_TRUE(src->start(&c.ctx).ok());
  std::this_thread::sleep_for(200ms);  // let it find nothing at least once (no assertion on timing)
  d.append(messages("late", 0, 1));
  ASSERT_TRUE(c.wait_records(1));
  src->stop();
  EXPECT_EQ(c.bodies(), (std::vector<std::string>{"late 0"}));
}

TEST(JournaldSource, RejectsRelativeDirectoryAndBadUnits) {
  JournaldSourceOptions o = journald_source_option_table().defaults();
  o.directory = "var/log/journal";
  EXPECT_EQ(make_journald_source("jd", o).status().code(), StatusCode::kInvalidArgument);
  o.directory.clear();
  o.units = {"a=b"};
  EXPECT_EQ(make_journald_source("jd", o).status().code(), StatusCode::kInvalidArgument);
}

TEST(JournaldSource, StopsPromptlyWithoutAnyJournal) {
  JournaldSourceOptions o = journald_source_option_table().defaults();
  o.directory = "/nonexistent/sluice-journal-dir";
  auto s = make_journald_source("jd", o);
  if (!s.ok()) GTEST_SKIP() << s.status().to_string();  // no libsystemd here
  Collector c;
  ASSERT_TRUE((*s)->start(&c.ctx).ok());
  (*s)->stop();
  EXPECT_TRUE(c.bodies().empty());
}

}  // namespace
}  // namespace sluice
