#include "common/env_mem.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace sluice {
namespace {

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(MemEnvTest, AppendReadAndSize) {
  auto env = new_mem_env();
  ASSERT_TRUE(env->create_dirs("/data/wal").ok());
  auto w = env->open_appendable("/data/wal/a");
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  ASSERT_TRUE((*w)->append("hello ").ok());
  ASSERT_TRUE((*w)->append("world").ok());
  EXPECT_EQ((*w)->size(), 11u);
  ASSERT_TRUE((*w)->sync().ok());

  auto r = env->open_readable("/data/wal/a");
  ASSERT_TRUE(r.ok());
  std::string out;
  ASSERT_TRUE((*r)->read_at(6, 100, &out).ok());
  EXPECT_EQ(out, "world");
  ASSERT_TRUE((*r)->read_at(11, 5, &out).ok());
  EXPECT_EQ(out, "");
  EXPECT_EQ(*(*r)->size(), 11u);
  EXPECT_EQ(*env->file_size("/data/wal/a"), 11u);

  // Reopening appends at the end.
  auto w2 = env->open_appendable("/data/wal/a");
  ASSERT_TRUE(w2.ok());
  EXPECT_EQ((*w2)->size(), 11u);
  ASSERT_TRUE((*w2)->append("!").ok());
  EXPECT_EQ(*env->read_file("/data/wal/a", 100), "hello world!");
}

TEST(MemEnvTest, FileNeedsExistingDirectory) {
  auto env = new_mem_env();
  auto w = env->open_appendable("/nope/a");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kIOError);
  EXPECT_NE(w.status().message().find("/nope"), std::string::npos);
  EXPECT_EQ(env->open_readable("/x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env->list_dir("/nope").status().code(), StatusCode::kNotFound);
}

TEST(MemEnvTest, ListDirShowsFilesAndSubdirsOnly) {
  auto env = new_mem_env();
  ASSERT_TRUE(env->create_dirs("/d/sub/deeper").ok());
  ASSERT_TRUE(env->put_file("/d/a", "1").ok());
  ASSERT_TRUE(env->put_file("/d/b", "2").ok());
  ASSERT_TRUE(env->put_file("/d/sub/c", "3").ok());
  ASSERT_TRUE(env->put_file("/dx", "4").ok());
  EXPECT_EQ(sorted(*env->list_dir("/d")), (std::vector<std::string>{"a", "b", "sub"}));
  EXPECT_EQ(sorted(*env->list_dir("/d/")), (std::vector<std::string>{"a", "b", "sub"}));
  EXPECT_EQ(*env->list_dir("/d/sub"), (std::vector<std::string>{"c", "deeper"}));
  EXPECT_TRUE(env->exists("/d/sub"));
  EXPECT_TRUE(env->exists("/d/a"));
  EXPECT_FALSE(env->exists("/d/zz"));
}

TEST(MemEnvTest, RemoveRenameTruncate) {
  auto env = new_mem_env();
  ASSERT_TRUE(env->create_dirs("/d").ok());
  ASSERT_TRUE(env->put_file("/d/a", "abcdef").ok());
  ASSERT_TRUE(env->truncate_file("/d/a", 3).ok());
  EXPECT_EQ(*env->read_file("/d/a", 100), "abc");
  ASSERT_TRUE(env->truncate_file("/d/a", 5).ok());
  EXPECT_EQ(*env->read_file("/d/a", 100), std::string("abc\0\0", 5));
  ASSERT_TRUE(env->rename_file("/d/a", "/d/b").ok());
  EXPECT_FALSE(env->exists("/d/a"));
  EXPECT_EQ(env->read_file("/d/b", 100)->size(), 5u);
  ASSERT_TRUE(env->remove_file("/d/b").ok());
  EXPECT_EQ(env->remove_file("/d/b").code(), StatusCode::kNotFound);
  EXPECT_EQ(env->truncate_file("/d/b", 0).code(), StatusCode::kNotFound);
  EXPECT_EQ(env->read_file("/d/b", 100).status().code(), StatusCode::kNotFound);
}

TEST(MemEnvTest, RemovedFileStaysUsableThroughOpenHandles) {
  auto env = new_mem_env();
  ASSERT_TRUE(env->create_dirs("/d").ok());
  auto w = env->open_appendable("/d/a");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->append("xyz").ok());
  auto r = env->open_readable("/d/a");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(env->remove_file("/d/a").ok());
  ASSERT_TRUE((*w)->append("w").ok());
  std::string out;
  ASSERT_TRUE((*r)->read_at(0, 10, &out).ok());
  EXPECT_EQ(out, "xyzw");
  EXPECT_FALSE(env->exists("/d/a"));
}

TEST(MemEnvTest, WriteFileAtomicAndReadLimit) {
  auto env = new_mem_env();
  ASSERT_TRUE(env->create_dirs("/d").ok());
  ASSERT_TRUE(env->write_file_atomic("/d/f", "content").ok());
  EXPECT_EQ(*env->read_file("/d/f", 100), "content");
  EXPECT_FALSE(env->exists("/d/f.tmp"));
  EXPECT_EQ(env->read_file("/d/f", 3).status().code(), StatusCode::kResourceExhausted);
}

TEST(MemEnvTest, ClocksAreControlled) {
  auto env = new_mem_env();
  int64_t wall = env->now_unix_nanos();
  int64_t mono = env->now_monotonic_nanos();
  EXPECT_EQ(env->now_unix_nanos(), wall);
  env->advance_clock(1500);
  EXPECT_EQ(env->now_unix_nanos(), wall + 1500);
  EXPECT_EQ(env->now_monotonic_nanos(), mono + 1500);
  env->set_now_unix_nanos(42);
  env->set_now_monotonic_nanos(7);
  EXPECT_EQ(env->now_unix_nanos(), 42);
  EXPECT_EQ(env->now_monotonic_nanos(), 7);
}

TEST(MemEnvTest, ConcurrentWritersAndReaders) {
  auto env = new_mem_env();
  ASSERT_TRUE(env->create_dirs("/d").ok());
  constexpr int kThreads = 4;
  constexpr int kAppends = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string path = "/d/f" + std::to_string(t);
      auto w = env->open_appendable(path);
      ASSERT_TRUE(w.ok());
      for (int i = 0; i < kAppends; ++i) {
        ASSERT_TRUE((*w)->append("0123456789").ok());
        auto r = env->open_readable(path);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(*(*r)->size(), static_cast<uint64_t>(10 * (i + 1)));
        (void)env->list_dir("/d");
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(*env->file_size("/d/f" + std::to_string(t)), 10u * kAppends);
}

}  // namespace
}  // namespace sluice
