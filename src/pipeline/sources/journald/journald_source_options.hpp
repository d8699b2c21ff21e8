// Options of the `journald` source (reads the systemd journal).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "config/options.hpp"

namespace sluice {

/// Configuration of one journald source. A plain value; see
/// journald_source_option_table() for the meaning and bounds of each field.
struct JournaldSourceOptions {
  std::string directory;           ///< "" = the local system journal
  std::vector<std::string> units;  ///< _SYSTEMD_UNIT filter
  bool current_boot_only = false;
  std::string start_at = "beginning";  ///< "beginning" or "end", first start only
  uint64_t max_field_bytes = 64 * 1024;
  uint64_t max_entry_bytes = 1024 * 1024;
  int64_t max_batch_records = 1000;
  std::chrono::nanoseconds reopen_interval = std::chrono::seconds(10);  ///< retry when no journal is found
};

/// The option table of the `journald` source. Built once; safe from any
/// thread.
const OptionTable<JournaldSourceOptions>& journald_source_option_table();

/// Checks what the table cannot: `directory` is empty or absolute, units
/// are non-empty names without '=' or newlines. InvalidArgument naming the
/// option otherwise.
Status validate_journald_source_options(const JournaldSourceOptions& options);

}  // namespace sluice
