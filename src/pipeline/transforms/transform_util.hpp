// Small helpers shared by the parsing transforms.
//
// Thread-safety: pure functions on caller-owned records.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/log_record.hpp"

namespace sluice {

/// The attribute a parsing transform sets, instead of dropping the record,
/// when it cannot parse it: "<transform>: <what went wrong>".
inline constexpr std::string_view kParseErrorAttribute = "parse.error";

/// Sets attributes["parse.error"] to `message` (replacing an earlier one).
inline void set_parse_error(LogRecord& rec, std::string message) {
  set_key_value(rec.attributes, kParseErrorAttribute, std::move(message));
}

/// The time a year-less timestamp ("Oct 11 22:14:15") is read against: the
/// record's observed time, or the wall clock when the source left it 0.
inline int64_t reference_time_ns(const LogRecord& rec) {
  if (rec.observed_timestamp_ns != 0) return rec.observed_timestamp_ns;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sluice
