// Parsers of the system-wide /proc files the host_metrics source reads:
// /proc/stat, /proc/meminfo and /proc/loadavg (proc(5) describes each).
//
// Every parser takes the file's bytes as read (any bytes: a fixture, a
// truncated read, a kernel with other fields), never crashes, and never
// allocates more than a small multiple of its input. Lines it cannot use are
// skipped and counted in ParseProblems, with the first problem's line number
// and text, so the caller logs it once; what could be parsed is kept.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "pipeline/sources/host_metrics/proc_text.hpp"

namespace sluice {

/// One "cpuN" line of /proc/stat: time spent in each mode, in USER_HZ ticks
/// (sysconf(_SC_CLK_TCK)). `user` and `nice` include guest and guest_nice
/// time (proc(5)), so those two are not kept separately. Fields a kernel
/// does not print (before 2.6.11: steal) are 0.
struct CpuTimes {
  std::string cpu;  ///< "cpu0", "cpu1", ... as written
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;

  uint64_t total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
};

/// What host_metrics uses of /proc/stat.
struct ProcStat {
  std::vector<CpuTimes> cpus;                 ///< the "cpuN" lines, in file order (not the "cpu" total line)
  std::optional<uint64_t> processes_created;  ///< "processes": forks since boot
  ParseProblems problems;
};

/// Parses /proc/stat. A "cpuN" line needs at least the first four numbers
/// (user nice system idle); a line with a non-numeric or missing one is
/// skipped as a problem. Other lines (intr, ctxt, btime, ...) are ignored.
ProcStat parse_proc_stat(std::string_view text);

/// /proc/meminfo as (key, bytes) pairs: "MemTotal:  16 kB" -> ("MemTotal",
/// 16384). Values without a unit (HugePages_Total) are kept as written.
struct MemInfo {
  std::vector<std::pair<std::string, uint64_t>> entries;  ///< in file order; first of duplicate keys wins in find()
  ParseProblems problems;

  std::optional<uint64_t> find(std::string_view key) const;
};

/// Parses /proc/meminfo. Lines must be "<key>: <decimal> [kB]"; others, and
/// values whose byte count would overflow 64 bits, are problems.
MemInfo parse_meminfo(std::string_view text);

/// /proc/loadavg: the 1, 5 and 15 minute load averages.
struct LoadAverage {
  double one = 0, five = 0, fifteen = 0;
};

/// Parses the first three fields of /proc/loadavg ("0.52 0.58 0.59 1/467
/// 12345"). InvalidArgument naming the field and what was found when one is
/// missing, not a finite non-negative decimal number.
Result<LoadAverage> parse_loadavg(std::string_view text);

/// The filesystem types /proc/filesystems marks "nodev" (not backed by a
/// block device: proc, tmpfs, cgroup2, overlay, nfs, ...).
std::vector<std::string> parse_nodev_filesystems(std::string_view text);

}  // namespace sluice
