// Env::map_region on the POSIX file system (mmap) and in memory (the
// default, a copy): the same bytes, unchanged by later appends and by the
// file's removal, a clear error past the file's end, and PosixEnv's cap on
// live mappings.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/env.hpp"
#include "common/env_mem.hpp"

namespace sluice {
namespace {

class MapRegionTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      char tmpl[] = "/tmp/sluice_env_posix_XXXXXX";
      ASSERT_NE(::mkdtemp(tmpl), nullptr);
      dir_ = tmpl;
      env_ = Env::posix();
    } else {
      dir_ = "/data";
      env_ = mem_.get();
      ASSERT_TRUE(env_->create_dirs(dir_).ok());
    }
  }
  void TearDown() override {
    std::error_code ec;
    if (GetParam()) std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<MemEnv> mem_ = new_mem_env();
  Env* env_ = nullptr;
  std::string dir_;
};

INSTANTIATE_TEST_SUITE_P(Envs, MapRegionTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Posix" : "Mem"; });

TEST_P(MapRegionTest, MapsUnalignedRegionsThatOutliveAppendsAndRemoval) {
  const std::string path = dir_ + "/f";
  std::string content;
  for (int i = 0; i < 3000; ++i) content += std::to_string(i) + ",";  // ~13 KB: spans pages
  {
    auto w = env_->open_appendable(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->append(content).ok());
  }
  // Offsets inside a page, on a page boundary, the whole file, the last
  // byte, across a boundary, ending on one.
  const std::pair<uint64_t, size_t> regions[] = {
      {5, 100}, {4096, 5000}, {0, content.size()}, {content.size() - 1, 1}, {4000, 200}, {100, 3996}};
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<std::shared_ptr<const MappedRegion>> maps;
  for (auto [offset, size] : regions) {
    auto m = env_->map_region(path, offset, size);
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    EXPECT_EQ((*m)->bytes(), std::string_view(content).substr(offset, size)) << offset;
    if (GetParam()) {
      // Mapped, not copied: the bytes sit where the file's page puts them.
      EXPECT_EQ(reinterpret_cast<uintptr_t>((*m)->bytes().data()) % page, offset % page) << offset;
    }
    maps.push_back(std::move(*m));
  }
  auto empty = env_->map_region(path, content.size(), 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->bytes().empty());
  {
    auto w = env_->open_appendable(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->append(std::string(10000, 'x')).ok());
  }
  ASSERT_TRUE(env_->remove_file(path).ok());
  for (size_t i = 0; i < maps.size(); ++i) {
    auto [offset, size] = regions[i];
    EXPECT_EQ(maps[i]->bytes(), std::string_view(content).substr(offset, size)) << offset;
  }
}

// PosixEnv keeps at most Env::kMaxLiveMappings mappings alive, so that the
// process stays under the kernel's vm.max_map_count; a released one makes
// room again.
TEST(MapRegionPosixTest, LiveMappingsAreCapped) {
  char tmpl[] = "/tmp/sluice_env_map_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  Env* env = Env::posix();
  {
    auto w = env->open_appendable(dir + "/f");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->append("abc").ok());
  }
  std::vector<std::shared_ptr<const MappedRegion>> maps;
  for (size_t i = 0; i < Env::kMaxLiveMappings; ++i) {
    auto m = env->map_region(dir + "/f", 1, 2);
    ASSERT_TRUE(m.ok()) << i << ": " << m.status().to_string();
    maps.push_back(std::move(*m));
  }
  auto over = env->map_region(dir + "/f", 1, 2);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.status().message().find(dir + "/f bytes [1, 3)"), std::string::npos) << over.status().message();
  maps.pop_back();
  auto again = env->map_region(dir + "/f", 1, 2);
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ((*again)->bytes(), "bc");
  maps.clear();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST_P(MapRegionTest, RegionPastTheEndIsRefusedWithTheFileNamed) {
  const std::string path = dir_ + "/short";
  {
    auto w = env_->open_appendable(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->append("0123456789").ok());
  }
  for (auto [offset, size] : {std::pair<uint64_t, size_t>{5, 6}, {11, 0}, {100, 1}}) {
    auto m = env_->map_region(path, offset, size);
    ASSERT_FALSE(m.ok()) << offset << "+" << size;
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(m.status().message().find(path), std::string::npos) << m.status().message();
    EXPECT_NE(m.status().message().find("past its end at 10"), std::string::npos) << m.status().message();
  }
  auto missing = env_->map_region(dir_ + "/missing", 0, 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sluice
