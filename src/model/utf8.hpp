// UTF-8 checks and repair for text that comes from the network or from
// files (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF). Records must hold valid UTF-8: JSON answers and Parquet
// strings require it.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/attribute_key.hpp"

namespace sluice {

/// True when `s` is entirely valid UTF-8 (simdjson's validator).
bool is_valid_utf8(std::string_view s);

/// Appends `in` to `out` with every ill-formed sequence replaced by U+FFFD,
/// one per maximal subpart (Unicode 15 section 3.9 "U+FFFD Substitution of
/// Maximal Subparts", as the WHATWG decoder does): "\xE2\x82" -> one
/// U+FFFD, "\xFF\xFE" -> two.
void append_valid_utf8(std::string& out, std::string_view in);

/// Replaces `s` with its repaired form (see append_valid_utf8); no copy
/// when it is valid already.
void make_valid_utf8(std::string& s);
void make_valid_utf8(AttributeKey& key);

/// Appends the UTF-8 encoding of `code_point` (<= U+10FFFF).
void append_utf8(std::string& out, uint32_t code_point);

}  // namespace sluice
