#include "pipeline/sources/host_metrics/process_parsers.hpp"

#include <gtest/gtest.h>

#include "model/utf8.hpp"

namespace sluice {
namespace {

// Fields 1..24 and a few more, as Linux 6 prints them.
std::string stat_line(std::string_view comm, std::string_view state = "S", std::string_view utime = "150",
                      std::string_view rss = "2000") {
  return "4242 (" + std::string(comm) + ") " + std::string(state) + " 1 4242 4242 0 -1 4194560 1000 0 0 0 " +
         std::string(utime) + " 50 0 0 20 0 1 0 123456 1000000 " + std::string(rss) +
         " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
}

TEST(PidStatTest, ReadsTheFieldsHostMetricsUses) {
  auto s = parse_pid_stat(stat_line("sshd"));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->pid, 4242);
  EXPECT_EQ(s->comm, "sshd");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->utime, 150u);
  EXPECT_EQ(s->stime, 50u);
  EXPECT_EQ(s->starttime, 123456u);
  EXPECT_EQ(s->rss_pages, 2000u);
}

TEST(PidStatTest, CommMayHoldParenthesesAndSpaces) {
  auto s = parse_pid_stat(stat_line("a) (b c) Z 9"));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->comm, "a) (b c) Z 9");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->utime, 150u);
}

TEST(PidStatTest, NegativeRssReadsAsZero) {
  auto s = parse_pid_stat(stat_line("x", "Z", "0", "-1"));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->state, 'Z');
  EXPECT_EQ(s->rss_pages, 0u);
}

TEST(PidStatTest, RejectsMalformedLinesNamingTheField) {
  auto no_paren = parse_pid_stat("4242 sshd S 1 2 3");
  ASSERT_FALSE(no_paren.ok());
  EXPECT_NE(no_paren.status().message().find("(<comm>)"), std::string::npos);
  EXPECT_FALSE(parse_pid_stat("").ok());
  EXPECT_FALSE(parse_pid_stat(")(").ok());
  EXPECT_FALSE(parse_pid_stat("abc (x) S").ok());
  EXPECT_FALSE(parse_pid_stat("-3 (x) S").ok());
  auto short_line = parse_pid_stat("42 (x) S 1 2 3");
  ASSERT_FALSE(short_line.ok());
  EXPECT_NE(short_line.status().message().find("at least 24 fields"), std::string::npos)
      << short_line.status().message();
  auto bad_utime = parse_pid_stat(stat_line("x", "S", "lots"));
  ASSERT_FALSE(bad_utime.ok());
  EXPECT_NE(bad_utime.status().message().find("field 14"), std::string::npos) << bad_utime.status().message();
  auto bad_state = parse_pid_stat(stat_line("x", "SS"));
  ASSERT_FALSE(bad_state.ok());
  EXPECT_NE(bad_state.status().message().find("field 3"), std::string::npos) << bad_state.status().message();
  auto bad_rss = parse_pid_stat(stat_line("x", "S", "1", "1.5"));
  ASSERT_FALSE(bad_rss.ok());
  EXPECT_NE(bad_rss.status().message().find("field 24"), std::string::npos) << bad_rss.status().message();
}

TEST(PidStatTest, StatusNamesFollowTheHostmetricsReceiver) {
  EXPECT_EQ(process_status_name('R'), "running");
  EXPECT_EQ(process_status_name('S'), "sleeping");
  EXPECT_EQ(process_status_name('D'), "blocked");
  EXPECT_EQ(process_status_name('Z'), "zombie");
  EXPECT_EQ(process_status_name('T'), "stopped");
  EXPECT_EQ(process_status_name('t'), "stopped");
  EXPECT_EQ(process_status_name('I'), "idle");
  EXPECT_EQ(process_status_name('W'), "paging");
  EXPECT_EQ(process_status_name('X'), "unknown");
  EXPECT_EQ(process_status_name('\0'), "unknown");
}

TEST(CommandLineTest, JoinsArgumentsWithSpaces) {
  EXPECT_EQ(format_command_line(std::string_view("/usr/bin/python3\0-m\0http.server\0", 32), 256),
            "/usr/bin/python3 -m http.server");
  EXPECT_EQ(format_command_line("", 256), "");
  EXPECT_EQ(format_command_line(std::string_view("\0\0", 2), 256), "");
  EXPECT_EQ(format_command_line("postgres: writer   ", 256), "postgres: writer");
}

TEST(CommandLineTest, CutsAtACharacterBoundary) {
  std::string raw = std::string(14, 'a') + "\xC3\xA9\xC3\xA9";  // 14 + two 2-byte characters
  EXPECT_EQ(format_command_line(raw, 15), std::string(14, 'a'));
  EXPECT_EQ(format_command_line(raw, 16), std::string(14, 'a') + "\xC3\xA9");
  EXPECT_EQ(format_command_line(std::string(300, 'x'), 256), std::string(256, 'x'));
}

TEST(CommandLineTest, RepairsInvalidUtf8) {
  std::string line = format_command_line(
      "ab\xFF"
      "cd",
      256);
  EXPECT_TRUE(is_valid_utf8(line));
  EXPECT_EQ(line,
            "ab\xEF\xBF\xBD"
            "cd");
  std::string cut = format_command_line(std::string(20, '\xFF'), 16);
  EXPECT_TRUE(is_valid_utf8(cut));
  EXPECT_LE(cut.size(), 16u);
}

}  // namespace
}  // namespace sluice
