// varint_length: the bytes of an unsigned base-128 varint (protobuf's
// varint, LEB128), as the OTLP wire writer and the WAL's batch codec size
// their fields before writing them.
//
// Thread-safety: a pure function.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace sluice {

/// Bytes of `v` as a base-128 varint: 1 for 0..127, up to 10. No loop:
/// 7 bits per byte of the value's bit width (at least 1), rounded up.
inline size_t varint_length(uint64_t v) noexcept {
  const auto bits = static_cast<size_t>(std::bit_width(v | 1));
  return (bits * 9 + 64) / 64;
}

}  // namespace sluice
