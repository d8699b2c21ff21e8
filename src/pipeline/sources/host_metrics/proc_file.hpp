// Reading a /proc or /sys file whole, with a size cap. Such files report
// st_size 0 and are generated on read, so they are read until EOF.
//
// Thread-safety: free function, no shared state.
#pragma once

#include <cstddef>
#include <string>

#include "common/status.hpp"

namespace sluice {

/// What to do with a file longer than the cap.
enum class OverCap {
  kFail,      ///< ResourceExhausted: the file is not used (a table that must be complete)
  kTruncate,  ///< keep the first max_bytes (a command line, of which only a prefix is shown)
};

/// The bytes of the file at `path`, at most `max_bytes`. NotFound when it
/// does not exist or its process has ended (ENOENT, ESRCH); IOError naming
/// the path and errno otherwise (EACCES, EIO, ...); ResourceExhausted when
/// it is longer than `max_bytes` and `over_cap` is kFail.
Result<std::string> read_proc_file(const std::string& path, size_t max_bytes, OverCap over_cap = OverCap::kFail);

}  // namespace sluice
