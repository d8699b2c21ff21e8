// Options of the `host_metrics` source (host health from /proc and /sys on
// an interval) and the set of collectors they select.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "config/options.hpp"

namespace sluice {

/// The groups of metrics the source can read, named after the
/// OpenTelemetry hostmetrics receiver's scrapers.
enum class HostCollectorKind : uint8_t {
  kCpu = 0,     ///< /proc/stat (+ /sys cpufreq): system_cpu_time_seconds_total, utilization, frequency, count
  kMemory,      ///< /proc/meminfo: system_memory_usage_bytes, limit, utilization, available, shared
  kPaging,      ///< /proc/meminfo swap lines: system_paging_usage_bytes, utilization
  kLoad,        ///< /proc/loadavg: system_cpu_load_average_{1m,5m,15m}
  kDisk,        ///< /proc/diskstats: system_disk_*
  kFilesystem,  ///< /proc/self/mounts + statvfs: system_filesystem_*
  kNetwork,     ///< /proc/net/dev: system_network_*
  kProcesses,   ///< /proc/<pid>/stat: system_processes_count, created, top processes
};
inline constexpr size_t kHostCollectorKinds = 8;

/// "cpu", "memory", "paging", "load", "disk", "filesystem", "network", "processes".
std::string_view host_collector_name(HostCollectorKind k);

/// A set of collectors.
class HostCollectorSet {
 public:
  static HostCollectorSet all() {
    HostCollectorSet s;
    s.bits_ = (1u << kHostCollectorKinds) - 1;
    return s;
  }
  bool has(HostCollectorKind k) const { return (bits_ >> static_cast<unsigned>(k)) & 1u; }
  void add(HostCollectorKind k) { bits_ |= 1u << static_cast<unsigned>(k); }

 private:
  uint32_t bits_ = 0;
};

/// The set named by `names`; every collector when `names` is empty.
/// InvalidArgument naming the unknown name and the valid ones.
Result<HostCollectorSet> parse_host_collectors(const std::vector<std::string>& names);

/// Configuration of one host_metrics source. A plain value; see
/// host_metrics_option_table() for the meaning and bounds of each field.
struct HostMetricsOptions {
  std::chrono::nanoseconds interval = std::chrono::seconds(10);  ///< collection period
  std::vector<std::string> collectors;                           ///< empty: all
  int64_t top_n = 5;                                             ///< top processes by CPU and by memory; 0: none
  uint64_t max_command_line_bytes = 256;                         ///< process.command_line is cut to this
  std::string proc_path = "/proc";
  std::string sys_path = "/sys";
  std::string root_path;  ///< prefix for statvfs of mount points; "" = as written
  bool include_virtual_filesystems = false;
};

/// The option table of the `host_metrics` source. Built once; safe from any thread.
const OptionTable<HostMetricsOptions>& host_metrics_option_table();

}  // namespace sluice
