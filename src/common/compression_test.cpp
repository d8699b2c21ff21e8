#include "common/compression.hpp"

#include <gtest/gtest.h>
#include <zstd.h>

#include <memory>

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

TEST(Compression, ZstdBodiesWithoutADeclaredSizeOrInSeveralFramesDecode) {
  const std::string in = sample();
  // A streamed frame, which does not declare its size.
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> c(ZSTD_createCCtx(), ZSTD_freeCCtx);
  ASSERT_EQ(ZSTD_CCtx_setParameter(c.get(), ZSTD_c_contentSizeFlag, 0), 0u);
  std::string streamed(ZSTD_compressBound(in.size()), '\0');
  ZSTD_outBuffer ob{streamed.data(), streamed.size(), 0};
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  ASSERT_EQ(ZSTD_compressStream2(c.get(), &ob, &ib, ZSTD_e_end), 0u);
  streamed.resize(ob.pos);
  ASSERT_EQ(ZSTD_getFrameContentSize(streamed.data(), streamed.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  auto out = decompress(Compression::kZstd, streamed, in.size());
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(*out, in);
  // Two sized frames back to back.
  auto a = compress(Compression::kZstd, "first ");
  auto b = compress(Compression::kZstd, "second");
  ASSERT_TRUE(a.ok() && b.ok());
  out = decompress(Compression::kZstd, *a + *b, 1000);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(*out, "first second");
  // The cap holds for the whole body, not one frame.
  out = decompress(Compression::kZstd, *a + *b, 8);
  EXPECT_EQ(out.status().code(), StatusCode::kResourceExhausted);
}

TEST(Compression, ZstdFrameThatLiesAboutItsSizeIsCorruptAndTheNextBodyDecodes) {
  const std::string in = sample();
  auto packed = compress(Compression::kZstd, in);
  ASSERT_TRUE(packed.ok());
  // The frame header's content size (4 bytes after the magic and the
  // descriptor, for this size) made one byte larger.
  std::string lying = *packed;
  const unsigned char descriptor = static_cast<unsigned char>(lying[4]);
  ASSERT_EQ(descriptor >> 6, 2) << "expected a 4-byte content size field";
  const size_t at = 4 + 1 + ((descriptor & 0x20) ? 0 : 1);
  lying[at] = static_cast<char>(static_cast<unsigned char>(lying[at]) + 1);
  ASSERT_EQ(ZSTD_getFrameContentSize(lying.data(), lying.size()), in.size() + 1);
  auto out = decompress(Compression::kZstd, lying, 100 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << out.status().to_string();
  // The thread's context decodes the next body as if nothing happened.
  out = decompress(Compression::kZstd, *packed, in.size());
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(*out, in);
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
