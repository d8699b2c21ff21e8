#include "model/utf8.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

std::string fix(std::string s) {
  make_valid_utf8(s);
  return s;
}

TEST(Utf8, ValidatesRfc3629) {
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));
}

TEST(Utf8, ReplacesEachMaximalSubpart) {
  const std::string r = "\xef\xbf\xbd";
  EXPECT_EQ(fix("plain \xc3\xa9 \xf0\x9f\x98\x80"), "plain \xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_EQ(fix("a\xe2\x82"), "a" + r);  // a truncated sequence is one subpart
  EXPECT_EQ(fix("a\xe2\x82z"), "a" + r + "z");
  EXPECT_EQ(fix("\xc0\xaf"), r + r);                  // C0 never starts a sequence
  EXPECT_EQ(fix("\xf4\x90\x80\x80"), r + r + r + r);  // 90 is out of F4's range
  EXPECT_EQ(fix("\xed\xa0\x80"), r + r + r);          // surrogates
  EXPECT_EQ(fix("x\xffy\xfe"), "x" + r + "y" + r);
  EXPECT_EQ(fix("ok\xff\xfe"), "ok" + r + r);
  EXPECT_EQ(fix(""), "");
}

TEST(Utf8, EncodesCodePoints) {
  std::string s;
  for (uint32_t cp : {0x41u, 0xe9u, 0x20acu, 0x1f600u}) append_utf8(s, cp);
  EXPECT_EQ(s, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST(Utf8Test, WordAtATimeAsciiCheckAgreesAtEveryPosition) {
  // A non-ASCII byte before, inside and after each 8-byte word.
  for (size_t len = 1; len < 80; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (std::string insert : {std::string("\xff"), std::string("\xc3\xa9"), std::string("\xe2\x82")}) {
        std::string s(len, 'a');
        s.replace(at, 1, insert);
        std::string repaired;
        append_valid_utf8(repaired, s);
        EXPECT_EQ(is_valid_utf8(s), repaired == s) << len << " " << at;
      }
    }
  }
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8(std::string(100, 'x')));
}

TEST(Utf8Test, HighBitsReadOnlyTheViewsBytes) {
  // ASCII views inside a buffer whose other bytes all have the high bit:
  // the overlapping reads of the tail must stay within the view.
  std::string buffer(100, '\xff');
  for (size_t len = 0; len <= 40; ++len) {
    for (size_t at : {1u, 7u, 8u, 13u}) {
      std::string b = buffer;
      for (size_t i = 0; i < len; ++i) b[at + i] = static_cast<char>('a' + i % 26);
      EXPECT_EQ(utf8_high_bits(std::string_view(b).substr(at, len)), 0u) << len << " at " << at;
    }
  }
}

TEST(Utf8Test, HighBitsAreZeroExactlyForAscii) {
  // A byte with its high bit set before, inside and after each 8-byte word.
  for (size_t len = 0; len < 40; ++len) {
    EXPECT_EQ(utf8_high_bits(std::string(len, '\x7f')), 0u) << len;
    for (size_t at = 0; at < len; ++at) {
      for (char c : {'\x80', '\xc3', '\xff'}) {
        std::string s(len, 'a');
        s[at] = c;
        EXPECT_NE(utf8_high_bits(s), 0u) << len << " " << at;
      }
    }
  }
}

}  // namespace
}  // namespace sluice
