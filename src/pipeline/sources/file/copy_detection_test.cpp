#include "pipeline/sources/file/copy_detection.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "pipeline/sources/file/tailed_file.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;

class CopyDetectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice_copy_detection_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  /// Writes `data` to a new file and returns it open for reading.
  UniqueFd file(const std::string& name, const std::string& data) {
    std::string p = dir_ + "/" + name;
    int w = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    EXPECT_EQ(::write(w, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(w);
    return UniqueFd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
  }
  static std::string lines(int from, int to) {
    std::string s;
    for (int i = from; i < to; ++i) s += "2025-01-01T00:00:00Z request " + std::to_string(i) + "\n";
    return s;
  }
  std::string dir_;
};

TEST_F(CopyDetectionTest, CheckpointHashesTheBytesBeforeTheOffset) {
  std::string data = lines(0, 50);
  UniqueFd fd = file("a.log", data);
  auto cp = read_checkpoint(fd.fd(), 1000, "a.log");
  ASSERT_TRUE(cp.ok() && cp->has_value());
  EXPECT_EQ((*cp)->offset, 1000u);
  EXPECT_EQ((*cp)->length, kCheckpointBytes);
  EXPECT_EQ(**cp, make_checkpoint(std::string_view(data).substr(0, 1000), 1000));
  // Near the start, fewer bytes.
  auto early = read_checkpoint(fd.fd(), 10, "a.log");
  ASSERT_TRUE(early.ok() && early->has_value());
  EXPECT_EQ((*early)->length, 10u);
  // Past the end: none.
  auto past = read_checkpoint(fd.fd(), data.size() + 1, "a.log");
  ASSERT_TRUE(past.ok());
  EXPECT_FALSE(past->has_value());
  EXPECT_TRUE(*matches_checkpoint(fd.fd(), **cp, "a.log"));
  UniqueFd other = file("b.log", lines(0, 20) + "changed\n" + lines(21, 50));
  EXPECT_FALSE(*matches_checkpoint(other.fd(), **cp, "b.log"));
}

TEST_F(CopyDetectionTest, RingKeepsTheNewestAndForgetsOffsetsPastAReset) {
  CheckpointRing ring;
  EXPECT_EQ(ring.newest(), nullptr);
  for (uint64_t off : {100, 200, 300, 400, 500}) ring.record(Checkpoint{off, 10, off * 7});
  ASSERT_NE(ring.newest(), nullptr);
  EXPECT_EQ(ring.newest()->offset, 500u);
  EXPECT_EQ(ring.newest_at_or_below(450)->offset, 400u);
  EXPECT_EQ(ring.newest_at_or_below(200)->offset, 200u);
  EXPECT_EQ(ring.newest_at_or_below(150), nullptr);  // 100 was dropped (ring of 4)
  ring.record(Checkpoint{250, 10, 1});               // after a reset: 300..500 no longer hold
  EXPECT_EQ(ring.newest()->offset, 250u);
  EXPECT_EQ(ring.newest_at_or_below(1000)->offset, 250u);
}

TEST_F(CopyDetectionTest, CopyResumesAtThePositionWhenItHasEverythingRead) {
  std::string original = lines(0, 100);
  const uint64_t read_to = 2000;  // a line boundary is not needed for the hash
  CheckpointRing ring;
  ring.record(make_checkpoint(std::string_view(original).substr(0, 1200), 1200));
  ring.record(make_checkpoint(std::string_view(original).substr(0, read_to), read_to));

  UniqueFd copy = file("copy", original);
  auto at = copy_resume_offset(copy.fd(), original.size(), "copy", read_to, ring);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(*at, std::optional<uint64_t>(read_to));

  // A copy taken before the last read (logrotate's race: lines written
  // between its copy and its truncate were read from the original):
  // everything in it was read.
  UniqueFd shorter = file("shorter", original.substr(0, 1500));
  at = copy_resume_offset(shorter.fd(), 1500, "shorter", read_to, ring);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(*at, std::optional<uint64_t>(1500));

  // Same first line, different content: not a copy.
  UniqueFd unrelated = file("unrelated", lines(0, 1) + "other content\n" + lines(200, 300));
  at = copy_resume_offset(unrelated.fd(), 3000, "unrelated", read_to, ring);
  ASSERT_TRUE(at.ok());
  EXPECT_FALSE(at->has_value());

  // Too short to check against any checkpoint: not proven a copy.
  UniqueFd tiny = file("tiny", original.substr(0, 500));
  at = copy_resume_offset(tiny.fd(), 500, "tiny", read_to, ring);
  ASSERT_TRUE(at.ok());
  EXPECT_FALSE(at->has_value());
}

TEST_F(CopyDetectionTest, SameBytesBefore) {
  UniqueFd a = file("a", lines(0, 30));
  UniqueFd b = file("b", lines(0, 30) + lines(30, 40));
  UniqueFd c = file("c", lines(0, 29) + "x\n");
  uint64_t n = lines(0, 30).size();
  EXPECT_TRUE(*same_bytes_before(a.fd(), "a", b.fd(), "b", n));
  EXPECT_FALSE(*same_bytes_before(a.fd(), "a", b.fd(), "b", n + 1));  // a is shorter
  EXPECT_FALSE(*same_bytes_before(c.fd(), "c", a.fd(), "a", lines(0, 29).size() + 2));
}

TEST(IdentityKeyTest, ParsesWhatIdentityKeyMakes) {
  std::string key = identity_key(2049, 1234567, 0xfedcba9876543210ULL);
  auto p = parse_identity_key(key);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->dev, 2049u);
  EXPECT_EQ(p->ino, 1234567u);
  EXPECT_EQ(p->hash, 0xfedcba9876543210ULL);
  for (const char* bad : {"", "1:2", "a:2:3", "1:2:", "1::3", "1:2:xyz", "1:2:3:4"}) {
    EXPECT_FALSE(parse_identity_key(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace sluice
