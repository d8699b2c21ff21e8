// The processes collector of host_metrics: processes by state, and the top
// processes by CPU and by resident memory.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "pipeline/sources/host_metrics/collection.hpp"
#include "pipeline/sources/host_metrics/host_collector.hpp"

namespace sluice {

/// Scans `<proc_path>/<pid>/stat` of every process each collection.
///
/// Appends:
///   system_processes_count{status} for blocked, idle, paging, running,
///     sleeping, stopped, unknown and zombie (always all eight, 0 included,
///     so a count that drops to 0 is seen as 0);
///   for the union of the top_n processes by CPU utilization (those that
///   used any CPU since the last collection) and the top_n by resident
///   memory, with labels process.pid, process.executable.name (comm) and
///   process.command_line (from cmdline, cut to max_command_line_bytes;
///   absent when empty, as for kernel threads):
///     process_cpu_utilization_ratio: (user + system) CPU time since the
///       last collection / (elapsed time x logical CPUs), 0..1 of the host,
///       from the second collection on;
///     process_memory_usage_bytes: resident set size.
///
/// A process that ends while being read is skipped silently; an unreadable
/// or malformed stat file is reported to the ProblemLog once.
///
/// Owner: HostCollector; its collection thread only. Invariant: the
/// per-process state holds only the processes of the last scan.
class ProcessCollector {
 public:
  /// `config` and `problems` must outlive the collector.
  ProcessCollector(const HostCollectorConfig& config, ProblemLog* problems) : config_(config), problems_(problems) {}

  /// One scan. `steady_ns`: a monotonic clock reading; `cpus`: logical CPUs
  /// of the host (divides utilization to 0..1).
  void collect(int64_t steady_ns, size_t cpus, SampleBuilder& out);

 private:
  struct Seen {
    uint64_t starttime = 0;  ///< tells a reused pid apart
    uint64_t ticks = 0;      ///< utime + stime
  };

  const HostCollectorConfig& config_;
  ProblemLog* problems_;
  std::unordered_map<int64_t, Seen> prev_;
  int64_t prev_steady_ns_ = 0;
  bool have_prev_ = false;
};

}  // namespace sluice
