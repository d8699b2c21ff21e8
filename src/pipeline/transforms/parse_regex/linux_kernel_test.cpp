// Tests of the linux_kernel preset on line shapes from the kernel's
// printk prefix, net/netfilter/nf_log_syslog.c and mm/oom_kill.c.
#include <gtest/gtest.h>

#include "pipeline/transforms/parse_regex/parse_regex.hpp"

namespace sluice {
namespace {

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kObserved = 1795273200 * kS;  // 2026-11-21T15:00:00Z

LogRecord kernel(std::string_view text) {
  ParseRegexOptions o;
  o.preset = "linux_kernel";
  o.keep_body = true;  // the body is compared below
  auto t = ParseRegex::create(o);
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  LogRecord rec;
  rec.body = std::string(text);
  rec.observed_timestamp_ns = kObserved;
  (*t)->process_record(rec);
  EXPECT_EQ(rec.body, text);
  return rec;
}

std::string attr(const LogRecord& rec, std::string_view key) {
  const std::string* v = find_key_value(rec.attributes, key);
  return v ? *v : "<missing>";
}

TEST(LinuxKernelPreset, UfwBlockInSyslog) {
  LogRecord r = kernel(
      "Nov 21 14:30:09 gw kernel: [1234567.890123] [UFW BLOCK] IN=eth0 OUT= "
      "MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.9 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 "
      "TTL=52 ID=54321 DF PROTO=TCP SPT=44312 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0");
  EXPECT_EQ(attr(r, "host.name"), "gw");
  EXPECT_EQ(attr(r, "syslog.app_name"), "kernel");
  EXPECT_EQ(r.timestamp_ns, 1795271409 * kS);
  EXPECT_EQ(attr(r, "syslog.msg").substr(0, 30), "[1234567.890123] [UFW BLOCK] I");
  EXPECT_EQ(attr(r, "linux.kernel.uptime"), "1234567.890123");
  EXPECT_EQ(attr(r, "linux.kernel.event"), "netfilter");
  EXPECT_EQ(attr(r, "netfilter.prefix"), "[UFW BLOCK]");
  EXPECT_EQ(attr(r, "netfilter.in"), "eth0");
  EXPECT_EQ(attr(r, "netfilter.out"), "<missing>");
  EXPECT_EQ(attr(r, "source.address"), "203.0.113.9");
  EXPECT_EQ(attr(r, "destination.address"), "192.0.2.10");
  EXPECT_EQ(attr(r, "network.type"), "ipv4");
  EXPECT_EQ(attr(r, "network.transport"), "tcp");
  EXPECT_EQ(attr(r, "source.port"), "44312");
  EXPECT_EQ(attr(r, "destination.port"), "22");
  EXPECT_EQ(attr(r, "parse.error"), "<missing>");
}

TEST(LinuxKernelPreset, NetfilterVariants) {
  // dmesg, nftables prefix, IPv6, forwarded (OUT set, no MAC).
  LogRecord r = kernel(
      "[ 5216.123456] nft drop: IN=wlan0 OUT=eth1 SRC=2001:0db8:0000:0000:0000:0000:0000:0001 "
      "DST=2001:0db8:0000:0000:0000:0000:0000:0002 LEN=80 TC=0 HOPLIMIT=63 FLOWLBL=0 PROTO=UDP SPT=5353 DPT=53 "
      "LEN=40");
  EXPECT_EQ(attr(r, "linux.kernel.uptime"), "5216.123456");
  EXPECT_EQ(attr(r, "netfilter.prefix"), "nft drop:");
  EXPECT_EQ(attr(r, "netfilter.out"), "eth1");
  EXPECT_EQ(attr(r, "network.type"), "ipv6");
  EXPECT_EQ(attr(r, "network.transport"), "udp");
  EXPECT_EQ(attr(r, "source.port"), "5353");
  EXPECT_EQ(attr(r, "destination.port"), "53");
  EXPECT_EQ(attr(r, "host.name"), "<missing>");
  // ICMP has no ports; the inner packet's SRC/PROTO do not confuse it.
  r = kernel(
      "<4>2026-11-21T14:30:09+00:00 gw kernel: IN=eth0 OUT= MAC=aa SRC=198.51.100.1 DST=192.0.2.10 LEN=84 TOS=0x00 "
      "PREC=0x00 TTL=64 ID=1 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.10 DST=198.51.100.1 LEN=60 PROTO=TCP SPT=1 "
      "DPT=2 ]");
  EXPECT_EQ(attr(r, "network.transport"), "icmp");
  EXPECT_EQ(attr(r, "source.address"), "198.51.100.1");
  EXPECT_EQ(attr(r, "source.port"), "<missing>");
  EXPECT_EQ(r.severity_text, "warning");
  EXPECT_EQ(attr(r, "linux.kernel.uptime"), "<missing>");
}

TEST(LinuxKernelPreset, OomKiller) {
  LogRecord r = kernel(
      "[87654.321000] Out of memory: Killed process 4242 (java) total-vm:8123456kB, anon-rss:4012345kB, "
      "file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:9000kB oom_score_adj:0");
  EXPECT_EQ(attr(r, "linux.kernel.event"), "oom_kill");
  EXPECT_EQ(attr(r, "process.pid"), "4242");
  EXPECT_EQ(attr(r, "process.executable.name"), "java");
  EXPECT_EQ(attr(r, "process.user.id"), "1000");
  r = kernel(
      "Nov 21 14:30:09 db kernel: Memory cgroup out of memory: Killed process 77 (postgres: wal) total-vm:1kB, "
      "anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:106 pgtables:1kB oom_score_adj:0");
  EXPECT_EQ(attr(r, "process.executable.name"), "postgres: wal");
  EXPECT_EQ(attr(r, "process.pid"), "77");
  r = kernel("[  100.000001] Killed process 5 (a) total-vm:10kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB");
  EXPECT_EQ(attr(r, "process.pid"), "5");
  EXPECT_EQ(attr(r, "process.user.id"), "<missing>");
  r = kernel("[87655.000000] oom_reaper: reaped process 4242 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB");
  EXPECT_EQ(attr(r, "linux.kernel.event"), "oom_reap");
  EXPECT_EQ(attr(r, "process.pid"), "4242");
  EXPECT_EQ(attr(r, "process.executable.name"), "java");
}

TEST(LinuxKernelPreset, OtherKernelLinesKeepTheirUptimeOnly) {
  LogRecord r = kernel("[    0.000000] Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org)");
  EXPECT_EQ(r.attributes, (KeyValues{{"linux.kernel.uptime", "0.000000"}}));
  r = kernel("Nov 21 14:30:09 gw kernel: usb 1-1: new high-speed USB device number 2 using xhci_hcd");
  EXPECT_EQ(attr(r, "syslog.msg"), "usb 1-1: new high-speed USB device number 2 using xhci_hcd");
  EXPECT_EQ(attr(r, "linux.kernel.event"), "<missing>");
  EXPECT_EQ(attr(r, "parse.error"), "<missing>");
}

TEST(LinuxKernelPreset, NonKernelLinesDoNotMatch) {
  for (std::string line : {
           "Nov 21 14:30:09 gw sshd[1]: Accepted password for x from 1.2.3.4 port 1 ssh2",
           "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP",  // neither a syslog header nor an uptime
           "[abc] x",
           "",
       }) {
    LogRecord r = kernel(line);
    EXPECT_EQ(r.attributes, (KeyValues{{"parse.error", "parse_regex: line does not match preset linux_kernel"}}))
        << line;
  }
}

}  // namespace
}  // namespace sluice
