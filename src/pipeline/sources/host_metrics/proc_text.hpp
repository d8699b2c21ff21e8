// Small text helpers shared by the host_metrics parsers of /proc files:
// line and field splitting and strict decimal numbers. Everything works on
// string_views of a buffer the caller owns and never reads past it.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

/// Problems a parser met and skipped, for one log line per file: how many,
/// and the message of the first ("line 3: expected ..., found ...").
struct ParseProblems {
  size_t count = 0;
  std::string first;

  void add(std::string message) {
    if (count++ == 0) first = std::move(message);
  }
  bool empty() const { return count == 0; }
};

/// Removes and returns the first line of `rest` (without its "\n"); `rest`
/// keeps what follows. On the last line without "\n", returns it and leaves
/// `rest` empty.
std::string_view next_line(std::string_view& rest);

/// Splits `line` at runs of spaces and tabs into at most `max_fields`
/// fields (the last field then holds the rest of the line, untrimmed at its
/// end). Empty fields are never produced.
std::vector<std::string_view> split_fields(std::string_view line, size_t max_fields = SIZE_MAX);

/// `s` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);

/// A decimal unsigned integer that is the whole of `s` ("0".."18446744073709551615"),
/// or nullopt (empty, sign, other characters, overflow).
std::optional<uint64_t> parse_u64(std::string_view s);

/// A decimal signed integer that is the whole of `s`, or nullopt.
std::optional<int64_t> parse_i64(std::string_view s);

/// A finite decimal number ("0.52", "12") that is the whole of `s`, or nullopt.
std::optional<double> parse_finite_double(std::string_view s);

/// `s` quoted for an error message, cut to 40 bytes and with control
/// characters escaped, so a hostile file cannot flood or corrupt the log.
std::string quote_for_message(std::string_view s);

}  // namespace sluice
