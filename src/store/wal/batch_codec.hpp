// Binary codec for LogBatch: the payload of a WAL entry (docs/formats/wal.md,
// "Payload"). Records and source positions are encoded together, so a WAL
// entry commits both atomically.
//
// The encoding is compact (varint lengths, trace and span ids as raw bytes,
// a record's resource/service/scope written once when equal to the previous
// record's) and is on the ingest hot path: it encodes and decodes a few
// million 200-byte records per second on one core.
//
// Decoding is safe on untrusted bytes: every length is checked against the
// bytes that remain, counts are capped by the remaining bytes before any
// allocation, and the memory a decoded batch may take is capped by
// kMaxBatchFootprintBytes (the "same as previous record" flags would
// otherwise let a few bytes expand into gigabytes).
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "model/batch.hpp"

namespace sluice {

/// Upper bound on batch_footprint() of any batch the codec encodes or
/// decodes.
inline constexpr uint64_t kMaxBatchFootprintBytes = 512ull << 20;

/// A size estimate of `batch` in memory, computed the same way by encoder
/// and decoder: 384 bytes per record, 128 per position, 64 per attribute or
/// resource pair, plus the length of every string. Units: bytes.
uint64_t batch_footprint(const LogBatch& batch);

/// Appends the encoding of `batch` to `*out` (existing content is kept).
/// Errors: ResourceExhausted when batch_footprint(batch) exceeds
/// kMaxBatchFootprintBytes (nothing is appended then).
Status encode_batch(const LogBatch& batch, std::string* out);

/// Decodes a whole payload into `*out`, replacing its content (records
/// already there are overwritten in place, so reusing one LogBatch across
/// calls saves allocations; on error `*out` is left empty). Errors: Corruption
/// naming what was expected, what was found and the payload byte offset,
/// when `data` is not exactly one valid encoding (trailing bytes are an
/// error); ResourceExhausted-like overflows are reported as Corruption too,
/// since a valid encoder never produces them.
Status decode_batch(std::string_view data, LogBatch* out);
/// Convenience form of decode_batch(data, out).
Result<LogBatch> decode_batch(std::string_view data);

/// What recovery needs from a payload without building the records.
struct BatchSummary {
  uint64_t record_count = 0;
  std::vector<SourcePosition> positions;
};

/// Validates `data` exactly as decode_batch() does (same errors) but only
/// materializes the positions; several times faster than decoding.
Status summarize_batch(std::string_view data, BatchSummary* out);

}  // namespace sluice
