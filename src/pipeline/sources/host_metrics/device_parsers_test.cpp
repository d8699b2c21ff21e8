#include "pipeline/sources/host_metrics/device_parsers.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(DiskStatsTest, ReadsTheElevenCountersOfOldAndNewKernels) {
  DiskStatsFile f = parse_diskstats(
      "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0\n"  // 2.6 kernels: 11 counters
      " 254       0 vda 510468 29479 25660826 1364747 619055 185963 214425928 1125509 0 274508 2558015 137995 43 "
      "193806360 54312 166603 13444\n");  // 5.5+: 17 counters
  EXPECT_TRUE(f.problems.empty()) << f.problems.first;
  ASSERT_EQ(f.devices.size(), 2u);
  const DiskStats& d = f.devices[1];
  EXPECT_EQ(d.device, "vda");
  EXPECT_EQ(d.reads, 510468u);
  EXPECT_EQ(d.reads_merged, 29479u);
  EXPECT_EQ(d.sectors_read, 25660826u);
  EXPECT_EQ(d.read_ms, 1364747u);
  EXPECT_EQ(d.writes, 619055u);
  EXPECT_EQ(d.writes_merged, 185963u);
  EXPECT_EQ(d.sectors_written, 214425928u);
  EXPECT_EQ(d.write_ms, 1125509u);
  EXPECT_EQ(d.in_progress, 0u);
  EXPECT_EQ(d.io_ms, 274508u);
  EXPECT_EQ(d.weighted_io_ms, 2558015u);
}

TEST(DiskStatsTest, ShortOrNonNumericLinesAreSkippedAndCounted) {
  DiskStatsFile f = parse_diskstats(
      "8 0 sda 1 2 3\n"
      "8 x sdb 1 2 3 4 5 6 7 8 9 10 11\n"
      "8 1 sdc 1 2 3 4 5 6 7 8 9 10 -11\n"
      "\n"
      "8 2 sdd 1 2 3 4 5 6 7 8 9 10 11\n");
  EXPECT_EQ(f.problems.count, 3u);
  EXPECT_NE(f.problems.first.find("line 1"), std::string::npos) << f.problems.first;
  ASSERT_EQ(f.devices.size(), 1u);
  EXPECT_EQ(f.devices[0].device, "sdd");
  EXPECT_EQ(f.devices[0].weighted_io_ms, 11u);
}

constexpr const char* kNetDev =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier "
    "compressed\n"
    "    lo: 4218375001  913612    0    0    0     0          0         0 4218375001  913612    0    0    0     0    "
    "   0          0\n"
    "  eth0: 527190143   13357    1    2    0     0          0         0  1002731    9342    3    4    0     0       "
    "0          0\n";

TEST(NetDevTest, ReadsEveryInterfaceAndSkipsTheHeader) {
  NetDevFile f = parse_net_dev(kNetDev);
  EXPECT_TRUE(f.problems.empty()) << f.problems.first;
  ASSERT_EQ(f.interfaces.size(), 2u);
  EXPECT_EQ(f.interfaces[0].interface, "lo");
  const NetDevStats& e = f.interfaces[1];
  EXPECT_EQ(e.interface, "eth0");
  EXPECT_EQ(e.rx_bytes, 527190143u);
  EXPECT_EQ(e.rx_packets, 13357u);
  EXPECT_EQ(e.rx_errors, 1u);
  EXPECT_EQ(e.rx_dropped, 2u);
  EXPECT_EQ(e.tx_bytes, 1002731u);
  EXPECT_EQ(e.tx_packets, 9342u);
  EXPECT_EQ(e.tx_errors, 3u);
  EXPECT_EQ(e.tx_dropped, 4u);
}

TEST(NetDevTest, OldKernelWithoutSpaceAfterTheColonParses) {
  NetDevFile f = parse_net_dev("eth1:123 1 0 0 0 0 0 0 456 2 0 0 0 0 0 0\n");
  ASSERT_EQ(f.interfaces.size(), 1u);
  EXPECT_EQ(f.interfaces[0].interface, "eth1");
  EXPECT_EQ(f.interfaces[0].rx_bytes, 123u);
  EXPECT_EQ(f.interfaces[0].tx_bytes, 456u);
}

TEST(NetDevTest, MalformedLinesAreSkippedAndCounted) {
  NetDevFile f = parse_net_dev(
      "eth0: 1 2 3\n"                                  // too few
      ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"     // no name
      "eth1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"  // no colon
      "eth2: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 z\n"  // not a number
      "eth3: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
  EXPECT_EQ(f.problems.count, 4u);
  ASSERT_EQ(f.interfaces.size(), 1u);
  EXPECT_EQ(f.interfaces[0].interface, "eth3");
  EXPECT_EQ(f.interfaces[0].tx_dropped, 12u);
}

TEST(MountsTest, ReadsFieldsModeAndEscapes) {
  MountsFile f = parse_mounts(
      "/dev/vda / ext4 rw,relatime,discard 0 0\n"
      "/dev/sdb1 /mnt/my\\040disk vfat ro,nosuid 0 0\n"
      "server:/export /srv/nfs nfs4 rw,vers=4.2 0 0\n"
      "tmpfs /run tmpfs rw,nosuid,nodev,size=1k\n");  // no dump/pass: still fine
  EXPECT_TRUE(f.problems.empty()) << f.problems.first;
  ASSERT_EQ(f.mounts.size(), 4u);
  EXPECT_EQ(f.mounts[0].device, "/dev/vda");
  EXPECT_EQ(f.mounts[0].mountpoint, "/");
  EXPECT_EQ(f.mounts[0].type, "ext4");
  EXPECT_FALSE(f.mounts[0].read_only);
  EXPECT_EQ(f.mounts[1].mountpoint, "/mnt/my disk");
  EXPECT_TRUE(f.mounts[1].read_only);
  EXPECT_EQ(f.mounts[2].device, "server:/export");
  EXPECT_FALSE(f.mounts[3].read_only);
}

TEST(MountsTest, ShortLinesAndRelativeMountPointsAreSkipped) {
  MountsFile f = parse_mounts("a b\nproc relative proc rw 0 0\n/dev/x /ok ext4 ro 0 0\n");
  EXPECT_EQ(f.problems.count, 2u);
  ASSERT_EQ(f.mounts.size(), 1u);
  EXPECT_TRUE(f.mounts[0].read_only);
}

TEST(MountsTest, DecodesOnlyWellFormedOctalEscapes) {
  EXPECT_EQ(decode_mount_field("a\\040b\\011c\\012d\\134e"), "a b\tc\nd\\e");
  EXPECT_EQ(decode_mount_field("\\"), "\\");
  EXPECT_EQ(decode_mount_field("x\\04"), "x\\04");  // cut short
  EXPECT_EQ(decode_mount_field("\\400"), "\\400");  // past \377
  EXPECT_EQ(decode_mount_field("\\08a"), "\\08a");  // 8 is not octal
  EXPECT_EQ(decode_mount_field("\\000"), std::string(1, '\0'));
}

}  // namespace
}  // namespace sluice
