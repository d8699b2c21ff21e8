// HostCollector against fixture /proc and /sys trees written by the tests:
// every collector's names, labels and values, utilizations between two
// collections, and malformed, missing and vanishing files.
#include "pipeline/sources/host_metrics/host_collector.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace sluice {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kT0 = 1700000000000000000;
constexpr int64_t kSecond = 1000000000;

/// A fixture host: <root>/proc and <root>/sys, removed at the end.
class FakeHost {
 public:
  FakeHost() {
    char tmpl[] = "/tmp/sluice_host_metrics_XXXXXX";
    EXPECT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ + "/proc/self");
    fs::create_directories(root_ + "/sys");
  }
  ~FakeHost() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::string proc() const { return root_ + "/proc"; }
  std::string sys() const { return root_ + "/sys"; }
  void write(const std::string& rel, std::string_view text) const {
    fs::path p = fs::path(root_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  }
  void remove(const std::string& rel) const { fs::remove_all(fs::path(root_) / rel); }
  /// /proc/<pid>/stat and cmdline.
  void process(int pid, std::string_view comm, char state, uint64_t ticks, uint64_t start, int64_t rss_pages,
               std::string_view cmdline = "") const {
    write("proc/" + std::to_string(pid) + "/stat", std::to_string(pid) + " (" + std::string(comm) + ") " + state +
                                                       " 1 1 1 0 -1 0 0 0 0 0 " + std::to_string(ticks) +
                                                       " 0 0 0 20 0 1 0 " + std::to_string(start) + " 1000 " +
                                                       std::to_string(rss_pages) + " 0 0 0 0\n");
    write("proc/" + std::to_string(pid) + "/cmdline", cmdline);
  }

 private:
  std::string root_;
};

HostCollectorConfig fixture_config(const FakeHost& h) {
  HostCollectorConfig c;
  c.component = "test";
  c.proc_path = h.proc();
  c.sys_path = h.sys();
  c.resource = {{"host.name", "testhost"}, {"os.type", "linux"}};
  c.ticks_per_second = 100;
  c.page_size = 4096;
  c.statfs = [](const std::string& path, FsUsage* u) -> Status {
    if (path != "/" && path != "/run" && path != "/mnt/data") return Status::NotFound(path);
    u->fragment_size = 4096;
    u->blocks = 1000;
    u->blocks_free = 300;
    u->blocks_available = 250;
    u->files = 100;
    u->files_free = 40;
    return Status::Ok();
  };
  return c;
}

void write_standard_files(const FakeHost& h) {
  h.write("proc/stat",
          "cpu  300 0 300 2000 0 0 0 0 0 0\n"
          "cpu0 100 0 200 1000 0 0 0 0 0 0\n"
          "cpu1 200 0 100 1000 0 0 0 0 0 0\n"
          "processes 777\n");
  h.write("proc/meminfo",
          "MemTotal:       1000 kB\n"
          "MemFree:         100 kB\n"
          "MemAvailable:    600 kB\n"
          "Buffers:          50 kB\n"
          "Cached:          300 kB\n"
          "Shmem:            10 kB\n"
          "SReclaimable:     20 kB\n"
          "SUnreclaim:       30 kB\n"
          "SwapTotal:       200 kB\n"
          "SwapFree:        150 kB\n");
  h.write("proc/loadavg", "0.50 1.25 2.00 2/300 4000\n");
  h.write("proc/diskstats",
          "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0\n"
          "   8       0 sda 10 1 20 30 40 2 80 90 1 100 200\n");
  h.write("proc/net/dev",
          "Inter-|   Receive                                                |  Transmit\n"
          " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
          "carrier compressed\n"
          "    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n"
          "  eth0: 5000 50 1 2 0 0 0 0 3000 30 3 4 0 0 0 0\n");
  h.write("proc/self/mounts",
          "/dev/sda1 / ext4 rw,relatime 0 0\n"
          "proc /proc proc rw 0 0\n"
          "tmpfs /run tmpfs rw,nosuid 0 0\n"
          "/dev/sdb1 /mnt/data xfs ro 0 0\n"
          "/dev/sdc1 /gone ext4 rw 0 0\n");
  h.write("proc/filesystems", "nodev\tproc\nnodev\ttmpfs\n\text4\n\txfs\n");
  h.write("sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "2400000\n");
  h.process(1, "init", 'S', 10, 1, 100, std::string_view("/sbin/init\0splash\0", 18));
  h.process(2, "defunct", 'Z', 5, 2, 0);
  h.process(3, "busy worker", 'R', 50, 3, 1000, std::string_view("worker\0--fast\0", 14));
}

using Labels = std::map<std::string, std::string>;

Labels as_map(const KeyValues& kv) { return Labels(kv.begin(), kv.end()); }

/// Samples named `name` whose labels include `want`.
std::vector<const MetricSample*> find_all(const std::vector<MetricSample>& v, const std::string& name,
                                          const Labels& want = {}) {
  std::vector<const MetricSample*> out;
  for (const auto& s : v) {
    if (s.name != name) continue;
    Labels l = as_map(s.labels);
    bool match = true;
    for (const auto& [k, val] : want) match = match && l.count(k) && l[k] == val;
    if (match) out.push_back(&s);
  }
  return out;
}

double value(const std::vector<MetricSample>& v, const std::string& name, const Labels& want = {}) {
  auto all = find_all(v, name, want);
  EXPECT_EQ(all.size(), 1u) << name;
  return all.empty() ? -1 : all[0]->value;
}

TEST(HostCollectorTest, FirstCollectionReadsEveryCollector) {
  FakeHost h;
  write_standard_files(h);
  HostCollector c(fixture_config(h));
  std::vector<MetricSample> s;
  c.collect(kT0, 0, &s);
  EXPECT_EQ(c.problems().count(), 0u);
  ASSERT_FALSE(s.empty());
  for (const auto& m : s) {
    EXPECT_EQ(m.timestamp_ns, kT0) << m.name;
    EXPECT_EQ(as_map(m.resource), (Labels{{"host.name", "testhost"}, {"os.type", "linux"}})) << m.name;
    EXPECT_TRUE(m.kind == MetricKind::kCounter || m.kind == MetricKind::kGauge);
    EXPECT_EQ(m.kind == MetricKind::kCounter, m.name.size() > 6 && m.name.substr(m.name.size() - 6) == "_total")
        << m.name;
  }
  // cpu
  EXPECT_DOUBLE_EQ(value(s, "system_cpu_time_seconds_total", {{"cpu", "cpu0"}, {"state", "user"}}), 1.0);
  EXPECT_DOUBLE_EQ(value(s, "system_cpu_time_seconds_total", {{"cpu", "cpu1"}, {"state", "system"}}), 1.0);
  EXPECT_EQ(find_all(s, "system_cpu_time_seconds_total").size(), 16u);  // 2 CPUs x 8 states
  EXPECT_TRUE(find_all(s, "system_cpu_utilization_ratio").empty());     // needs two collections
  EXPECT_DOUBLE_EQ(value(s, "system_cpu_logical_count"), 2);
  EXPECT_DOUBLE_EQ(value(s, "system_cpu_frequency_hertz", {{"cpu", "cpu0"}}), 2.4e9);
  EXPECT_TRUE(find_all(s, "system_cpu_frequency_hertz", {{"cpu", "cpu1"}}).empty());
  // memory: the states add up to MemTotal
  EXPECT_DOUBLE_EQ(value(s, "system_memory_limit_bytes"), 1000 * 1024);
  double sum = 0;
  for (auto* m : find_all(s, "system_memory_usage_bytes")) sum += m->value;
  EXPECT_DOUBLE_EQ(sum, 1000 * 1024);
  EXPECT_DOUBLE_EQ(value(s, "system_memory_usage_bytes", {{"state", "used"}}), (1000 - 100 - 50 - 300 - 20) * 1024);
  EXPECT_DOUBLE_EQ(value(s, "system_memory_usage_bytes", {{"state", "slab_reclaimable"}}), 20 * 1024);
  EXPECT_DOUBLE_EQ(value(s, "system_memory_utilization_ratio", {{"state", "free"}}), 0.1);
  EXPECT_DOUBLE_EQ(value(s, "system_linux_memory_available_bytes"), 600 * 1024);
  EXPECT_DOUBLE_EQ(value(s, "system_memory_shared_bytes"), 10 * 1024);
  // paging
  EXPECT_DOUBLE_EQ(value(s, "system_paging_usage_bytes", {{"state", "used"}}), 50 * 1024);
  EXPECT_DOUBLE_EQ(value(s, "system_paging_utilization_ratio", {{"state", "free"}}), 0.75);
  // load
  EXPECT_DOUBLE_EQ(value(s, "system_cpu_load_average_1m"), 0.5);
  EXPECT_DOUBLE_EQ(value(s, "system_cpu_load_average_5m"), 1.25);
  EXPECT_DOUBLE_EQ(value(s, "system_cpu_load_average_15m"), 2.0);
  // disk: loop0 never did I/O and is left out
  EXPECT_TRUE(find_all(s, "system_disk_io_bytes_total", {{"device", "loop0"}}).empty());
  EXPECT_DOUBLE_EQ(value(s, "system_disk_io_bytes_total", {{"device", "sda"}, {"direction", "read"}}), 20 * 512);
  EXPECT_DOUBLE_EQ(value(s, "system_disk_io_bytes_total", {{"device", "sda"}, {"direction", "write"}}), 80 * 512);
  EXPECT_DOUBLE_EQ(value(s, "system_disk_operations_total", {{"device", "sda"}, {"direction", "write"}}), 40);
  EXPECT_DOUBLE_EQ(value(s, "system_disk_operation_time_seconds_total", {{"device", "sda"}, {"direction", "read"}}),
                   0.03);
  EXPECT_DOUBLE_EQ(value(s, "system_disk_merged_total", {{"device", "sda"}, {"direction", "write"}}), 2);
  EXPECT_DOUBLE_EQ(value(s, "system_disk_io_time_seconds_total", {{"device", "sda"}}), 0.1);
  EXPECT_DOUBLE_EQ(value(s, "system_disk_weighted_io_time_seconds_total", {{"device", "sda"}}), 0.2);
  EXPECT_DOUBLE_EQ(value(s, "system_disk_pending_operations", {{"device", "sda"}}), 1);
  // network
  EXPECT_EQ(find_all(s, "system_network_io_bytes_total").size(), 4u);  // 2 interfaces x 2 directions
  EXPECT_DOUBLE_EQ(value(s, "system_network_io_bytes_total", {{"device", "eth0"}, {"direction", "receive"}}), 5000);
  EXPECT_DOUBLE_EQ(value(s, "system_network_packets_total", {{"device", "eth0"}, {"direction", "transmit"}}), 30);
  EXPECT_DOUBLE_EQ(value(s, "system_network_errors_total", {{"device", "eth0"}, {"direction", "transmit"}}), 3);
  EXPECT_DOUBLE_EQ(value(s, "system_network_dropped_total", {{"device", "eth0"}, {"direction", "receive"}}), 2);
  // filesystem: / and /mnt/data; not proc or tmpfs; /gone vanished (NotFound) silently
  auto fs_used = find_all(s, "system_filesystem_usage_bytes", {{"state", "used"}});
  ASSERT_EQ(fs_used.size(), 2u);
  EXPECT_EQ(
      as_map(fs_used[0]->labels),
      (Labels{{"device", "/dev/sda1"}, {"mode", "rw"}, {"mountpoint", "/"}, {"type", "ext4"}, {"state", "used"}}));
  EXPECT_DOUBLE_EQ(fs_used[0]->value, 700 * 4096);
  EXPECT_DOUBLE_EQ(value(s, "system_filesystem_usage_bytes", {{"mountpoint", "/"}, {"state", "free"}}), 250 * 4096);
  EXPECT_DOUBLE_EQ(value(s, "system_filesystem_usage_bytes", {{"mountpoint", "/"}, {"state", "reserved"}}), 50 * 4096);
  EXPECT_DOUBLE_EQ(value(s, "system_filesystem_limit_bytes", {{"mountpoint", "/"}}), 1000 * 4096);
  EXPECT_DOUBLE_EQ(value(s, "system_filesystem_utilization_ratio", {{"mountpoint", "/"}}), 700.0 / 950.0);
  EXPECT_DOUBLE_EQ(value(s, "system_filesystem_inodes_usage", {{"mountpoint", "/"}, {"state", "used"}}), 60);
  EXPECT_EQ(as_map(find_all(s, "system_filesystem_limit_bytes", {{"mountpoint", "/mnt/data"}})[0]->labels)["mode"],
            "ro");
  // processes
  EXPECT_DOUBLE_EQ(value(s, "system_processes_count", {{"status", "zombie"}}), 1);
  EXPECT_DOUBLE_EQ(value(s, "system_processes_count", {{"status", "sleeping"}}), 1);
  EXPECT_DOUBLE_EQ(value(s, "system_processes_count", {{"status", "running"}}), 1);
  EXPECT_DOUBLE_EQ(value(s, "system_processes_count", {{"status", "blocked"}}), 0);
  EXPECT_EQ(find_all(s, "system_processes_count").size(), 8u);
  EXPECT_DOUBLE_EQ(value(s, "system_processes_created_total"), 777);
  // top processes by memory (the zombie has no RSS); no CPU figures yet
  auto mem = find_all(s, "process_memory_usage_bytes");
  ASSERT_EQ(mem.size(), 2u);
  EXPECT_EQ(as_map(mem[0]->labels), (Labels{{"process.pid", "3"},
                                            {"process.executable.name", "busy worker"},
                                            {"process.command_line", "worker --fast"}}));
  EXPECT_DOUBLE_EQ(mem[0]->value, 1000 * 4096);
  EXPECT_EQ(as_map(mem[1]->labels)["process.command_line"], "/sbin/init splash");
  EXPECT_TRUE(find_all(s, "process_cpu_utilization_ratio").empty());
}

TEST(HostCollectorTest, SecondCollectionComputesUtilizations) {
  FakeHost h;
  write_standard_files(h);
  HostCollector c(fixture_config(h));
  std::vector<MetricSample> first, s;
  c.collect(kT0, 0, &first);
  // cpu0: +30 user, +10 system, +60 idle; cpu1 unchanged (no utilization).
  h.write("proc/stat",
          "cpu0 130 0 210 1060 0 0 0 0 0 0\n"
          "cpu1 200 0 100 1000 0 0 0 0 0 0\n");
  // pid 3 used 100 ticks = 1 s in 2 s on 2 CPUs: 0.25; pid 1 nothing.
  h.process(3, "busy worker", 'R', 150, 3, 1000);
  c.collect(kT0 + 2 * kSecond, 2 * kSecond, &s);
  EXPECT_EQ(c.problems().count(), 0u);
  EXPECT_DOUBLE_EQ(value(s, "system_cpu_utilization_ratio", {{"cpu", "cpu0"}, {"state", "user"}}), 0.3);
  EXPECT_DOUBLE_EQ(value(s, "system_cpu_utilization_ratio", {{"cpu", "cpu0"}, {"state", "system"}}), 0.1);
  EXPECT_DOUBLE_EQ(value(s, "system_cpu_utilization_ratio", {{"cpu", "cpu0"}, {"state", "idle"}}), 0.6);
  EXPECT_TRUE(find_all(s, "system_cpu_utilization_ratio", {{"cpu", "cpu1"}}).empty());
  // Ranked by CPU: pid 3 (the only one that used any); by memory: 3 and 1.
  // Every reported process has both figures.
  auto cpu = find_all(s, "process_cpu_utilization_ratio");
  ASSERT_EQ(cpu.size(), 2u);
  EXPECT_EQ(as_map(cpu[0]->labels)["process.pid"], "3");
  EXPECT_EQ(as_map(cpu[0]->labels).count("process.command_line"), 0u);  // empty cmdline: no label
  EXPECT_DOUBLE_EQ(cpu[0]->value, 0.25);
  EXPECT_EQ(as_map(cpu[1]->labels)["process.pid"], "1");
  EXPECT_DOUBLE_EQ(cpu[1]->value, 0);
  EXPECT_EQ(find_all(s, "process_memory_usage_bytes").size(), 2u);
  for (auto* m : find_all(s, "system_cpu_time_seconds_total")) EXPECT_GE(m->value, 0);
}

TEST(HostCollectorTest, ReusedPidAndCountersThatWentBackGiveNoUtilization) {
  FakeHost h;
  write_standard_files(h);
  HostCollector c(fixture_config(h));
  std::vector<MetricSample> first, s;
  c.collect(kT0, 0, &first);
  h.write("proc/stat", "cpu0 10 0 20 100 0 0 0 0 0 0\ncpu1 201 0 100 1001 0 0 0 0 0 0\n");  // cpu0 went back
  h.process(3, "other", 'R', 900, 99, 1000);  // same pid, other start time
  c.collect(kT0 + kSecond, kSecond, &s);
  EXPECT_TRUE(find_all(s, "system_cpu_utilization_ratio", {{"cpu", "cpu0"}}).empty());
  EXPECT_EQ(find_all(s, "system_cpu_utilization_ratio", {{"cpu", "cpu1"}}).size(), 8u);
  EXPECT_TRUE(find_all(s, "process_cpu_utilization_ratio", {{"process.pid", "3"}}).empty());
  EXPECT_EQ(find_all(s, "process_memory_usage_bytes", {{"process.pid", "3"}}).size(), 1u);
}

TEST(HostCollectorTest, TopNKeepsTheLargestByMemoryAndByCpu) {
  FakeHost h;
  write_standard_files(h);
  for (int pid = 10; pid < 20; ++pid) h.process(pid, "p" + std::to_string(pid), 'S', 0, 5, pid);
  auto cfg = fixture_config(h);
  cfg.top_n = 3;
  HostCollector c(cfg);
  std::vector<MetricSample> first, s;
  c.collect(kT0, 0, &first);
  auto mem = find_all(first, "process_memory_usage_bytes");
  ASSERT_EQ(mem.size(), 3u);
  EXPECT_EQ(as_map(mem[0]->labels)["process.pid"], "3");  // 1000 pages
  EXPECT_EQ(as_map(mem[1]->labels)["process.pid"], "1");  // 100
  EXPECT_EQ(as_map(mem[2]->labels)["process.pid"], "19");
  // By CPU: pids 10, 11 and 12 used some; 12 most. The union is reported.
  h.process(10, "p10", 'S', 1, 5, 10);
  h.process(11, "p11", 'S', 2, 5, 11);
  h.process(12, "p12", 'S', 3, 5, 12);
  h.process(13, "p13", 'S', 1, 5, 13);
  c.collect(kT0 + kSecond, kSecond, &s);
  auto cpu = find_all(s, "process_cpu_utilization_ratio");
  ASSERT_EQ(cpu.size(), 6u);  // the top 3 by CPU first, then the top 3 by memory
  EXPECT_EQ(as_map(cpu[0]->labels)["process.pid"], "12");
  EXPECT_EQ(as_map(cpu[1]->labels)["process.pid"], "11");
  EXPECT_EQ(as_map(cpu[2]->labels)["process.pid"], "10");  // ties with 13: lower pid first
  EXPECT_EQ(find_all(s, "process_memory_usage_bytes").size(), 6u);
}

TEST(HostCollectorTest, TopNZeroReportsNoProcesses) {
  FakeHost h;
  write_standard_files(h);
  auto cfg = fixture_config(h);
  cfg.top_n = 0;
  HostCollector c(cfg);
  std::vector<MetricSample> s;
  c.collect(kT0, 0, &s);
  EXPECT_TRUE(find_all(s, "process_memory_usage_bytes").empty());
  EXPECT_EQ(find_all(s, "system_processes_count").size(), 8u);
}

TEST(HostCollectorTest, SelectedCollectorsOnly) {
  FakeHost h;
  write_standard_files(h);
  auto cfg = fixture_config(h);
  cfg.collectors = *parse_host_collectors({"load", "network"});
  HostCollector c(cfg);
  std::vector<MetricSample> s;
  c.collect(kT0, 0, &s);
  for (const auto& m : s) {
    EXPECT_TRUE(m.name.rfind("system_cpu_load_average_", 0) == 0 || m.name.rfind("system_network_", 0) == 0) << m.name;
  }
  EXPECT_EQ(s.size(), 3u + 16u);
}

TEST(HostCollectorTest, VirtualFilesystemsOnRequest) {
  FakeHost h;
  write_standard_files(h);
  auto cfg = fixture_config(h);
  cfg.include_virtual_filesystems = true;
  HostCollector c(cfg);
  std::vector<MetricSample> s;
  c.collect(kT0, 0, &s);
  EXPECT_EQ(find_all(s, "system_filesystem_limit_bytes", {{"mountpoint", "/run"}, {"type", "tmpfs"}}).size(), 1u);
}

TEST(HostCollectorTest, LaterMountOfTheSamePathWins) {
  FakeHost h;
  write_standard_files(h);
  h.write("proc/self/mounts", "/dev/sda1 / ext4 rw 0 0\n/dev/sda2 / xfs rw 0 0\n");
  HostCollector c(fixture_config(h));
  std::vector<MetricSample> s;
  c.collect(kT0, 0, &s);
  auto all = find_all(s, "system_filesystem_limit_bytes");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(as_map(all[0]->labels)["device"], "/dev/sda2");
}

TEST(HostCollectorTest, MalformedFilesAreSkippedCountedAndNeverCrash) {
  FakeHost h;
  write_standard_files(h);
  const std::string junk =
      std::string("\xff") + std::string(1, '\0') + "garbage: ((( )))\n\n  : 1 2\n" + std::string(5000, 'x');
  for (const char* f : {"proc/stat", "proc/meminfo", "proc/loadavg", "proc/diskstats", "proc/net/dev",
                        "proc/self/mounts", "proc/1/stat", "sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq"}) {
    h.write(f, junk);
  }
  h.write("proc/7/stat", std::string(10000, '('));  // longer than a stat file can be
  HostCollector c(fixture_config(h));
  std::vector<MetricSample> s;
  c.collect(kT0, 0, &s);
  EXPECT_GE(c.problems().count(), 7u);
  // What could be read still is: the two good processes.
  EXPECT_DOUBLE_EQ(value(s, "system_processes_count", {{"status", "zombie"}}), 1);
  EXPECT_DOUBLE_EQ(value(s, "system_processes_count", {{"status", "running"}}), 1);
  EXPECT_TRUE(find_all(s, "system_cpu_load_average_1m").empty());
  EXPECT_TRUE(find_all(s, "system_memory_limit_bytes").empty());
  // Partly good files keep their good lines.
  h.write("proc/diskstats", "garbage\n8 0 sda 1 1 1 1 1 1 1 1 1 1 1\n");
  std::vector<MetricSample> again;
  uint64_t before = c.problems().count();
  c.collect(kT0 + kSecond, kSecond, &again);
  EXPECT_GT(c.problems().count(), before);  // counted every time (logged once)
  EXPECT_EQ(find_all(again, "system_disk_io_bytes_total", {{"device", "sda"}}).size(), 2u);
}

TEST(HostCollectorTest, MissingFilesAndVanishedProcesses) {
  FakeHost h;                       // an empty /proc and /sys
  h.write("proc/55/cmdline", "x");  // a process whose stat vanished: skipped without a problem
  HostCollector c(fixture_config(h));
  std::vector<MetricSample> s;
  c.collect(kT0, 0, &s);
  // stat, meminfo, loadavg, diskstats, net/dev, mounts: each reported.
  EXPECT_EQ(c.problems().count(), 6u);
  EXPECT_EQ(find_all(s, "system_processes_count").size(), 8u);
  for (auto* m : find_all(s, "system_processes_count")) EXPECT_EQ(m->value, 0);
}

TEST(HostCollectorTest, MissingProcDirectoryIsAProblemNotACrash) {
  HostCollectorConfig cfg;
  cfg.component = "test";
  cfg.proc_path = "/nonexistent/proc";
  cfg.sys_path = "/nonexistent/sys";
  HostCollector c(cfg);
  std::vector<MetricSample> s;
  c.collect(kT0, 0, &s);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(c.problems().count(), 7u);  // the six files and the process listing
}

TEST(HostCollectorTest, LabelValuesAreValidUtf8) {
  FakeHost h;
  write_standard_files(h);
  h.process(3, "bad\xff\xfe", 'R', 50, 3, 1000, "cmd\xc3");
  h.write("proc/net/dev", "e\xfft0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
  HostCollector c(fixture_config(h));
  std::vector<MetricSample> s;
  c.collect(kT0, 0, &s);
  EXPECT_EQ(as_map(find_all(s, "process_memory_usage_bytes", {{"process.pid", "3"}})[0]->labels),
            (Labels{{"process.pid", "3"},
                    {"process.executable.name", "bad\xEF\xBF\xBD\xEF\xBF\xBD"},
                    {"process.command_line", "cmd\xEF\xBF\xBD"}}));
  EXPECT_EQ(find_all(s, "system_network_io_bytes_total", {{"device", "e\xEF\xBF\xBDt0"}}).size(), 2u);
}

}  // namespace
}  // namespace sluice
