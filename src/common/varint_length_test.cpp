#include "common/varint_length.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace sluice {
namespace {

/// The bytes a base-128 varint takes, one 7-bit group at a time.
size_t groups(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

TEST(VarintLength, EveryBitWidthAndItsEdges) {
  EXPECT_EQ(varint_length(0), 1u);
  EXPECT_EQ(varint_length(127), 1u);
  EXPECT_EQ(varint_length(128), 2u);
  EXPECT_EQ(varint_length(UINT64_MAX), 10u);
  for (int bits = 1; bits <= 64; ++bits) {
    const uint64_t top = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
    const uint64_t low = uint64_t{1} << (bits - 1);
    for (uint64_t v : {low, low + 1, top - 1, top}) EXPECT_EQ(varint_length(v), groups(v)) << v;
  }
}

}  // namespace
}  // namespace sluice
