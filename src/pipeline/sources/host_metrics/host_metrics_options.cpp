#include "pipeline/sources/host_metrics/host_metrics_options.hpp"

namespace sluice {

namespace {

constexpr std::string_view kNames[kHostCollectorKinds] = {"cpu",  "memory",     "paging",  "load",
                                                          "disk", "filesystem", "network", "processes"};

}  // namespace

std::string_view host_collector_name(HostCollectorKind k) { return kNames[static_cast<size_t>(k)]; }

Result<HostCollectorSet> parse_host_collectors(const std::vector<std::string>& names) {
  if (names.empty()) return HostCollectorSet::all();
  HostCollectorSet s;
  for (const auto& n : names) {
    bool found = false;
    for (size_t i = 0; i < kHostCollectorKinds; ++i) {
      if (n == kNames[i]) {
        s.add(static_cast<HostCollectorKind>(i));
        found = true;
      }
    }
    if (!found) {
      std::string valid;
      for (auto v : kNames) valid += (valid.empty() ? "" : ", ") + std::string(v);
      return Status::InvalidArgument("collectors: unknown collector \"" + n + "\"; expected one of " + valid);
    }
  }
  return s;
}

const OptionTable<HostMetricsOptions>& host_metrics_option_table() {
  static const OptionTable<HostMetricsOptions> table = [] {
    using O = HostMetricsOptions;
    OptionTable<O> t;
    t.add_duration("interval", &O::interval, "10s", "100ms", "24h",
                   "Time between two collections; the first starts at once. Every sample of one collection has "
                   "the same timestamp. Utilizations (CPU, per process) are computed between two collections, so "
                   "they appear from the second one on.");
    t.add_string_list("collectors", &O::collectors, {},
                      "Which metric groups to read: cpu, memory, paging, load, disk, filesystem, network, "
                      "processes (the OpenTelemetry hostmetrics receiver's scrapers). Empty: all of them.");
    t.add_integer("top_n", &O::top_n, 5, 0, 100,
                  "With the processes collector: how many processes to report by CPU use and by resident memory "
                  "(process_cpu_utilization_ratio and process_memory_usage_bytes with process.pid, "
                  "process.executable.name and process.command_line labels). 0: none.");
    t.add_size("max_command_line_bytes", &O::max_command_line_bytes, "256B", "16B", "64KiB",
               "Longest process.command_line label; longer command lines are cut at a character boundary.");
    t.add_string("proc_path", &O::proc_path, "/proc",
                 "Where procfs is mounted (e.g. \"/host/proc\" when sluice runs in a container with the host's "
                 "/proc mounted there).");
    t.add_string("sys_path", &O::sys_path, "/sys", "Where sysfs is mounted (CPU frequencies are read from it).");
    t.add_string("root_path", &O::root_path, "",
                 "Prefix put before every mount point for statvfs, when the host's root filesystem is mounted "
                 "elsewhere (e.g. \"/host\"); empty: mount points as the mount table writes them. Labels keep "
                 "the mount table's paths.");
    t.add_bool("include_virtual_filesystems", &O::include_virtual_filesystems, false,
               "Also report filesystems without a backing device (proc, sysfs, tmpfs, cgroup, devtmpfs, ...). "
               "Network filesystems (nfs, cifs, ...), overlay and zfs are always reported.");
    return t;
  }();
  return table;
}

}  // namespace sluice
