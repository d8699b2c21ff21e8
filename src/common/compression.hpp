// Decompression with a size cap, for request bodies and frames from the
// network (STYLE.md bans decompression without one: a zip bomb must get a
// clear error, not exhaust memory).
//
// Codecs are named as in HTTP Content-Encoding (RFC 9110 section 8.4):
// "gzip" (RFC 1952), "deflate" (zlib, RFC 1950), "zstd" (RFC 8878), plus
// "snappy", the raw Snappy block format that Loki push and Prometheus
// remote_write use. Thread-safety: free functions; zstd keeps one
// compression and one decompression context per thread, between calls.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace sluice {

enum class Compression { kNone, kGzip, kDeflate, kZstd, kSnappy };

/// Maps a Content-Encoding value (case-insensitive; "", "identity" mean
/// none; "x-gzip" is gzip). InvalidArgument names an unsupported value.
Result<Compression> compression_from_name(std::string_view name);
const char* compression_name(Compression c);

/// Decompresses `in`. ResourceExhausted when the output would exceed
/// `max_bytes` (decompression stops there); InvalidArgument when `in` is
/// not valid for the codec or ends early.
Result<std::string> decompress(Compression c, std::string_view in, size_t max_bytes);

/// Compression effort: kDefault is each codec's default (zstd 3, zlib 6);
/// kFast its fastest useful level (zstd 1, zlib 1), for agents shipping
/// over a network where CPU is scarcer than bandwidth. Snappy has one level.
enum class CompressionLevel { kDefault, kFast };

/// Compresses `in`. For clients, sinks and tests.
Result<std::string> compress(Compression c, std::string_view in, CompressionLevel level = CompressionLevel::kDefault);

}  // namespace sluice
