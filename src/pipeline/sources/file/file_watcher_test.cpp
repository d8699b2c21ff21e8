#include "pipeline/sources/file/file_watcher.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace sluice {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kWaitNs = 5'000'000'000;

class FileWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice_file_watcher_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto w = FileWatcher::open(true, "test");
    ASSERT_TRUE(w.ok()) << w.status().to_string();
    watcher_ = std::move(*w);
    if (!watcher_->active()) GTEST_SKIP() << "no inotify here";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  /// Waits until an event with `wd` and any bit of `mask` arrives.
  bool wait_event(int wd, uint32_t mask, const std::string& name = "") {
    auto end = std::chrono::steady_clock::now() + std::chrono::nanoseconds(kWaitNs);
    while (std::chrono::steady_clock::now() < end) {
      std::vector<FileWatcher::Event> events;
      watcher_->wait(100'000'000, &events);
      for (const auto& e : events) {
        if (e.wd == wd && (e.mask & mask) && (name.empty() || e.name == name)) return true;
      }
    }
    return false;
  }
  std::string dir_;
  std::unique_ptr<FileWatcher> watcher_;
};

TEST_F(FileWatcherTest, DirectoryReportsCreateAndRename) {
  std::string error;
  int wd = watcher_->add_dir(dir_, &error);
  ASSERT_GE(wd, 0) << error;
  int fd = ::open((dir_ + "/a.log").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ::close(fd);
  EXPECT_TRUE(wait_event(wd, IN_CREATE, "a.log"));
  fs::rename(dir_ + "/a.log", dir_ + "/a.log.1");
  EXPECT_TRUE(wait_event(wd, IN_MOVED_TO, "a.log.1"));
}

TEST_F(FileWatcherTest, FileReportsWritesTruncationAndUnlinkThroughItsDescriptor) {
  std::string p = dir_ + "/b.log";
  int w = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  int r = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  std::string error;
  int wd = watcher_->add_file(r, &error);
  ASSERT_GE(wd, 0) << error;
  ASSERT_EQ(::write(w, "x\n", 2), 2);
  EXPECT_TRUE(wait_event(wd, IN_MODIFY));
  ASSERT_EQ(::ftruncate(w, 0), 0);
  EXPECT_TRUE(wait_event(wd, IN_MODIFY));
  ASSERT_EQ(::unlink(p.c_str()), 0);
  EXPECT_TRUE(wait_event(wd, IN_ATTRIB));  // link count dropped; the inode lives on while open
  ::close(w);
  ::close(r);
}

TEST_F(FileWatcherTest, WakeReturnsAWaitFromAnotherThread) {
  std::thread t([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    watcher_->wake();
  });
  std::vector<FileWatcher::Event> events;
  watcher_->wait(30'000'000'000, &events);  // returns when woken (a broken wake shows as a 30 s test)
  t.join();
  EXPECT_TRUE(events.empty());
}

TEST(FileWatcherInactiveTest, WithoutInotifyWatchesFailAndWaitStillSleepsAndWakes) {
  auto w = FileWatcher::open(false, "test");
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE((*w)->active());
  std::string error;
  EXPECT_EQ((*w)->add_dir("/tmp", &error), -1);
  (*w)->wake();
  std::vector<FileWatcher::Event> events;
  (*w)->wait(30'000'000'000, &events);  // returns at once: woken
  EXPECT_TRUE(events.empty());
}

}  // namespace
}  // namespace sluice
