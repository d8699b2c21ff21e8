// Reading msgpack values out of an already framed message, with msgpack-cxx's
// visitor parser (no object tree: memory stays proportional to the text
// produced). Used by the Fluent Forward decoder for tags, times, records and
// handshake fields.
//
// Text rendering of a value (what a record field becomes in `attributes`):
// str and bin as their bytes (invalid UTF-8 replaced by U+FFFD unless raw
// bytes are asked for); nil, bool, integers and floats as JSON text
// ("null", "true", "42", "1.5"); arrays and maps as compact JSON, with map
// keys turned into JSON strings; ext values as the string "ext:<type>:<hex>".
//
// Every function reads the value starting at data[*off], advances *off past
// it, and reports errors with `where(offset)` naming the byte.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "model/log_record.hpp"
#include "model/utf8.hpp"
#include "pipeline/sources/fluent/msgpack_framer.hpp"

namespace sluice {

/// Describes a byte offset of the data being read for error messages, e.g.
/// "byte 1234" or "byte 17 of the gunzipped entries of the message at byte 9".
using ByteWhere = std::function<std::string(size_t offset)>;

/// Deepest nesting of arrays and maps accepted inside one message.
inline constexpr size_t kMaxMsgpackDepth = 100;

/// One scalar as msgpack encodes it.
struct MsgpackScalar {
  MsgpackKind kind = MsgpackKind::kNil;
  bool boolean = false;
  bool negative = false;   ///< kInt: the value is `i` (< 0); otherwise `u`
  uint64_t u = 0;          ///< kInt, non-negative
  int64_t i = 0;           ///< kInt, negative
  double f = 0;            ///< kFloat
  std::string_view bytes;  ///< kStr, kBin: the bytes; kExt: the data without the type byte
  int8_t ext_type = 0;     ///< kExt
};

/// Reads a scalar (anything but an array or a map; those are an error that
/// names `what`).
Result<MsgpackScalar> read_msgpack_scalar(std::string_view data, size_t* off, std::string_view what,
                                          const ByteWhere& where);

/// Reads a str or bin value's bytes, as they are (no UTF-8 repair).
/// InvalidArgument naming `what` for any other kind.
Result<std::string> read_msgpack_bytes(std::string_view data, size_t* off, std::string_view what,
                                       const ByteWhere& where);

/// Reads an array header; returns the element count. InvalidArgument naming
/// `what` when the value is not an array.
Result<uint64_t> read_msgpack_array_header(std::string_view data, size_t* off, std::string_view what,
                                           const ByteWhere& where);

/// Renders any value as text (see the file comment).
Result<std::string> read_msgpack_text(std::string_view data, size_t* off, const ByteWhere& where);

/// Reads a map into key/value text pairs (keys and values rendered as
/// text; a repeated key keeps its last value). InvalidArgument naming `what`
/// when the value is not a map.
Result<KeyValues> read_msgpack_map_text(std::string_view data, size_t* off, std::string_view what,
                                        const ByteWhere& where);

}  // namespace sluice
