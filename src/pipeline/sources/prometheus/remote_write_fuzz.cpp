// libFuzzer target for the prometheus_remote_write source's decoder
// (untrusted: request bodies from the network).
//
// The input is decoded as a WriteRequest (as the source does after Snappy)
// under both name validations, and also Snappy-decompressed with a cap
// first. Checks that nothing crashes, hangs or exceeds its memory cap, and
// that every decoded sample keeps the invariants the decoder promises
// (sorted unique non-empty label names, no __name__ label, a non-empty name,
// valid UTF-8, a positive timestamp in whole milliseconds).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/compression.hpp"
#include "model/utf8.hpp"
#include "pipeline/sources/prometheus/remote_write_decoder.hpp"

namespace {

constexpr size_t kCap = 8 << 20;

void check(const sluice::DecodedWriteRequest& out) {
  size_t bytes = 0;
  for (const auto& s : out.samples) {
    bytes += sluice::estimated_sample_bytes(s);
    if (s.name.empty() || !sluice::is_valid_utf8(s.name)) __builtin_trap();
    if (s.timestamp_ns <= 0 || s.timestamp_ns % 1000000 != 0) __builtin_trap();
    for (size_t i = 0; i < s.labels.size(); ++i) {
      const auto& [k, v] = s.labels[i];
      if (k.empty() || v.empty() || k == "__name__") __builtin_trap();
      if (!sluice::is_valid_utf8(k) || !sluice::is_valid_utf8(v)) __builtin_trap();
      if (i > 0 && !(s.labels[i - 1].first < k)) __builtin_trap();
    }
  }
  if (bytes > kCap) __builtin_trap();
}

void decode(std::string_view in, sluice::NameValidation v) {
  sluice::RemoteWriteDecodeOptions o;
  o.name_validation = v;
  o.max_sample_bytes = kCap;
  sluice::MetricTypes remembered = {{"m", sluice::PromMetricType::kHistogram}};
  o.remembered = &remembered;
  sluice::DecodedWriteRequest out;
  if (sluice::decode_remote_write(in, o, &out).ok()) check(out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  decode(in, sluice::NameValidation::kUtf8);
  decode(in, sluice::NameValidation::kLegacy);
  auto inflated = sluice::decompress(sluice::Compression::kSnappy, in, 1 << 20);
  if (inflated.ok()) decode(*inflated, sluice::NameValidation::kUtf8);
  return 0;
}
