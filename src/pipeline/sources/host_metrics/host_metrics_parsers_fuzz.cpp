// libFuzzer target host_metrics_parsers_fuzz: every /proc parser of the
// host_metrics source on the same arbitrary bytes (/proc/stat, meminfo,
// loadavg, filesystems, diskstats, net/dev, mounts, <pid>/stat, cmdline).
// Checks: no crash; outputs bounded by the input (no entry without a line,
// names cut to their caps); problems counted never exceed the lines;
// formatted command lines are valid UTF-8 within their cap; a parsed pid
// stat has a positive pid.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "model/utf8.hpp"
#include "pipeline/sources/host_metrics/device_parsers.hpp"
#include "pipeline/sources/host_metrics/process_parsers.hpp"
#include "pipeline/sources/host_metrics/system_parsers.hpp"

namespace {

void check(bool cond) {
  if (!cond) std::abort();
}

size_t lines(std::string_view s) {
  size_t n = 1;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t max_lines = lines(in);

  sluice::ProcStat stat = sluice::parse_proc_stat(in);
  check(stat.cpus.size() + stat.problems.count <= max_lines);
  for (const auto& c : stat.cpus) check(c.cpu.size() <= 32);

  sluice::MemInfo mem = sluice::parse_meminfo(in);
  check(mem.entries.size() + mem.problems.count <= max_lines);
  for (const auto& [k, v] : mem.entries) check(!k.empty() && k.size() <= 64);

  auto load = sluice::parse_loadavg(in);
  if (load.ok()) check(load->one >= 0 && load->five >= 0 && load->fifteen >= 0);

  check(sluice::parse_nodev_filesystems(in).size() <= max_lines);

  sluice::DiskStatsFile disks = sluice::parse_diskstats(in);
  check(disks.devices.size() + disks.problems.count <= max_lines);
  for (const auto& d : disks.devices) check(!d.device.empty() && d.device.size() <= 256);

  sluice::NetDevFile net = sluice::parse_net_dev(in);
  check(net.interfaces.size() + net.problems.count <= max_lines);
  for (const auto& i : net.interfaces) check(!i.interface.empty() && i.interface.size() <= 256);

  sluice::MountsFile mounts = sluice::parse_mounts(in);
  check(mounts.mounts.size() + mounts.problems.count <= max_lines);
  for (const auto& m : mounts.mounts) check(!m.mountpoint.empty() && m.mountpoint.size() <= 4096);

  auto pid = sluice::parse_pid_stat(in);
  if (pid.ok()) check(pid->pid > 0 && pid->comm.size() <= 64);

  const size_t cap = 16 + (size > 0 ? data[0] : 0);
  std::string line = sluice::format_command_line(in, cap);
  check(line.size() <= cap);
  check(sluice::is_valid_utf8(line));
  return 0;
}
