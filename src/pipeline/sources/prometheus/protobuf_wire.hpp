// for_each_wire_field: walks the fields of one protobuf message on the wire
// (https://protobuf.dev/programming-guides/encoding/), so that a decoder can
// read a message without materializing it and name the byte offset of a
// malformed field. Used by the remote_write decoder.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace sluice::prometheus_wire {

inline constexpr int kVarint = 0;
inline constexpr int kFixed64 = 1;
inline constexpr int kLengthDelimited = 2;
inline constexpr int kFixed32 = 5;

/// One field as found on the wire.
struct WireField {
  int number = 0;            ///< field number
  int type = 0;              ///< wire type (kVarint, kFixed64, kLengthDelimited, kFixed32; groups are skipped)
  uint64_t scalar = 0;       ///< the value of a varint, fixed64 or fixed32 field
  std::string_view payload;  ///< the bytes of a length-delimited field
  size_t at = 0;             ///< byte offset of the field's tag in the whole request
  size_t payload_at = 0;     ///< byte offset of `payload` in the whole request

  /// The fixed64 value as a double (IEEE 754, little-endian on the wire).
  double as_double() const {
    double d;
    std::memcpy(&d, &scalar, sizeof d);
    return d;
  }
};

/// "wire type 2 (length-delimited)" and the like, for messages.
inline const char* wire_type_name(int type) {
  switch (type) {
    case kVarint:
      return "0 (varint)";
    case kFixed64:
      return "1 (64-bit)";
    case kLengthDelimited:
      return "2 (length-delimited)";
    case kFixed32:
      return "5 (32-bit)";
    default:
      return "3/4 (group)";
  }
}

/// "<what>: field <name> (<number>) at byte <at> has wire type X, expected Y".
inline Status wrong_wire_type(std::string_view what, const char* name, const WireField& f, int wanted) {
  return Status::InvalidArgument(std::string(what) + ": field " + name + " (" + std::to_string(f.number) +
                                 ") at byte " + std::to_string(f.at) + " has wire type " + wire_type_name(f.type) +
                                 ", expected " + wire_type_name(wanted));
}

/// Calls fn(const WireField&) -> Status for every field of `msg`, which
/// starts at byte `base` of the request; stops at the first error. `what`
/// names the message in errors ("series 3"). InvalidArgument for a
/// truncated tag, length or value, or a length past the end of `msg`.
/// `msg` must be shorter than 2 GiB (the caller checks).
template <class Fn>
Status for_each_wire_field(std::string_view msg, size_t base, std::string_view what, Fn&& fn) {
  namespace pb = google::protobuf;
  using WFL = pb::internal::WireFormatLite;
  pb::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(msg.data()), static_cast<int>(msg.size()));
  auto fail = [&](size_t pos, const std::string& problem) {
    return Status::InvalidArgument(std::string(what) + ": " + problem + " at byte " + std::to_string(base + pos));
  };
  while (true) {
    auto pos = static_cast<size_t>(in.CurrentPosition());
    uint32_t tag = in.ReadTag();
    if (tag == 0) {
      if (pos == msg.size()) return Status::Ok();
      return fail(pos, "expected a field tag, found an invalid or truncated varint");
    }
    WireField f;
    f.number = static_cast<int>(WFL::GetTagFieldNumber(tag));
    f.type = static_cast<int>(WFL::GetTagWireType(tag));
    f.at = base + pos;
    if (f.number == 0) return fail(pos, "field number 0 is invalid");
    bool ok = true;
    switch (f.type) {
      case kVarint:
        ok = in.ReadVarint64(&f.scalar);
        break;
      case kFixed64:
        ok = in.ReadLittleEndian64(&f.scalar);
        break;
      case kFixed32: {
        uint32_t v = 0;
        ok = in.ReadLittleEndian32(&v);
        f.scalar = v;
        break;
      }
      case kLengthDelimited: {
        uint32_t len = 0;
        if (!in.ReadVarint32(&len)) return fail(pos, "field " + std::to_string(f.number) + ": truncated length");
        auto start = static_cast<size_t>(in.CurrentPosition());
        if (len > msg.size() - start) {
          return fail(pos, "field " + std::to_string(f.number) + ": length " + std::to_string(len) + " exceeds the " +
                               std::to_string(msg.size() - start) + " bytes left");
        }
        f.payload = msg.substr(start, len);
        f.payload_at = base + start;
        ok = in.Skip(static_cast<int>(len));
        break;
      }
      default:
        ok = WFL::SkipField(&in, tag);  // groups: obsolete, skipped with the stream's recursion limit
        break;
    }
    if (!ok) {
      return fail(pos, "field " + std::to_string(f.number) + ": truncated or malformed value of wire type " +
                           wire_type_name(f.type));
    }
    SLUICE_RETURN_IF_ERROR(fn(f));
  }
}

}  // namespace sluice::prometheus_wire
