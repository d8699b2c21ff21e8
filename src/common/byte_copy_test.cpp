#include "common/byte_copy.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(AppendBytes, CopiesEveryLengthExactlyAndNothingAround) {
  std::string source;
  for (int i = 0; i < 100; ++i) source += static_cast<char>('a' + i % 26);
  for (size_t n = 0; n <= 80; ++n) {
    std::string buffer(100, '#');
    char* end = append_bytes(buffer.data() + 5, std::string_view(source.data() + 3, n));
    EXPECT_EQ(end, buffer.data() + 5 + n) << n;
    EXPECT_EQ(buffer.substr(5, n), source.substr(3, n)) << n;
    EXPECT_EQ(buffer.substr(0, 5), "#####") << n;
    EXPECT_EQ(buffer.substr(5 + n), std::string(95 - n, '#')) << n;
  }
}

}  // namespace
}  // namespace sluice
