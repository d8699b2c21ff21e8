#include "pipeline/sources/syslog/syslog_framing.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice {
namespace {

struct Decoded {
  std::vector<std::string> frames;  // "text" or "text|first" etc. for pieces
  std::string error;
};

std::string show(const SyslogFrame& f) {
  std::string s(f.text);
  if (f.part != LinePart::kWhole) s += "|" + std::string(line_part_name(f.part));
  return s;
}

// Feeds `chunks` one by one, then finishes.
Decoded decode(SyslogFraming framing, const std::vector<std::string>& chunks, size_t max = 1024) {
  SyslogFrameDecoder d(framing, max);
  Decoded out;
  auto fn = [&](const SyslogFrame& f) { out.frames.push_back(show(f)); };
  for (const auto& c : chunks) {
    Status st = d.feed(c, fn);
    if (!st.ok()) {
      out.error = st.message();
      return out;
    }
  }
  Status st = d.finish(fn);
  if (!st.ok()) out.error = st.message();
  return out;
}

const std::vector<std::string> kThree = {"<13>1 - host app - - - first", "<14>1 - host app - - [a@1 x=\"y\"] second",
                                         "<15>Oct 11 22:14:15 host app: third"};

std::string octet(std::string_view m) { return std::to_string(m.size()) + " " + std::string(m); }

TEST(SyslogFraming, OctetCountingAtEverySplit) {
  std::string stream;
  for (const auto& m : kThree) stream += octet(m);
  for (auto framing : {SyslogFraming::kOctetCounting, SyslogFraming::kAuto}) {
    for (size_t cut = 0; cut <= stream.size(); ++cut) {
      Decoded d = decode(framing, {stream.substr(0, cut), stream.substr(cut)});
      EXPECT_EQ(d.error, "") << cut;
      EXPECT_EQ(d.frames, kThree) << "split at " << cut;
    }
    for (size_t a = 0; a <= stream.size(); a += 7) {
      for (size_t b = a; b <= stream.size(); b += 5) {
        Decoded d = decode(framing, {stream.substr(0, a), stream.substr(a, b - a), stream.substr(b)});
        EXPECT_EQ(d.frames, kThree) << "splits at " << a << ", " << b;
      }
    }
  }
  // One byte at a time.
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  EXPECT_EQ(decode(SyslogFraming::kAuto, bytes).frames, kThree);
}

TEST(SyslogFraming, OctetCountedTrailingNewlineIsRemoved) {
  Decoded d = decode(SyslogFraming::kOctetCounting, {"6 hello\n7 world\r\n3 \n\n\n"});
  EXPECT_EQ(d.error, "");
  EXPECT_EQ(d.frames, (std::vector<std::string>{"hello", "world"}));
}

TEST(SyslogFraming, NewlineLfCrlfNulAndEmptyLines) {
  using namespace std::string_literals;
  Decoded d = decode(SyslogFraming::kNewline, {"<1>a\n<2>b\r\n\n<3>c\0<4>d"s, "\0\r\n<5>e"s});
  EXPECT_EQ(d.error, "");
  EXPECT_EQ(d.frames, (std::vector<std::string>{"<1>a", "<2>b", "<3>c", "<4>d", "<5>e"}));
  // newline framing does not treat a leading digit as a length.
  d = decode(SyslogFraming::kNewline, {"2026-10-11T22:14:15Z host app: x\n"});
  EXPECT_EQ(d.frames, (std::vector<std::string>{"2026-10-11T22:14:15Z host app: x"}));
}

TEST(SyslogFraming, NewlineAtEverySplit) {
  std::string stream;
  for (const auto& m : kThree) stream += m + "\n";
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Decoded d = decode(SyslogFraming::kAuto, {stream.substr(0, cut), stream.substr(cut)});
    EXPECT_EQ(d.frames, kThree) << cut;
  }
  // The last line needs no LF at the end of the stream.
  EXPECT_EQ(decode(SyslogFraming::kNewline, {"a\nb"}).frames, (std::vector<std::string>{"a", "b"}));
}

TEST(SyslogFraming, AutoMixesBothPerFrame) {
  std::string stream = octet(kThree[0]) + kThree[1] + "\n" + octet(kThree[2]) + "\n";
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Decoded d = decode(SyslogFraming::kAuto, {stream.substr(0, cut), stream.substr(cut)});
    EXPECT_EQ(d.error, "");
    EXPECT_EQ(d.frames, kThree) << cut;
  }
}

TEST(SyslogFraming, LongLinesAreCutIntoPieces) {
  Decoded d = decode(SyslogFraming::kNewline, {"abcdefghij\nxy\n0123\r\n"}, 4);
  EXPECT_EQ(d.frames, (std::vector<std::string>{"abcd|first", "efgh|middle", "ij|last", "xy", "0123"}));
  // Same result however the stream is split.
  std::string stream = "abcdefghij\nxy\n0123\r\n";
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    EXPECT_EQ(decode(SyslogFraming::kNewline, {stream.substr(0, cut), stream.substr(cut)}, 4).frames, d.frames) << cut;
  }
  // A piece that continues a line is never read as a length, even with digits.
  EXPECT_EQ(decode(SyslogFraming::kAuto, {"<1>x12 34\n"}, 4).frames,
            (std::vector<std::string>{"<1>x|first", "12 3|middle", "4|last"}));
  // The decoder buffers no more than one piece's worth while waiting.
  SyslogFrameDecoder dec(SyslogFraming::kNewline, 16);
  size_t n = 0;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(dec.feed("xxxxxxx", [&](const SyslogFrame&) { ++n; }).ok());
    EXPECT_LE(dec.buffered_bytes(), 16u + 2u);
  }
  EXPECT_EQ(n, 7000u / 16);
}

TEST(SyslogFraming, OversizeOctetCountedFramesAreSkipped) {
  std::string big(100, 'x');
  std::string stream = octet("<1>ok") + octet(big) + octet("<2>after");
  for (size_t cut = 0; cut <= stream.size(); cut += 3) {
    SyslogFrameDecoder d(SyslogFraming::kAuto, 50);
    std::vector<std::string> got;
    auto fn = [&](const SyslogFrame& f) { got.emplace_back(f.text); };
    ASSERT_TRUE(d.feed(stream.substr(0, cut), fn).ok());
    ASSERT_TRUE(d.feed(stream.substr(cut), fn).ok());
    ASSERT_TRUE(d.finish(fn).ok());
    EXPECT_EQ(got, (std::vector<std::string>{"<1>ok", "<2>after"})) << cut;
    EXPECT_EQ(d.oversize_frames(), 1u);
    EXPECT_LE(d.buffered_bytes(), 62u);
  }
}

TEST(SyslogFraming, MalformedFramesNameTheStreamOffset) {
  Decoded d = decode(SyslogFraming::kAuto, {"5 <1>ab12x <1>y"});
  EXPECT_EQ(d.frames, (std::vector<std::string>{"<1>ab"}));
  EXPECT_EQ(d.error, "octet counting: expected SP after MSG-LEN at stream byte 9, found 'x'");
  d = decode(SyslogFraming::kOctetCounting, {"<1>no length\n"});
  EXPECT_EQ(d.error, "octet counting: expected MSG-LEN (a digit 1..9) at stream byte 0, found '<'");
  d = decode(SyslogFraming::kOctetCounting, {"0 x"});
  EXPECT_EQ(d.error, "octet counting: expected MSG-LEN (a digit 1..9) at stream byte 0, found '0'");
  d = decode(SyslogFraming::kAuto, {"3 abc", "12345678901 x"});
  EXPECT_EQ(d.error, "octet counting: expected SP after MSG-LEN (at most 10 digits) at stream byte 15, found '1'");
  d = decode(SyslogFraming::kAuto, {"10 <1>abc"});
  EXPECT_EQ(d.error, "octet counting: truncated frame at stream byte 0: MSG-LEN 10 but the stream ends after 6 bytes");
  d = decode(SyslogFraming::kAuto, {"3 abc12"});
  EXPECT_EQ(d.error, "octet counting: expected SP after MSG-LEN at stream byte 7, found end of stream");
}

TEST(SyslogFraming, ErrorsAreSticky) {
  SyslogFrameDecoder d(SyslogFraming::kAuto, 100);
  int n = 0;
  auto fn = [&](const SyslogFrame&) { ++n; };
  EXPECT_FALSE(d.feed("1x", fn).ok());
  EXPECT_FALSE(d.feed("3 abc", fn).ok());
  EXPECT_FALSE(d.finish(fn).ok());
  EXPECT_EQ(n, 0);
}

TEST(SyslogFraming, Names) {
  EXPECT_EQ(*syslog_framing_from_name("octet_counting"), SyslogFraming::kOctetCounting);
  EXPECT_FALSE(syslog_framing_from_name("lf").ok());
  EXPECT_EQ(trim_syslog_trailer(std::string_view("a\r\n\0", 4)), "a");
  EXPECT_EQ(trim_syslog_trailer("\n"), "");
}

}  // namespace
}  // namespace sluice
