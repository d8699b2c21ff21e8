#include "pipeline/checkpoints.hpp"

#include <gtest/gtest.h>

#include "common/env_mem.hpp"

namespace sluice {
namespace {

TEST(Checkpoints, SurviveReopenAndKeepTheLatestPosition) {
  MemEnv env(1763737200000000000, 1);
  auto c = Checkpoints::open(&env, "/state/checkpoints/out.json");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE((*c)->positions("logs").empty());
  ASSERT_TRUE((*c)->commit({{"logs", "1:2:abc", 100, "/var/log/a.log"}, {"other", "k", 5, ""}}).ok());
  ASSERT_TRUE((*c)->commit({{"logs", "1:2:abc", 250, "/var/log/a.log"}}).ok());
  auto again = Checkpoints::open(&env, "/state/checkpoints/out.json");
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  auto p = (*again)->positions("logs");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p["1:2:abc"], 250u);
  EXPECT_EQ((*again)->positions("other")["k"], 5u);
}

TEST(Checkpoints, EraseForgetsOneSourceDurably) {
  MemEnv env(1763737200000000000, 1);
  auto c = Checkpoints::open(&env, "/state/checkpoints/out.json");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->commit({{"logs", "1:2:abc", 100, "/var/log/a.log"}, {"out", "buffer.appended", 7, ""}}).ok());
  ASSERT_TRUE((*c)->erase("out").ok());
  ASSERT_TRUE((*c)->erase("absent").ok());
  auto again = Checkpoints::open(&env, "/state/checkpoints/out.json");
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_TRUE((*again)->positions("out").empty());
  EXPECT_EQ((*again)->positions("logs")["1:2:abc"], 100u);
}

TEST(Checkpoints, DamagedFileIsAnErrorNamingIt) {
  MemEnv env(1763737200000000000, 1);
  ASSERT_TRUE(env.write_file_atomic("/c.json", "{\"version\":1,\"positions\":[{\"source\":1}]}").ok());
  auto c = Checkpoints::open(&env, "/c.json");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/c.json"), std::string::npos);
  EXPECT_NE(c.status().message().find("positions[0]"), std::string::npos);
  ASSERT_TRUE(env.write_file_atomic("/d.json", "{\"vers").ok());
  EXPECT_FALSE(Checkpoints::open(&env, "/d.json").ok());
}

}  // namespace
}  // namespace sluice
