// HostCollector: one collection of host metrics from /proc and /sys into
// MetricSamples, and the state kept between collections (previous CPU
// times, per-process CPU times) to compute utilizations.
//
// Metric names are those of the OpenTelemetry hostmetrics receiver as the
// Collector's Prometheus exporter names them (unit suffix, `_total` on
// monotonic sums, `_ratio` on unit-1 gauges, {annotation} units dropped):
// system.cpu.time (s, monotonic) -> system_cpu_time_seconds_total. Label
// keys are the receiver's attributes (cpu, state, device, direction,
// mountpoint, ...); per-process labels use the semantic-convention
// resource attributes process.pid, process.executable.name and
// process.command_line. docs/user-guide.md lists every metric.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.hpp"
#include "model/metric_sample.hpp"
#include "pipeline/sources/host_metrics/collection.hpp"
#include "pipeline/sources/host_metrics/host_metrics_options.hpp"
#include "pipeline/sources/host_metrics/system_parsers.hpp"

namespace sluice {

/// statvfs(3) of one mount point, in the units statvfs gives.
struct FsUsage {
  uint64_t fragment_size = 0;     ///< f_frsize: the unit of the block counts, bytes
  uint64_t blocks = 0;            ///< f_blocks: size of the filesystem
  uint64_t blocks_free = 0;       ///< f_bfree: free, including blocks reserved for root
  uint64_t blocks_available = 0;  ///< f_bavail: free for unprivileged users
  uint64_t files = 0;             ///< f_files: inodes
  uint64_t files_free = 0;        ///< f_ffree: free inodes
};

/// How a filesystem's usage is read: statvfs by default; tests substitute
/// their own. NotFound when the path is gone; IOError otherwise.
using StatFsFunction = std::function<Status(const std::string& path, FsUsage* out)>;

/// statvfs(3) of `path`.
Status statvfs_usage(const std::string& path, FsUsage* out);

/// Everything a HostCollector needs, decided once at start.
struct HostCollectorConfig {
  std::string component;  ///< the source's name, for logs and sluice_host_metrics_* metrics
  std::string proc_path = "/proc";
  std::string sys_path = "/sys";
  std::string root_path;  ///< prefix for statvfs of mount points
  HostCollectorSet collectors = HostCollectorSet::all();
  size_t top_n = 5;
  size_t max_command_line_bytes = 256;
  bool include_virtual_filesystems = false;
  KeyValues resource;             ///< put on every sample: host.name, os.type
  double ticks_per_second = 100;  ///< USER_HZ, sysconf(_SC_CLK_TCK)
  uint64_t page_size = 4096;      ///< sysconf(_SC_PAGESIZE), for RSS in bytes
  StatFsFunction statfs = statvfs_usage;
};

class ProcessCollector;

/// Reads the configured collectors into samples.
///
/// Owner: the host_metrics source; called from its collection thread only
/// (one collection at a time). Invariant: the previous-read state holds
/// only CPUs and processes seen in the last collection, so it stays as
/// large as the host's CPU and process count.
class HostCollector {
 public:
  explicit HostCollector(HostCollectorConfig config);
  ~HostCollector();
  HostCollector(const HostCollector&) = delete;
  HostCollector& operator=(const HostCollector&) = delete;

  /// One collection: appends to `out` the samples of every configured
  /// collector, stamped `unix_ns` (ns since the Unix epoch). `steady_ns`
  /// (a monotonic clock) measures the time between collections for process
  /// CPU utilization. Never fails: what cannot be read is skipped and
  /// reported to problems() (logged once per kind).
  void collect(int64_t unix_ns, int64_t steady_ns, std::vector<MetricSample>* out);

  const ProblemLog& problems() const { return problems_; }

 private:
  /// Reads `<proc_path>/<name>`; on failure reports it and returns nullopt.
  std::optional<std::string> read_proc(HostCollectorKind collector, const std::string& name);
  void report_parse(HostCollectorKind collector, const std::string& file, const ParseProblems& p);

  void collect_cpu(const ProcStat& stat, SampleBuilder& out);
  void collect_memory(const MemInfo& info, SampleBuilder& out);
  void collect_paging(const MemInfo& info, SampleBuilder& out);
  void collect_load(SampleBuilder& out);
  void collect_disk(SampleBuilder& out);
  void collect_network(SampleBuilder& out);

  HostCollectorConfig config_;
  ProblemLog problems_;
  std::unordered_map<std::string, CpuTimes> prev_cpu_;
  std::unique_ptr<ProcessCollector> processes_;
};

}  // namespace sluice
