// A pre-flight walk over protobuf wire bytes (Protocol Buffers encoding,
// https://protobuf.dev/programming-guides/encoding/) that checks the bytes
// and counts what parsing them would allocate, before anything is parsed.
//
// Why: parsing materializes every nested message. An empty message costs two
// bytes on the wire and a hundred or more in memory, so a 64 MiB request of
// empty log records or attributes would cost gigabytes. The scan counts
// messages without allocating and refuses requests over the limits, and it
// names what is wrong with malformed bytes (byte offset and field path),
// which protobuf's parser does not.
//
// Checks: tags and varints complete, tags and lengths in at most 5 bytes
// (protobuf's parser reads no more), field number 1..2^29-1, wire types 0,
// 1, 2, 5 (groups are refused), lengths within their enclosing message,
// nesting at most kMaxWireDepth messages, proto3 `string` fields valid
// UTF-8. Fields unknown to the descriptor are skipped, as the parser skips
// them.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <string_view>

#include <google/protobuf/descriptor.h>

#include "common/status.hpp"
#include "model/utf8.hpp"

namespace sluice {

/// Reads a base-128 varint of at most 10 bytes at `p`, advancing it; false
/// if it is truncated or longer (bits past 64 are dropped, as protobuf does).
inline bool read_protobuf_varint(const char*& p, const char* end, uint64_t* v) {
  uint64_t out = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    auto b = static_cast<uint8_t>(*p++);
    out |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = out;
      return true;
    }
  }
  return false;
}

/// Nesting limit of the scan; protobuf's parser also stops at 100.
inline constexpr int kMaxWireDepth = 100;

struct WireScanLimits {
  /// Messages of type `counted` allowed (e.g. OTLP log records).
  uint64_t max_counted = UINT64_MAX;
  /// Nested messages of any type allowed (the root is not counted).
  uint64_t max_messages = UINT64_MAX;
};

struct WireScanCounts {
  uint64_t counted = 0;   ///< messages of the counted type
  uint64_t messages = 0;  ///< nested messages of any type, the counted ones included
};

/// Walks `bytes` as one message of type `root`, counting nested messages and
/// those of type `counted` (may be null) into `*counts`.
///
/// Errors: InvalidArgument "invalid protobuf at byte N (field.path[i]):
/// what" for malformed bytes; ResourceExhausted when a limit is passed (the
/// walk stops there; `*counts` then shows which).
Status scan_protobuf_wire(std::string_view bytes, const google::protobuf::Descriptor* root,
                          const google::protobuf::Descriptor* counted, const WireScanLimits& limits,
                          WireScanCounts* counts);

}  // namespace sluice
