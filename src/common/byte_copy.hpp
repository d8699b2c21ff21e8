// append_bytes: copies a short byte string into a buffer that has room.
//
// Encoders (OTLP's wire writer, the WAL's batch codec) copy many strings of
// 5-40 bytes (attribute keys and values); a call to memcpy for each was a
// quarter of the OTLP encoder's time. Fixed-size moves are inlined by the
// compiler, and two of them that overlap cover any length in their range.
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

namespace sluice {

namespace byte_copy_detail {
template <size_t N>
inline void copy_fixed(char* to, const char* from) noexcept {
  char b[N];
  std::memcpy(b, from, N);
  std::memcpy(to, b, N);
}
}  // namespace byte_copy_detail

/// Copies `s` to `to`, which must have room for s.size() bytes and not
/// overlap `s`; returns the end of the copy.
inline char* append_bytes(char* to, std::string_view s) noexcept {
  using byte_copy_detail::copy_fixed;
  const char* from = s.data();
  const size_t n = s.size();
  if (n >= 16 && n <= 32) {
    copy_fixed<16>(to, from);
    copy_fixed<16>(to + n - 16, from + n - 16);
  } else if (n >= 8 && n < 16) {
    copy_fixed<8>(to, from);
    copy_fixed<8>(to + n - 8, from + n - 8);
  } else if (n >= 4 && n < 8) {
    copy_fixed<4>(to, from);
    copy_fixed<4>(to + n - 4, from + n - 4);
  } else if (n < 4) {
    // No loop: its mispredicted exits cost more than these three moves.
    if (n > 0) {
      const char first = from[0], middle = from[n / 2], last = from[n - 1];
      to[0] = first;
      to[n / 2] = middle;
      to[n - 1] = last;
    }
  } else {
    std::memcpy(to, from, n);
  }
  return to + n;
}

}  // namespace sluice
