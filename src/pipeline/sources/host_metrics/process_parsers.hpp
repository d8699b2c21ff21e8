// Parsers of the per-process files the host_metrics source reads:
// /proc/<pid>/stat and /proc/<pid>/cmdline (proc(5)).
//
// Same contract as system_parsers.hpp: any bytes in, no crash, bounded
// output.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace sluice {

/// What host_metrics uses of /proc/<pid>/stat.
struct PidStat {
  int64_t pid = 0;
  std::string comm;    ///< executable name as the kernel keeps it (at most 15 bytes on Linux; may hold ')' or spaces)
  char state = '?';    ///< field 3: R, S, D, Z, T, t, I, W, X, ...
  uint64_t utime = 0;  ///< field 14, USER_HZ ticks in user mode
  uint64_t stime = 0;  ///< field 15, USER_HZ ticks in kernel mode
  uint64_t starttime = 0;  ///< field 22, ticks after boot the process started (tells a reused pid apart)
  uint64_t rss_pages = 0;  ///< field 24, resident pages (negative values read as 0)
};

/// Parses one /proc/<pid>/stat line: "pid (comm) state f4 ... f24 ...".
/// comm is whatever lies between the first '(' and the last ')', since the
/// name itself may contain both. InvalidArgument naming the field and what
/// was found when the pid, the parentheses, the state or a needed number is
/// missing or malformed.
Result<PidStat> parse_pid_stat(std::string_view text);

/// The process.state-style name host_metrics reports for a state letter,
/// after the OpenTelemetry hostmetrics receiver's `status` values:
/// R running, S sleeping, D blocked, Z zombie, T/t stopped, I idle,
/// W paging; anything else "unknown".
std::string_view process_status_name(char state);

/// /proc/<pid>/cmdline (arguments separated and ended by NUL bytes) as one
/// line: NULs become spaces, trailing NULs and spaces are dropped, invalid
/// UTF-8 is repaired (U+FFFD), and the result is cut to at most `max_bytes`
/// bytes at a character boundary. Empty for kernel threads and zombies.
std::string format_command_line(std::string_view raw, size_t max_bytes);

}  // namespace sluice
