#include "common/env_fault.hpp"

#include <gtest/gtest.h>

#include "common/env_mem.hpp"

namespace sluice {
namespace {

class FaultInjectionEnvTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fault_.create_dirs("/d").ok()); }
  std::unique_ptr<MemEnv> mem_ = new_mem_env();
  FaultInjectionEnv fault_{mem_.get()};
};

TEST_F(FaultInjectionEnvTest, DropUnsyncedTruncatesToLastSync) {
  ASSERT_TRUE(fault_.sync_dir("/d").ok());
  {
    auto w = fault_.open_appendable("/d/a");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->append("synced").ok());
    ASSERT_TRUE((*w)->sync().ok());
    ASSERT_TRUE((*w)->append("-lost").ok());
    EXPECT_EQ(fault_.unsynced_bytes("/d/a"), 5u);
  }
  ASSERT_TRUE(fault_.sync_dir("/d").ok());
  ASSERT_TRUE(fault_.drop_unsynced_data().ok());
  EXPECT_EQ(*fault_.read_file("/d/a", 100), "synced");
  EXPECT_EQ(fault_.unsynced_bytes("/d/a"), 0u);
}

TEST_F(FaultInjectionEnvTest, NewFileWithoutDirSyncDisappears) {
  {
    auto w = fault_.open_appendable("/d/new");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->append("data").ok());
    ASSERT_TRUE((*w)->sync().ok());
  }
  ASSERT_TRUE(fault_.simulate_power_loss().ok());
  EXPECT_FALSE(fault_.exists("/d/new"));

  {
    auto w = fault_.open_appendable("/d/kept");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->append("data").ok());
    ASSERT_TRUE((*w)->sync().ok());
  }
  ASSERT_TRUE(fault_.sync_dir("/d").ok());
  ASSERT_TRUE(fault_.simulate_power_loss().ok());
  EXPECT_EQ(*fault_.read_file("/d/kept", 100), "data");
}

TEST_F(FaultInjectionEnvTest, PreexistingFilesCountAsDurable) {
  ASSERT_TRUE(mem_->put_file("/d/old", "before").ok());
  {
    auto w = fault_.open_appendable("/d/old");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->append("+after").ok());
  }
  ASSERT_TRUE(fault_.simulate_power_loss().ok());
  EXPECT_EQ(*fault_.read_file("/d/old", 100), "before");
}

TEST_F(FaultInjectionEnvTest, FailNextAppends) {
  auto w = fault_.open_appendable("/d/a");
  ASSERT_TRUE(w.ok());
  fault_.fail_next_appends(2);
  Status s = (*w)->append("one");
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find("/d/a"), std::string::npos);
  EXPECT_FALSE((*w)->append("two").ok());
  EXPECT_TRUE((*w)->append("three").ok());
  EXPECT_EQ(*fault_.read_file("/d/a", 100), "three");
  EXPECT_EQ(fault_.injected_failures(), 2);
}

TEST_F(FaultInjectionEnvTest, TornAppendWritesHalf) {
  auto w = fault_.open_appendable("/d/a");
  ASSERT_TRUE(w.ok());
  fault_.fail_next_appends(1, /*torn=*/true);
  EXPECT_FALSE((*w)->append("abcdefgh").ok());
  EXPECT_EQ(*fault_.read_file("/d/a", 100), "abcd");
  EXPECT_EQ(fault_.unsynced_bytes("/d/a"), 4u);
}

TEST_F(FaultInjectionEnvTest, FailNextSyncsKeepsDataUnsynced) {
  auto w = fault_.open_appendable("/d/a");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->append("abc").ok());
  fault_.fail_next_syncs(2);
  EXPECT_EQ((*w)->sync().code(), StatusCode::kIOError);
  EXPECT_EQ(fault_.sync_dir("/d").code(), StatusCode::kIOError);
  EXPECT_EQ(fault_.unsynced_bytes("/d/a"), 3u);
  ASSERT_TRUE((*w)->sync().ok());
  EXPECT_EQ(fault_.unsynced_bytes("/d/a"), 0u);
}

TEST_F(FaultInjectionEnvTest, RenameAndRemoveMoveTracking) {
  ASSERT_TRUE(fault_.sync_dir("/d").ok());
  {
    auto w = fault_.open_appendable("/d/a");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->append("12").ok());
    ASSERT_TRUE((*w)->sync().ok());
    ASSERT_TRUE((*w)->append("34").ok());
  }
  ASSERT_TRUE(fault_.sync_dir("/d").ok());
  ASSERT_TRUE(fault_.rename_file("/d/a", "/d/b").ok());
  EXPECT_EQ(fault_.unsynced_bytes("/d/b"), 2u);
  ASSERT_TRUE(fault_.drop_unsynced_data().ok());
  EXPECT_EQ(*fault_.read_file("/d/b", 100), "12");
  ASSERT_TRUE(fault_.remove_file("/d/b").ok());
  ASSERT_TRUE(fault_.simulate_power_loss().ok());
  EXPECT_FALSE(fault_.exists("/d/b"));
}

TEST_F(FaultInjectionEnvTest, TruncateLowersSyncedSize) {
  auto w = fault_.open_appendable("/d/a");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->append("abcdef").ok());
  ASSERT_TRUE((*w)->sync().ok());
  ASSERT_TRUE(fault_.truncate_file("/d/a", 2).ok());
  ASSERT_TRUE((*w)->append("XY").ok());
  EXPECT_EQ(fault_.unsynced_bytes("/d/a"), 2u);
  ASSERT_TRUE(fault_.drop_unsynced_data().ok());
  EXPECT_EQ(*fault_.read_file("/d/a", 100), "ab");
}

TEST(FaultInjectionEnvPosixTest, WorksOverPosix) {
  char tmpl[] = "/tmp/sluice_env_fault_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  FaultInjectionEnv fault(Env::posix());
  {
    auto w = fault.open_appendable(dir + "/f");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->append("keep").ok());
    ASSERT_TRUE((*w)->sync().ok());
    ASSERT_TRUE((*w)->append("drop").ok());
  }
  ASSERT_TRUE(fault.sync_dir(dir).ok());
  ASSERT_TRUE(fault.simulate_power_loss().ok());
  EXPECT_EQ(*fault.read_file(dir + "/f", 100), "keep");
  ASSERT_TRUE(fault.remove_file(dir + "/f").ok());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace sluice
