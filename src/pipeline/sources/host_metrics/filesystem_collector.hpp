// The filesystem collector of host_metrics: usage of each mounted
// filesystem from the mount table and statvfs(3).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/sources/host_metrics/collection.hpp"
#include "pipeline/sources/host_metrics/host_collector.hpp"

namespace sluice {

/// True for a filesystem type that holds no user data of its own: a
/// built-in list (proc, sysfs, tmpfs, devtmpfs, cgroup, cgroup2, ...), plus
/// the types /proc/filesystems marks "nodev" (`nodev`), except network
/// filesystems, overlay, zfs, virtiofs and 9p, which do hold data.
bool is_virtual_filesystem(std::string_view type, const std::vector<std::string>& nodev);

/// Reads `<proc_path>/self/mounts` and `<proc_path>/filesystems`, then for
/// each mount point (the last mount of a path wins: it hides the earlier
/// ones) that is not virtual, unless include_virtual_filesystems, stats
/// `<root_path><mountpoint>` and appends, with labels device, mode (ro|rw),
/// mountpoint and type:
///   system_filesystem_usage_bytes{state=used|free|reserved} (they add up
///     to the size; free is what unprivileged users may still use,
///     reserved the rest of the free blocks),
///   system_filesystem_limit_bytes (the size),
///   system_filesystem_utilization_ratio (used / (used + free), as df's Use%),
///   system_filesystem_inodes_usage{state=used|free} (when it has inodes).
/// Unreadable tables and failing statvfs calls are reported to `problems`
/// (a mount point that vanished meanwhile is skipped silently).
void collect_filesystems(const HostCollectorConfig& config, ProblemLog& problems, SampleBuilder& out);

}  // namespace sluice
