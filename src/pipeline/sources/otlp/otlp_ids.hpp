// Trace and span ids between their OTLP wire forms and sluice's lower-case
// hex text (ARCHITECTURE.md "Data model"): protobuf `bytes` of 16 (trace) or
// 8 (span) bytes; in OTLP/JSON hex strings (OTLP specification, "JSON
// Protobuf Encoding", which otlp_json_ids.hpp keeps as text).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

/// The value of hex digit `c` (either case), or -1.
int hex_digit_value(char c);

/// `*out` = the id as lower-case hex ("" when `raw` is empty or all zero),
/// or false with `*why` ("<name> is 5 bytes, expected 16" / "<name> \"..\"
/// is not 32 hex digits") when it is not `want` bytes: with `json` false
/// `raw` holds the id's bytes, with `json` true the hex text as sent.
bool otlp_id_hex(std::string_view raw, size_t want, bool json, std::string_view name, std::string* out,
                 std::string* why);

}  // namespace sluice
