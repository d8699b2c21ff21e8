// Framing of a msgpack byte stream (msgpack specification, "Formats"): finds
// where each top-level object ends by reading only the type headers, so a
// connection holds at most one incomplete message and rejects an oversized or
// over-nested one as soon as a header announces it, before its bytes arrive.
//
// Decoding the values is left to msgpack-cxx (msgpack_text.hpp); this file
// knows only the header layout of every format, which the framer and the
// Forward decoder's array and map headers share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace sluice {

enum class MsgpackKind { kNil, kBool, kInt, kFloat, kStr, kBin, kExt, kArray, kMap, kInvalid };

/// "nil", "bool", "integer", "float", "str", "bin", "ext", "array", "map",
/// "invalid byte 0xc1".
const char* msgpack_kind_name(MsgpackKind kind);

/// The kind announced by a first byte (0xc1, "never used", is kInvalid).
MsgpackKind msgpack_kind(uint8_t first);

/// Bytes of the header that starts with `first`: the type byte, the length
/// field and, for ext formats, the ext type byte (1..6); 0 for 0xc1.
size_t msgpack_header_size(uint8_t first);

struct MsgpackHeader {
  MsgpackKind kind = MsgpackKind::kInvalid;
  uint32_t header_bytes = 0;   ///< as msgpack_header_size()
  uint64_t payload_bytes = 0;  ///< bytes after the header: int/float value, str/bin/ext data
  uint64_t children = 0;       ///< array: elements; map: keys + values (2 x pairs)
  int8_t ext_type = 0;         ///< ext formats only
};

/// Decodes the header at `p`, which must hold msgpack_header_size(p[0]) > 0
/// bytes.
MsgpackHeader decode_msgpack_header(const uint8_t* p);

/// Incremental framer for one top-level msgpack object at a time.
///
/// Owner: one connection's decoder; single-threaded. Invariant: the bytes
/// scanned so far are a valid prefix of one object of at most
/// `max_object_bytes` bytes nested at most `max_depth` containers deep, and
/// each byte is looked at once however the object is split across reads.
class MsgpackFramer {
 public:
  MsgpackFramer(uint64_t max_object_bytes, size_t max_depth) : max_bytes_(max_object_bytes), max_depth_(max_depth) {}

  /// `object` holds the bytes of the current object received so far,
  /// starting at its first byte (a longer view than last time, same
  /// prefix). Returns the object's size once it is complete (then the
  /// framer is ready for the next object), or 0 when more bytes are needed.
  /// InvalidArgument for the type byte 0xc1; ResourceExhausted when a
  /// header announces more than max_object_bytes or nests deeper than
  /// max_depth. Messages name the byte as `stream_offset` + its index.
  Result<size_t> scan(std::string_view object, uint64_t stream_offset);

  /// Bytes of the current object scanned so far (0 between objects).
  uint64_t scanned() const { return pos_; }
  void reset();

 private:
  void complete_item();

  uint64_t max_bytes_;
  size_t max_depth_;
  uint64_t pos_ = 0;            ///< next byte of the object to look at
  uint64_t skip_ = 0;           ///< payload bytes still to pass over
  bool started_ = false;        ///< the top-level header has been read
  std::vector<uint64_t> open_;  ///< items still expected by each open container, outermost first
};

/// Size of the complete msgpack object at the start of `data`: what the
/// framer finds when it is handed `data` in one piece; InvalidArgument when
/// `data` ends inside the object. For values inside an already framed
/// message.
Result<size_t> msgpack_object_size(std::string_view data, uint64_t stream_offset, size_t max_depth);

}  // namespace sluice
