// libFuzzer target for the file source's readers of bytes it does not
// control: the compression sniffer (a file's first bytes) and the identity
// key parser (keys come back from the store's committed positions).
//
// Checks that neither crashes, that the sniffer's verdict is stable when more
// bytes follow a compressed signature (a longer file cannot become plain),
// and that every key it accepts survives identity_key and a second parse.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pipeline/sources/file/compressed.hpp"
#include "pipeline/sources/file/copy_detection.hpp"
#include "pipeline/sources/file/tailed_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view format;
  sluice::CompressedVerdict v = sluice::sniff_compressed(in, &format);
  if (v == sluice::CompressedVerdict::kCompressed) {
    std::string longer(in);
    longer += "more bytes\n";
    if (sluice::sniff_compressed(longer) != sluice::CompressedVerdict::kCompressed) std::abort();
    if (format.empty()) std::abort();
  }
  for (size_t n = 0; n <= in.size() && n < sluice::kCompressedMagicBytes; ++n) {
    (void)sluice::sniff_compressed(in.substr(0, n));
  }
  if (auto parts = sluice::parse_identity_key(in)) {
    auto again = sluice::parse_identity_key(sluice::identity_key(parts->dev, parts->ino, parts->hash));
    if (!again || again->dev != parts->dev || again->ino != parts->ino || again->hash != parts->hash) std::abort();
  }
  (void)sluice::make_checkpoint(in, in.size());
  return 0;
}
