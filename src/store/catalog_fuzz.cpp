// libFuzzer target: the catalog reader (catalog.json is read from disk at
// start). Any bytes must give a catalog or a Corruption error; a decoded
// catalog must survive an encode/decode round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "store/catalog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = sluice::decode_catalog(text, "catalog.json");
  if (!c.ok()) return 0;
  auto again = sluice::decode_catalog(sluice::encode_catalog(*c), "catalog.json");
  if (!again.ok() || !(*again == *c)) std::abort();
  return 0;
}
