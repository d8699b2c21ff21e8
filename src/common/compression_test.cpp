#include "common/compression.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

std::string sample() {
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "line " + std::to_string(i) + " GET /index.html 200\n";
  return s;
}

TEST(Compression, RoundTripsEveryCodecAtEveryLevel) {
  const std::string in = sample();
  for (Compression c :
       {Compression::kNone, Compression::kGzip, Compression::kDeflate, Compression::kZstd, Compression::kSnappy}) {
    for (CompressionLevel level : {CompressionLevel::kDefault, CompressionLevel::kFast}) {
      auto packed = compress(c, in, level);
      ASSERT_TRUE(packed.ok()) << compression_name(c);
      auto out = decompress(c, *packed, in.size());
      ASSERT_TRUE(out.ok()) << compression_name(c) << ": " << out.status().to_string();
      EXPECT_EQ(*out, in) << compression_name(c);
    }
  }
}

TEST(Compression, StopsAtTheCapWithResourceExhausted) {
  const std::string zeros(10 << 20, '\0');  // a small zip bomb: 10 MiB of zeros
  for (Compression c :
       {Compression::kNone, Compression::kGzip, Compression::kDeflate, Compression::kZstd, Compression::kSnappy}) {
    auto packed = compress(c, zeros);
    ASSERT_TRUE(packed.ok());
    auto out = decompress(c, *packed, 1 << 20);
    ASSERT_FALSE(out.ok()) << compression_name(c);
    EXPECT_EQ(out.status().code(), StatusCode::kResourceExhausted) << compression_name(c);
    EXPECT_NE(out.status().message().find("1048576"), std::string::npos) << out.status().message();
  }
}

TEST(Compression, CorruptOrTruncatedInputIsInvalidArgument) {
  const std::string in = sample();
  for (Compression c : {Compression::kGzip, Compression::kDeflate, Compression::kZstd, Compression::kSnappy}) {
    auto packed = compress(c, in);
    ASSERT_TRUE(packed.ok());
    std::string truncated = packed->substr(0, packed->size() / 2);
    auto out = decompress(c, truncated, 100 << 20);
    ASSERT_FALSE(out.ok()) << compression_name(c) << " accepted a truncated body";
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << compression_name(c);
    std::string garbage = "this is not compressed at all";
    out = decompress(c, garbage, 100 << 20);
    ASSERT_FALSE(out.ok()) << compression_name(c) << " accepted garbage";
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << compression_name(c);
  }
}

TEST(Compression, GzipBodyMayHoldSeveralMembers) {
  auto a = compress(Compression::kGzip, "first ");
  auto b = compress(Compression::kGzip, "second");
  ASSERT_TRUE(a.ok() && b.ok());
  auto out = decompress(Compression::kGzip, *a + *b, 1000);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(*out, "first second");
}

TEST(Compression, NamesFollowContentEncoding) {
  EXPECT_EQ(*compression_from_name("GZIP"), Compression::kGzip);
  EXPECT_EQ(*compression_from_name("x-gzip"), Compression::kGzip);
  EXPECT_EQ(*compression_from_name(""), Compression::kNone);
  EXPECT_EQ(*compression_from_name("identity"), Compression::kNone);
  EXPECT_EQ(*compression_from_name("zstd"), Compression::kZstd);
  auto bad = compression_from_name("br");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"br\""), std::string::npos);
}

}  // namespace
}  // namespace sluice
