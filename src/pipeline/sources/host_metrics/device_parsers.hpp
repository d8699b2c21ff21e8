// Parsers of the per-device /proc files the host_metrics source reads:
// /proc/diskstats (Documentation/admin-guide/iostats.rst), /proc/net/dev
// and /proc/self/mounts (proc(5), fstab(5) for the escapes).
//
// Same contract as system_parsers.hpp: any bytes in, no crash, bounded
// output; unusable lines are skipped and counted in ParseProblems.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/sources/host_metrics/proc_text.hpp"

namespace sluice {

/// One line of /proc/diskstats: the first 11 statistics after the device
/// name (later kernels append discard and flush counters, ignored here).
/// Sectors are always 512 bytes, whatever the device's sector size.
struct DiskStats {
  std::string device;  ///< "sda", "nvme0n1p1", "dm-0"
  uint64_t reads = 0, reads_merged = 0, sectors_read = 0, read_ms = 0;
  uint64_t writes = 0, writes_merged = 0, sectors_written = 0, write_ms = 0;
  uint64_t in_progress = 0, io_ms = 0, weighted_io_ms = 0;
};

struct DiskStatsFile {
  std::vector<DiskStats> devices;
  ParseProblems problems;
};

/// Parses /proc/diskstats: "major minor name" and at least 11 decimal
/// counters per line; other lines are problems.
DiskStatsFile parse_diskstats(std::string_view text);

/// One interface of /proc/net/dev.
struct NetDevStats {
  std::string interface;  ///< "eth0", "lo"
  uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_dropped = 0;
  uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_dropped = 0;
};

struct NetDevFile {
  std::vector<NetDevStats> interfaces;
  ParseProblems problems;
};

/// Parses /proc/net/dev: the two header lines (they hold '|' and no ':')
/// are skipped; every other line must be "<name>: " and 16 decimal counters
/// (8 receive, 8 transmit: bytes packets errs drop fifo frame/colls
/// compressed multicast/carrier ...).
NetDevFile parse_net_dev(std::string_view text);

/// One line of /proc/self/mounts.
struct MountEntry {
  std::string device;      ///< "/dev/vda1", "tmpfs", "server:/export"
  std::string mountpoint;  ///< with fstab(5) octal escapes decoded ("\040" -> ' ')
  std::string type;        ///< "ext4", "tmpfs", "fuse.sshfs"
  bool read_only = false;  ///< the options include "ro"
};

struct MountsFile {
  std::vector<MountEntry> mounts;
  ParseProblems problems;
};

/// Parses /proc/self/mounts ("device mountpoint type options dump pass");
/// lines with fewer than four fields, or a mount point that is not
/// absolute, are problems.
MountsFile parse_mounts(std::string_view text);

/// Decodes the octal escapes ("\040" space, "\011" tab, "\012" newline,
/// "\134" backslash) the kernel writes in mount fields; anything else is
/// copied as is.
std::string decode_mount_field(std::string_view field);

}  // namespace sluice
