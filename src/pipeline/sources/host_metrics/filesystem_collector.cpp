#include "pipeline/sources/host_metrics/filesystem_collector.hpp"

#include <algorithm>
#include <unordered_map>

#include "pipeline/sources/host_metrics/device_parsers.hpp"
#include "pipeline/sources/host_metrics/proc_file.hpp"
#include "pipeline/sources/host_metrics/system_parsers.hpp"

namespace sluice {

namespace {

constexpr size_t kMaxMountTable = 16 * 1024 * 1024;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

bool is_virtual_filesystem(std::string_view type, const std::vector<std::string>& nodev) {
  static constexpr std::string_view kVirtual[] = {
      "autofs", "binfmt_misc", "bpf",      "cgroup",  "cgroup2",    "configfs",        "cpuset",     "debugfs",
      "devpts", "devtmpfs",    "efivarfs", "fusectl", "hugetlbfs",  "mqueue",          "nfsd",       "nsfs",
      "pipefs", "proc",        "pstore",   "ramfs",   "rootfs",     "rpc_pipefs",      "securityfs", "selinuxfs",
      "sockfs", "sysfs",       "tmpfs",    "tracefs", "fuse.lxcfs", "fuse.gvfsd-fuse", "fuse.portal"};
  static constexpr std::string_view kWithData[] = {"overlay", "zfs",  "nfs", "nfs4",     "cifs",      "smb3",
                                                   "smbfs",   "ceph", "9p",  "virtiofs", "glusterfs", "lustre"};
  for (auto v : kVirtual) {
    if (type == v) return true;
  }
  for (auto d : kWithData) {
    if (type == d) return false;
  }
  if (starts_with(type, "fuse.")) return false;  // sshfs, s3fs, ...: remote data
  return std::find(nodev.begin(), nodev.end(), type) != nodev.end();
}

void collect_filesystems(const HostCollectorConfig& config, ProblemLog& problems, SampleBuilder& out) {
  const std::string mounts_path = config.proc_path + "/self/mounts";
  auto text = read_proc_file(mounts_path, kMaxMountTable);
  if (!text.ok()) {
    problems.report("filesystem", "filesystem:" + mounts_path, text.status().message());
    return;
  }
  MountsFile table = parse_mounts(*text);
  if (!table.problems.empty()) {
    problems.report("filesystem", "filesystem:parse:" + mounts_path,
                    mounts_path + ": " + std::to_string(table.problems.count) +
                        " unusable line(s); first: " + table.problems.first);
  }
  std::vector<std::string> nodev;
  if (!config.include_virtual_filesystems) {
    // Without /proc/filesystems the built-in list alone decides.
    auto fs = read_proc_file(config.proc_path + "/filesystems", 1024 * 1024);
    if (fs.ok()) nodev = parse_nodev_filesystems(*fs);
  }
  // The last mount of a mount point is the visible one.
  std::unordered_map<std::string, size_t> last;
  for (size_t i = 0; i < table.mounts.size(); ++i) last[table.mounts[i].mountpoint] = i;
  const std::string prefix = config.root_path == "/" ? "" : config.root_path;
  for (size_t i = 0; i < table.mounts.size(); ++i) {
    const MountEntry& m = table.mounts[i];
    if (last[m.mountpoint] != i) continue;
    if (!config.include_virtual_filesystems && is_virtual_filesystem(m.type, nodev)) continue;
    FsUsage u;
    Status st = config.statfs(prefix + m.mountpoint, &u);
    if (!st.ok()) {
      if (st.code() != StatusCode::kNotFound) {
        problems.report("filesystem", "filesystem:statvfs:" + m.mountpoint, st.message());
      }
      continue;
    }
    if (u.blocks == 0 && u.files == 0) continue;  // nothing to report (an empty pseudo filesystem)
    const double unit = static_cast<double>(u.fragment_size);
    const uint64_t bfree = std::min(u.blocks_free, u.blocks);
    const uint64_t bavail = std::min(u.blocks_available, bfree);
    const double used = static_cast<double>(u.blocks - bfree) * unit;
    const double free = static_cast<double>(bavail) * unit;
    const double reserved = static_cast<double>(bfree - bavail) * unit;
    KeyValues base = {
        {"device", m.device}, {"mode", m.read_only ? "ro" : "rw"}, {"mountpoint", m.mountpoint}, {"type", m.type}};
    auto with_state = [&](const char* state) {
      KeyValues l = base;
      l.emplace_back("state", state);
      return l;
    };
    out.gauge("system_filesystem_usage_bytes", used, with_state("used"));
    out.gauge("system_filesystem_usage_bytes", free, with_state("free"));
    out.gauge("system_filesystem_usage_bytes", reserved, with_state("reserved"));
    out.gauge("system_filesystem_limit_bytes", static_cast<double>(u.blocks) * unit, base);
    if (used + free > 0) out.gauge("system_filesystem_utilization_ratio", used / (used + free), base);
    if (u.files > 0) {
      const uint64_t ffree = std::min(u.files_free, u.files);
      out.gauge("system_filesystem_inodes_usage", static_cast<double>(u.files - ffree), with_state("used"));
      out.gauge("system_filesystem_inodes_usage", static_cast<double>(ffree), with_state("free"));
    }
  }
}

}  // namespace sluice
