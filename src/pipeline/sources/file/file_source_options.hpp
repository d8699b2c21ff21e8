// Options of the `file` source (tails log files matched by globs).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "config/options.hpp"

namespace sluice {

/// Configuration of one file source. A plain value; see
/// file_source_option_table() for the meaning and bounds of each field.
struct FileSourceOptions {
  std::vector<std::string> include;           ///< absolute globs of files to tail (required)
  std::vector<std::string> exclude;           ///< absolute globs of files to skip
  std::string start_at = "beginning";         ///< "beginning" or "end", for files present at start
  uint64_t max_line_bytes = 64 * 1024;        ///< longer lines are split into pieces of this size
  uint64_t read_buffer_bytes = 64 * 1024;     ///< bytes per pread
  uint64_t fingerprint_bytes = 256;           ///< cap of the identity fingerprint
  int64_t max_batch_records = 4096;           ///< records per emitted batch
  uint64_t max_batch_bytes = 1024 * 1024;     ///< body bytes per emitted batch
  uint64_t max_bytes_per_turn = 1024 * 1024;  ///< bytes read from one file before the next gets a turn
  std::chrono::nanoseconds glob_interval = std::chrono::seconds(1);  ///< re-scan period without inotify
  std::chrono::nanoseconds poll_interval{0};  ///< idle poll period; 0 = auto (kPollWithInotify / kPollWithoutInotify)
  std::chrono::nanoseconds rotate_wait = std::chrono::seconds(1);  ///< quiet time before a gone file is closed
  bool inotify = true;                                             ///< use inotify when the kernel offers it
  uint64_t max_read_bytes_per_second = 0;                          ///< per-file read rate limit; 0 = none
  bool ignore_compressed = true;  ///< skip compressed files (magic bytes or *.gz, *.bz2, *.xz, *.zst, *.zip, *.lz4)
};

/// poll_interval = 0 means: this while inotify watches the files...
inline constexpr std::chrono::nanoseconds kPollWithInotify = std::chrono::seconds(10);
/// ...and this when it does not (no inotify, or a file it could not watch).
inline constexpr std::chrono::nanoseconds kPollWithoutInotify = std::chrono::milliseconds(100);

/// The idle poll period in effect: poll_interval, or its automatic value
/// for a source whose files inotify does (`watched`) or does not watch.
inline std::chrono::nanoseconds effective_poll_interval(const FileSourceOptions& o, bool watched) {
  if (o.poll_interval.count() > 0) return o.poll_interval;
  return watched ? kPollWithInotify : kPollWithoutInotify;
}

/// The option table of the `file` source (names, defaults, bounds,
/// descriptions). Built once; safe to call from any thread.
const OptionTable<FileSourceOptions>& file_source_option_table();

/// Checks what the table's bounds cannot: `include` is non-empty, every
/// include/exclude glob is an absolute path, `start_at` is "beginning" or
/// "end", sizes, counts and glob_interval are positive. InvalidArgument naming
/// the option otherwise.
Status validate_file_source_options(const FileSourceOptions& options);

}  // namespace sluice
