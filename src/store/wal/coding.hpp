// Little-endian fixed-width integers and LEB128 varints for the WAL's
// on-disk format (docs/formats/wal.md). Internal to src/store/wal.
//
// Writers take a raw pointer with enough room (callers size their buffers
// first); readers take [p, end) and never read past `end`.
//
// Thread-safety: pure functions.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include "common/varint_length.hpp"

namespace sluice::wal {

inline void put_fixed16(char* p, uint16_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, 2);
  } else {
    for (int i = 0; i < 2; ++i) p[i] = static_cast<char>(v >> (8 * i));
  }
}

inline void put_fixed32(char* p, uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, 4);
  } else {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
  }
}

inline void put_fixed64(char* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, 8);
  } else {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
  }
}

inline uint16_t get_fixed16(const char* p) {
  uint16_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, 2);
  } else {
    for (int i = 0; i < 2; ++i) v |= static_cast<uint16_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  }
  return v;
}

inline uint32_t get_fixed32(const char* p) {
  uint32_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, 4);
  } else {
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  }
  return v;
}

inline uint64_t get_fixed64(const char* p) {
  uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, 8);
  } else {
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  }
  return v;
}

// varint_length(v), the bytes put_varint64(v) writes (1..10), is in
// common/varint_length.hpp.

/// Writes `v` as an LEB128 varint (7 bits per byte, low bits first, high bit
/// = more bytes follow). Returns the position after it.
inline char* put_varint64(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

/// Reads a varint from [p, end). Returns the position after it, or nullptr
/// when the input ends inside it or it is longer than 10 bytes or overflows
/// 64 bits.
inline const char* get_varint64(const char* p, const char* end, uint64_t* v) {
  if (p < end && static_cast<uint8_t>(*p) < 0x80) {  // fast path: one byte
    *v = static_cast<uint8_t>(*p);
    return p + 1;
  }
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && p < end; shift += 7) {
    uint64_t byte = static_cast<uint8_t>(*p++);
    if (shift == 63 && byte > 1) return nullptr;  // would overflow 64 bits
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}

}  // namespace sluice::wal
