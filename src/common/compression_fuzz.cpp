// Fuzz target: capped decompression of untrusted request bodies, every codec.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/compression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto codec = static_cast<sluice::Compression>(data[0] % 5);
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto out = sluice::decompress(codec, body, 1 << 20);
  if (out.ok() && out->size() > (1 << 20)) __builtin_trap();  // the cap must hold
  return 0;
}
