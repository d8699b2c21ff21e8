#include "pipeline/sources/host_metrics/host_collector.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "pipeline/sources/host_metrics/device_parsers.hpp"
#include "pipeline/sources/host_metrics/filesystem_collector.hpp"
#include "pipeline/sources/host_metrics/proc_file.hpp"
#include "pipeline/sources/host_metrics/process_collector.hpp"

namespace sluice {

namespace {

constexpr size_t kMaxProcFile = 16 * 1024 * 1024;  // /proc/stat of a 4096-CPU host is ~1 MiB
constexpr double kSectorBytes = 512;               // /proc/diskstats counts 512-byte sectors on every device

}  // namespace

Status statvfs_usage(const std::string& path, FsUsage* out) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + " does not exist (any more)");
    return Status::FromErrno("statvfs " + path, err);
  }
  out->fragment_size = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
  out->blocks = st.f_blocks;
  out->blocks_free = st.f_bfree;
  out->blocks_available = st.f_bavail;
  out->files = st.f_files;
  out->files_free = st.f_ffree;
  return Status::Ok();
}

HostCollector::HostCollector(HostCollectorConfig config)
    : config_(std::move(config)),
      problems_(config_.component),
      processes_(std::make_unique<ProcessCollector>(config_, &problems_)) {}

HostCollector::~HostCollector() = default;

std::optional<std::string> HostCollector::read_proc(HostCollectorKind collector, const std::string& name) {
  std::string path = config_.proc_path + "/" + name;
  auto r = read_proc_file(path, kMaxProcFile);
  if (!r.ok()) {
    problems_.report(host_collector_name(collector), std::string(host_collector_name(collector)) + ":" + path,
                     r.status().message());
    return std::nullopt;
  }
  return std::move(*r);
}

void HostCollector::report_parse(HostCollectorKind collector, const std::string& file, const ParseProblems& p) {
  if (p.empty()) return;
  std::string path = config_.proc_path + "/" + file;
  problems_.report(host_collector_name(collector), std::string(host_collector_name(collector)) + ":parse:" + path,
                   path + ": " + std::to_string(p.count) + " unusable line(s); first: " + p.first);
}

void HostCollector::collect(int64_t unix_ns, int64_t steady_ns, std::vector<MetricSample>* out) {
  SampleBuilder b(unix_ns, config_.resource, out);
  const auto& c = config_.collectors;
  std::optional<ProcStat> stat;
  if (c.has(HostCollectorKind::kCpu) || c.has(HostCollectorKind::kProcesses)) {
    auto kind = c.has(HostCollectorKind::kCpu) ? HostCollectorKind::kCpu : HostCollectorKind::kProcesses;
    if (auto text = read_proc(kind, "stat")) {
      stat = parse_proc_stat(*text);
      report_parse(kind, "stat", stat->problems);
      if (stat->cpus.empty() && stat->problems.empty()) {
        problems_.report(host_collector_name(kind), "stat:nocpu",
                         config_.proc_path + "/stat: expected \"cpuN\" lines, found none");
      }
    }
  }
  if (c.has(HostCollectorKind::kCpu) && stat) collect_cpu(*stat, b);
  if (c.has(HostCollectorKind::kMemory) || c.has(HostCollectorKind::kPaging)) {
    auto kind = c.has(HostCollectorKind::kMemory) ? HostCollectorKind::kMemory : HostCollectorKind::kPaging;
    if (auto text = read_proc(kind, "meminfo")) {
      MemInfo info = parse_meminfo(*text);
      report_parse(kind, "meminfo", info.problems);
      if (c.has(HostCollectorKind::kMemory)) collect_memory(info, b);
      if (c.has(HostCollectorKind::kPaging)) collect_paging(info, b);
    }
  }
  if (c.has(HostCollectorKind::kLoad)) collect_load(b);
  if (c.has(HostCollectorKind::kDisk)) collect_disk(b);
  if (c.has(HostCollectorKind::kFilesystem)) collect_filesystems(config_, problems_, b);
  if (c.has(HostCollectorKind::kNetwork)) collect_network(b);
  if (c.has(HostCollectorKind::kProcesses)) {
    if (stat && stat->processes_created) b.counter("system_processes_created_total", *stat->processes_created);
    size_t cpus = stat && !stat->cpus.empty() ? stat->cpus.size() : 1;
    processes_->collect(steady_ns, cpus, b);
  }
}

void HostCollector::collect_cpu(const ProcStat& stat, SampleBuilder& out) {
  const double hz = config_.ticks_per_second;
  std::unordered_map<std::string, CpuTimes> now;
  for (const CpuTimes& t : stat.cpus) {
    if (!now.emplace(t.cpu, t).second) continue;  // a repeated cpuN line: the first counts
    const std::pair<const char*, uint64_t> states[] = {
        {"user", t.user},   {"nice", t.nice},     {"system", t.system},   {"idle", t.idle},
        {"wait", t.iowait}, {"interrupt", t.irq}, {"softirq", t.softirq}, {"steal", t.steal},
    };
    for (const auto& [state, ticks] : states) {
      out.counter("system_cpu_time_seconds_total", static_cast<double>(ticks) / hz, {{"cpu", t.cpu}, {"state", state}});
    }
    // Utilization: each state's share of the CPU's ticks since the last
    // collection. Skipped on the first collection and after a counter went
    // back (CPU hot-plug, a fixture rewritten).
    auto p = prev_cpu_.find(t.cpu);
    if (p == prev_cpu_.end()) continue;
    const CpuTimes& o = p->second;
    const uint64_t prev_v[] = {o.user, o.nice, o.system, o.idle, o.iowait, o.irq, o.softirq, o.steal};
    bool monotonic = true;
    for (size_t i = 0; i < 8; ++i) monotonic = monotonic && states[i].second >= prev_v[i];
    if (!monotonic || t.total() <= o.total()) continue;
    const double elapsed = static_cast<double>(t.total() - o.total());
    for (size_t i = 0; i < 8; ++i) {
      double share = static_cast<double>(states[i].second - prev_v[i]) / elapsed;
      out.gauge("system_cpu_utilization_ratio", std::clamp(share, 0.0, 1.0),
                {{"cpu", t.cpu}, {"state", states[i].first}});
    }
  }
  prev_cpu_ = std::move(now);
  out.gauge("system_cpu_logical_count", static_cast<double>(prev_cpu_.size()));
  // Current frequency per CPU where cpufreq exists (often not in VMs: silently absent).
  for (const CpuTimes& t : stat.cpus) {
    std::string path = config_.sys_path + "/devices/system/cpu/" + t.cpu + "/cpufreq/scaling_cur_freq";
    auto r = read_proc_file(path, 64);
    if (!r.ok()) {
      if (r.status().code() != StatusCode::kNotFound) problems_.report("cpu", "cpu:cpufreq", r.status().message());
      continue;
    }
    auto khz = parse_u64(trim(std::string_view(*r).substr(0, r->find('\n'))));
    if (!khz) {
      problems_.report("cpu", "cpu:cpufreq:parse",
                       path + ": expected a frequency in kHz, found " + quote_for_message(*r));
      continue;
    }
    out.gauge("system_cpu_frequency_hertz", static_cast<double>(*khz) * 1000.0, {{"cpu", t.cpu}});
  }
}

void HostCollector::collect_memory(const MemInfo& info, SampleBuilder& out) {
  auto total = info.find("MemTotal");
  auto free = info.find("MemFree");
  if (!total || !free || *total == 0) {
    problems_.report("memory", "memory:keys",
                     config_.proc_path + "/meminfo: expected MemTotal (non-zero) and MemFree, found " +
                         (total ? "" : "no MemTotal ") + (free ? "" : "no MemFree"));
    return;
  }
  // The states partition MemTotal (they add up to it): used is what is left
  // after free, buffers, page cache and reclaimable slab, as gopsutil and
  // `free` (procps < 4) compute it; it includes unreclaimable slab.
  const uint64_t buffered = info.find("Buffers").value_or(0);
  const uint64_t cached = info.find("Cached").value_or(0);
  const uint64_t slab_reclaimable = info.find("SReclaimable").value_or(0);
  const uint64_t accounted = *free + buffered + cached + slab_reclaimable;
  const uint64_t used = *total > accounted ? *total - accounted : 0;
  const std::pair<const char*, uint64_t> states[] = {{"used", used},
                                                     {"free", *free},
                                                     {"buffered", buffered},
                                                     {"cached", cached},
                                                     {"slab_reclaimable", slab_reclaimable}};
  const double t = static_cast<double>(*total);
  out.gauge("system_memory_limit_bytes", t);
  for (const auto& [state, bytes] : states) {
    out.gauge("system_memory_usage_bytes", static_cast<double>(bytes), {{"state", state}});
    out.gauge("system_memory_utilization_ratio", static_cast<double>(bytes) / t, {{"state", state}});
  }
  if (auto available = info.find("MemAvailable")) {
    out.gauge("system_linux_memory_available_bytes", static_cast<double>(*available));
  }
  if (auto shared = info.find("Shmem")) out.gauge("system_memory_shared_bytes", static_cast<double>(*shared));
}

void HostCollector::collect_paging(const MemInfo& info, SampleBuilder& out) {
  auto total = info.find("SwapTotal");
  auto free = info.find("SwapFree");
  if (!total || !free) return;  // a kernel without swap support prints neither
  const uint64_t f = std::min(*free, *total);
  out.gauge("system_paging_usage_bytes", static_cast<double>(*total - f), {{"state", "used"}});
  out.gauge("system_paging_usage_bytes", static_cast<double>(f), {{"state", "free"}});
  if (*total == 0) return;
  out.gauge("system_paging_utilization_ratio", static_cast<double>(*total - f) / static_cast<double>(*total),
            {{"state", "used"}});
  out.gauge("system_paging_utilization_ratio", static_cast<double>(f) / static_cast<double>(*total),
            {{"state", "free"}});
}

void HostCollector::collect_load(SampleBuilder& out) {
  auto text = read_proc(HostCollectorKind::kLoad, "loadavg");
  if (!text) return;
  auto load = parse_loadavg(*text);
  if (!load.ok()) {
    problems_.report("load", "load:parse", config_.proc_path + "/" + load.status().message());
    return;
  }
  out.gauge("system_cpu_load_average_1m", load->one);
  out.gauge("system_cpu_load_average_5m", load->five);
  out.gauge("system_cpu_load_average_15m", load->fifteen);
}

void HostCollector::collect_disk(SampleBuilder& out) {
  auto text = read_proc(HostCollectorKind::kDisk, "diskstats");
  if (!text) return;
  DiskStatsFile file = parse_diskstats(*text);
  report_parse(HostCollectorKind::kDisk, "diskstats", file.problems);
  for (const DiskStats& d : file.devices) {
    // Devices that never did any I/O (unused loop and ram devices) are noise.
    if (d.reads == 0 && d.writes == 0 && d.in_progress == 0) continue;
    auto l = [&](const char* direction) -> KeyValues { return {{"device", d.device}, {"direction", direction}}; };
    out.counter("system_disk_io_bytes_total", static_cast<double>(d.sectors_read) * kSectorBytes, l("read"));
    out.counter("system_disk_io_bytes_total", static_cast<double>(d.sectors_written) * kSectorBytes, l("write"));
    out.counter("system_disk_operations_total", static_cast<double>(d.reads), l("read"));
    out.counter("system_disk_operations_total", static_cast<double>(d.writes), l("write"));
    out.counter("system_disk_operation_time_seconds_total", static_cast<double>(d.read_ms) / 1000.0, l("read"));
    out.counter("system_disk_operation_time_seconds_total", static_cast<double>(d.write_ms) / 1000.0, l("write"));
    out.counter("system_disk_merged_total", static_cast<double>(d.reads_merged), l("read"));
    out.counter("system_disk_merged_total", static_cast<double>(d.writes_merged), l("write"));
    out.counter("system_disk_io_time_seconds_total", static_cast<double>(d.io_ms) / 1000.0, {{"device", d.device}});
    out.counter("system_disk_weighted_io_time_seconds_total", static_cast<double>(d.weighted_io_ms) / 1000.0,
                {{"device", d.device}});
    out.gauge("system_disk_pending_operations", static_cast<double>(d.in_progress), {{"device", d.device}});
  }
}

void HostCollector::collect_network(SampleBuilder& out) {
  auto text = read_proc(HostCollectorKind::kNetwork, "net/dev");
  if (!text) return;
  NetDevFile file = parse_net_dev(*text);
  report_parse(HostCollectorKind::kNetwork, "net/dev", file.problems);
  for (const NetDevStats& s : file.interfaces) {
    auto l = [&](const char* direction) -> KeyValues { return {{"device", s.interface}, {"direction", direction}}; };
    out.counter("system_network_io_bytes_total", static_cast<double>(s.rx_bytes), l("receive"));
    out.counter("system_network_io_bytes_total", static_cast<double>(s.tx_bytes), l("transmit"));
    out.counter("system_network_packets_total", static_cast<double>(s.rx_packets), l("receive"));
    out.counter("system_network_packets_total", static_cast<double>(s.tx_packets), l("transmit"));
    out.counter("system_network_errors_total", static_cast<double>(s.rx_errors), l("receive"));
    out.counter("system_network_errors_total", static_cast<double>(s.tx_errors), l("transmit"));
    out.counter("system_network_dropped_total", static_cast<double>(s.rx_dropped), l("receive"));
    out.counter("system_network_dropped_total", static_cast<double>(s.tx_dropped), l("transmit"));
  }
}

}  // namespace sluice
