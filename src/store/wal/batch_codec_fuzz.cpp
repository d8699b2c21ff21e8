// libFuzzer target for the LogBatch codec (untrusted bytes: WAL payloads).
//
// Properties checked: decoding never crashes or allocates beyond the
// footprint cap; decode and summarize agree on validity, record count and
// positions; a decoded batch (records, samples, spans) re-encodes and
// decodes back to itself.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "store/wal/batch_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  sluice::LogBatch batch;
  sluice::Status decoded = sluice::decode_batch(input, &batch);
  sluice::BatchSummary summary;
  sluice::Status summarized = sluice::summarize_batch(input, &summary);
  if (decoded.ok() != summarized.ok()) std::abort();
  if (!decoded.ok()) {
    if (decoded.code() != sluice::StatusCode::kCorruption) std::abort();
    return 0;
  }
  if (summary.record_count != batch.size() || summary.positions != batch.positions) std::abort();
  std::string again;
  if (!sluice::encode_batch(batch, &again).ok()) std::abort();
  auto round = sluice::decode_batch(again);
  if (!round.ok() || round->records != batch.records || round->samples != batch.samples ||
      round->spans != batch.spans || round->positions != batch.positions) {
    std::abort();
  }
  return 0;
}
