#include "pipeline/sources/file/line_splitter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice {
namespace {

struct Piece {
  std::string text;
  LinePart part;
  size_t end;
  bool operator==(const Piece&) const = default;
};

std::vector<Piece> split_all(LineSplitter& s, std::string_view data, bool final, size_t* used) {
  std::vector<Piece> out;
  *used = s.split(data, final, [&](std::string_view t, LinePart p, size_t end) {
    out.push_back({std::string(t), p, end});
    return true;
  });
  return out;
}

TEST(LineSplitter, CompleteLinesAndHeldPartial) {
  LineSplitter s(100);
  size_t used = 0;
  auto got = split_all(s, "a\nbb\nccc", false, &used);
  EXPECT_EQ(got, (std::vector<Piece>{{"a", LinePart::kWhole, 2}, {"bb", LinePart::kWhole, 5}}));
  EXPECT_EQ(used, 5u);
  got = split_all(s, "ccc", true, &used);
  EXPECT_EQ(got, (std::vector<Piece>{{"ccc", LinePart::kWhole, 3}}));
  EXPECT_EQ(used, 3u);
}

TEST(LineSplitter, CrLfAndEmptyLines) {
  LineSplitter s(100);
  size_t used = 0;
  auto got = split_all(s, "a\r\n\nb\r\r\n", false, &used);
  EXPECT_EQ(got,
            (std::vector<Piece>{{"a", LinePart::kWhole, 3}, {"", LinePart::kWhole, 4}, {"b\r", LinePart::kWhole, 8}}));
  EXPECT_EQ(used, 8u);
}

TEST(LineSplitter, LongLineSplitIntoPieces) {
  LineSplitter s(4);
  size_t used = 0;
  auto got = split_all(s, "0123456789\nab\n", false, &used);
  EXPECT_EQ(got, (std::vector<Piece>{{"0123", LinePart::kFirst, 4},
                                     {"4567", LinePart::kMiddle, 8},
                                     {"89", LinePart::kLast, 11},
                                     {"ab", LinePart::kWhole, 14}}));
  EXPECT_FALSE(s.mid_line());
}

TEST(LineSplitter, ExactlyMaxIsNotSplit) {
  LineSplitter s(4);
  size_t used = 0;
  // 4 bytes + CR: not known to be long yet, so held.
  auto got = split_all(s, "abcd\r", false, &used);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(used, 0u);
  got = split_all(s, "abcd\r\n", false, &used);
  EXPECT_EQ(got, (std::vector<Piece>{{"abcd", LinePart::kWhole, 6}}));
}

TEST(LineSplitter, PartialLongLineEmitsPiecesBeforeNewline) {
  LineSplitter s(4);
  size_t used = 0;
  auto got = split_all(s, "abcdef", false, &used);  // >= max + 2 bytes: must be split
  EXPECT_EQ(got, (std::vector<Piece>{{"abcd", LinePart::kFirst, 4}}));
  EXPECT_EQ(used, 4u);
  EXPECT_TRUE(s.mid_line());
  got = split_all(s, "ef\n", false, &used);
  EXPECT_EQ(got, (std::vector<Piece>{{"ef", LinePart::kLast, 3}}));
  EXPECT_FALSE(s.mid_line());
}

TEST(LineSplitter, StopsWhenCallbackSaysSo) {
  LineSplitter s(100);
  size_t n = s.split("a\nb\nc\n", false, [](std::string_view, LinePart, size_t) { return false; });
  EXPECT_EQ(n, 2u);
}

TEST(LineSplitter, PartNames) {
  EXPECT_EQ(line_part_name(LinePart::kWhole), "");
  EXPECT_EQ(line_part_name(LinePart::kFirst), "first");
  EXPECT_EQ(line_part_name(LinePart::kMiddle), "middle");
  EXPECT_EQ(line_part_name(LinePart::kLast), "last");
}

}  // namespace
}  // namespace sluice
