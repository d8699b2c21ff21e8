#include "pipeline/sources/host_metrics/system_parsers.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

constexpr const char* kStat =
    "cpu  2255 34 2290 22625563 6290 127 456 0 0 0\n"
    "cpu0 1132 34 1441 11311718 3675 127 438 3 10 2\n"
    "cpu1 1123 0 849 11313845 2614 0 18 0 0 0\n"
    "intr 114930548 113199788 3 0 5 263 0 4 [... 50 more ...]\n"
    "ctxt 1990473\n"
    "btime 1062191376\n"
    "processes 2915\n"
    "procs_running 1\n"
    "procs_blocked 0\n";

TEST(ProcStatTest, ReadsPerCpuLinesAndProcessesCreated) {
  ProcStat s = parse_proc_stat(kStat);
  EXPECT_TRUE(s.problems.empty()) << s.problems.first;
  ASSERT_EQ(s.cpus.size(), 2u);  // the aggregate "cpu" line is not a cpuN line
  EXPECT_EQ(s.cpus[0].cpu, "cpu0");
  EXPECT_EQ(s.cpus[0].user, 1132u);
  EXPECT_EQ(s.cpus[0].nice, 34u);
  EXPECT_EQ(s.cpus[0].system, 1441u);
  EXPECT_EQ(s.cpus[0].idle, 11311718u);
  EXPECT_EQ(s.cpus[0].iowait, 3675u);
  EXPECT_EQ(s.cpus[0].irq, 127u);
  EXPECT_EQ(s.cpus[0].softirq, 438u);
  EXPECT_EQ(s.cpus[0].steal, 3u);  // guest (10) and guest_nice (2) are inside user and nice
  EXPECT_EQ(s.cpus[0].total(), 1132u + 34 + 1441 + 11311718 + 3675 + 127 + 438 + 3);
  EXPECT_EQ(s.cpus[1].cpu, "cpu1");
  ASSERT_TRUE(s.processes_created);
  EXPECT_EQ(*s.processes_created, 2915u);
}

TEST(ProcStatTest, OldKernelWithFourFieldsHasZeroesForTheRest) {
  ProcStat s = parse_proc_stat("cpu0 1 2 3 4\n");
  ASSERT_EQ(s.cpus.size(), 1u);
  EXPECT_EQ(s.cpus[0].idle, 4u);
  EXPECT_EQ(s.cpus[0].iowait, 0u);
  EXPECT_EQ(s.cpus[0].steal, 0u);
  EXPECT_FALSE(s.processes_created);
}

TEST(ProcStatTest, MalformedCpuLinesAreSkippedAndCounted) {
  ProcStat s = parse_proc_stat(
      "cpu0 1 2 3\n"                       // too few
      "cpu1 1 x 3 4 5\n"                   // not a number
      "cpu2 1 -2 3 4\n"                    // negative
      "cpu3 99999999999999999999 1 1 1\n"  // overflow
      "cpu4 5 6 7 8 9\n"                   // fine
      "processes many\n"
      "cpuX 1 2 3 4\n");  // not cpuN: ignored like any other line
  ASSERT_EQ(s.cpus.size(), 1u);
  EXPECT_EQ(s.cpus[0].cpu, "cpu4");
  EXPECT_EQ(s.problems.count, 5u);
  EXPECT_NE(s.problems.first.find("line 1"), std::string::npos) << s.problems.first;
  EXPECT_NE(s.problems.first.find("cpu0 1 2 3"), std::string::npos) << s.problems.first;
  EXPECT_FALSE(s.processes_created);
}

TEST(ProcStatTest, EmptyAndBinaryInputGiveNothing) {
  EXPECT_TRUE(parse_proc_stat("").cpus.empty());
  ProcStat s = parse_proc_stat(std::string_view("cpu0\0 1 2 3 4\n\xff\xfe", 16));
  EXPECT_TRUE(s.cpus.empty());
}

TEST(MemInfoTest, ReadsKilobytesAsBytesAndCountsAsIs) {
  MemInfo m = parse_meminfo(
      "MemTotal:       16303412 kB\n"
      "MemFree:         1234567 kB\n"
      "MemAvailable:    8000000 kB\n"
      "HugePages_Total:       0\n"
      "Hugepagesize:       2048 kB\n");
  EXPECT_TRUE(m.problems.empty()) << m.problems.first;
  EXPECT_EQ(m.find("MemTotal"), 16303412ull * 1024);
  EXPECT_EQ(m.find("MemFree"), 1234567ull * 1024);
  EXPECT_EQ(m.find("HugePages_Total"), 0u);
  EXPECT_EQ(m.find("Hugepagesize"), 2048u * 1024);
  EXPECT_FALSE(m.find("Buffers"));
}

TEST(MemInfoTest, MalformedLinesAreSkippedAndCounted) {
  MemInfo m = parse_meminfo(
      "MemTotal 100 kB\n"                  // no colon
      ": 5 kB\n"                           // no key
      "MemFree: lots kB\n"                 // not a number
      "Buffers: 5 MB\n"                    // unknown unit
      "Cached: 18446744073709551615 kB\n"  // overflows as bytes
      "Shmem: 1 kB extra\n"                // trailing text
      "SwapTotal: 7 kB\n"                  // fine
      "\n");
  EXPECT_EQ(m.problems.count, 6u);
  EXPECT_NE(m.problems.first.find("line 1"), std::string::npos);
  ASSERT_EQ(m.entries.size(), 1u);
  EXPECT_EQ(m.find("SwapTotal"), 7u * 1024);
}

TEST(MemInfoTest, FirstOfDuplicateKeysWins) {
  MemInfo m = parse_meminfo("MemTotal: 1 kB\nMemTotal: 2 kB\n");
  EXPECT_EQ(m.find("MemTotal"), 1024u);
}

TEST(LoadAvgTest, ReadsTheThreeAverages) {
  auto l = parse_loadavg("0.52 1.58 12.59 1/467 12345\n");
  ASSERT_TRUE(l.ok()) << l.status().to_string();
  EXPECT_DOUBLE_EQ(l->one, 0.52);
  EXPECT_DOUBLE_EQ(l->five, 1.58);
  EXPECT_DOUBLE_EQ(l->fifteen, 12.59);
}

TEST(LoadAvgTest, RejectsMissingNegativeAndNonNumericFields) {
  auto short_line = parse_loadavg("0.5 0.5\n");
  ASSERT_FALSE(short_line.ok());
  EXPECT_NE(short_line.status().message().find("15-minute"), std::string::npos) << short_line.status().message();
  EXPECT_FALSE(parse_loadavg("").ok());
  EXPECT_FALSE(parse_loadavg("-1 0 0").ok());
  EXPECT_FALSE(parse_loadavg("nan 0 0").ok());
  EXPECT_FALSE(parse_loadavg("inf 0 0").ok());
  EXPECT_FALSE(parse_loadavg("1e400 0 0").ok());
  auto garbage = parse_loadavg("0.1 zz 0.3");
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("field 2"), std::string::npos) << garbage.status().message();
  EXPECT_NE(garbage.status().message().find("\"zz\""), std::string::npos) << garbage.status().message();
}

TEST(NodevFilesystemsTest, ListsOnlyNodevTypes) {
  auto v = parse_nodev_filesystems("nodev\tsysfs\nnodev\ttmpfs\n\text4\n\tsquashfs\nnodev\toverlay\ngarbage\n");
  EXPECT_EQ(v, (std::vector<std::string>{"sysfs", "tmpfs", "overlay"}));
}

TEST(ProcTextTest, NumbersAreStrict) {
  EXPECT_EQ(parse_u64("0"), 0u);
  EXPECT_EQ(parse_u64("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parse_u64("18446744073709551616"));
  EXPECT_FALSE(parse_u64("+1"));
  EXPECT_FALSE(parse_u64("1 "));
  EXPECT_FALSE(parse_u64(""));
  EXPECT_EQ(parse_i64("-5"), -5);
  EXPECT_FALSE(parse_finite_double("1e5"));  // /proc writes fixed notation only
  EXPECT_EQ(quote_for_message("a\"b\x01"), "\"a\\x22b\\x01\"");
}

}  // namespace
}  // namespace sluice
