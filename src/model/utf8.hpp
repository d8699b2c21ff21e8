// UTF-8 checks and repair for text that comes from the network or from
// files (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF). Records must hold valid UTF-8: JSON answers and Parquet
// strings require it.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "model/attribute_key.hpp"

namespace sluice {

/// The high bits (0x80 of each byte) of `s`'s bytes, ORed together into
/// one word: zero exactly when `s` is ASCII (hence valid UTF-8). The bytes
/// past the last whole word are read as one word (or two half words, or up
/// to three bytes) that overlaps what was read already, without a loop
/// over them: a byte loop's mispredicted exits were a sixth of decoding
/// OTLP attributes, whose lengths vary.
inline uint64_t utf8_high_bits(std::string_view s) noexcept {
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t acc = 0;
  if (n >= 8) {
    uint64_t w;
    for (size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&w, p + i, 8);
      acc |= w;
    }
    std::memcpy(&w, p + n - 8, 8);
    acc |= w;
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    acc = a | b;
  } else if (n > 0) {
    acc = static_cast<uint8_t>(p[0]) | static_cast<uint8_t>(p[n / 2]) | static_cast<uint8_t>(p[n - 1]);
  }
  return acc & kHigh;
}

namespace utf8_detail {
/// simdjson's validator (utf8.cpp).
bool validate(std::string_view s);
}  // namespace utf8_detail

/// True when `s` is entirely valid UTF-8. ASCII strings up to 256 bytes
/// (keys and values, user agents and URLs included) are checked inline,
/// word at a time; the rest by simdjson's validator, whose call and setup
/// cost more than such a string's check.
inline bool is_valid_utf8(std::string_view s) {
  constexpr size_t kShortString = 256;
  if (s.size() < kShortString && utf8_high_bits(s) == 0) return true;
  return utf8_detail::validate(s);
}

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
