// Sizes ("64MiB") and durations ("250ms", "7d") as they appear in config
// files and HTTP parameters.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace sluice {

/// Parses "123", "10KB", "64MiB", "10GiB", "1.5GB" into bytes. Decimal
/// suffixes (KB, MB, GB, TB) are powers of 1000, binary ones (KiB, MiB, GiB,
/// TiB) powers of 1024; "B" or no suffix means bytes. Case-sensitive suffix,
/// optional space before it. InvalidArgument on anything else or overflow.
Result<uint64_t> parse_size(std::string_view text);

/// Parses "250ms", "30s", "5m", "1h30m", "7d", "2w", "100us", "10ns" into a
/// duration. A bare "0" is zero. InvalidArgument on anything else.
Result<std::chrono::nanoseconds> parse_duration(std::string_view text);

/// Shortest exact text for a size: "64MiB", "1000B".
std::string format_size(uint64_t bytes);
/// Shortest exact text for a duration: "250ms", "7d", "1h30m".
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace sluice
