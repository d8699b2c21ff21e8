#include "pipeline/sources/file/compressed.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

using std::string_literals::operator""s;

TEST(SniffCompressedTest, RecognisesEachFormatByItsSignature) {
  struct Case {
    std::string head;
    std::string_view format;
  };
  const Case cases[] = {
      {"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"s, "gzip"},
      {"BZh91AY&SY\x01\x02"s, "bzip2"},
      {"\xfd"
       "7zXZ\x00\x00\x04"s,
       "xz"},
      {"\x28\xb5\x2f\xfd\x24\x00"s, "zstd"},
      {"PK\x03\x04\x14\x00"s, "zip"},
      {"PK\x05\x06\x00\x00"s, "zip"},
      {"\x04\x22\x4d\x18\x64\x40"s, "lz4"},
  };
  for (const auto& c : cases) {
    std::string_view format;
    EXPECT_EQ(sniff_compressed(c.head, &format), CompressedVerdict::kCompressed) << c.format;
    EXPECT_EQ(format, c.format);
  }
}

TEST(SniffCompressedTest, TextIsPlainEvenWhenItStartsLikeASignature) {
  EXPECT_EQ(sniff_compressed("2025-01-01 GET /\n"), CompressedVerdict::kPlain);
  EXPECT_EQ(sniff_compressed("BZh is not bzip2\n"), CompressedVerdict::kPlain);  // 4th byte not 1..9
  EXPECT_EQ(sniff_compressed("BZh9 and then text"), CompressedVerdict::kPlain);  // no block magic
  EXPECT_EQ(sniff_compressed("PK-1234 shipped\n"), CompressedVerdict::kPlain);
  EXPECT_EQ(sniff_compressed("\x1f\x8b\x07 deflate is method 8"s), CompressedVerdict::kPlain);
}

TEST(SniffCompressedTest, ShortPrefixesOfASignatureAreUndecided) {
  EXPECT_EQ(sniff_compressed(""), CompressedVerdict::kUndecided);
  EXPECT_EQ(sniff_compressed("\x1f"), CompressedVerdict::kUndecided);
  EXPECT_EQ(sniff_compressed("\x1f\x8b"), CompressedVerdict::kUndecided);
  EXPECT_EQ(sniff_compressed("BZh9"), CompressedVerdict::kUndecided);
  EXPECT_EQ(sniff_compressed("P"), CompressedVerdict::kUndecided);
  EXPECT_EQ(sniff_compressed("x"), CompressedVerdict::kPlain);
}

}  // namespace
}  // namespace sluice
