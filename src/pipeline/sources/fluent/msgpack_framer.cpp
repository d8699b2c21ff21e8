#include "pipeline/sources/fluent/msgpack_framer.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace sluice {

namespace {

uint64_t be(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

std::string at_byte(uint64_t offset) { return "byte " + std::to_string(offset); }

}  // namespace

const char* msgpack_kind_name(MsgpackKind kind) {
  switch (kind) {
    case MsgpackKind::kNil:
      return "nil";
    case MsgpackKind::kBool:
      return "bool";
    case MsgpackKind::kInt:
      return "integer";
    case MsgpackKind::kFloat:
      return "float";
    case MsgpackKind::kStr:
      return "str";
    case MsgpackKind::kBin:
      return "bin";
    case MsgpackKind::kExt:
      return "ext";
    case MsgpackKind::kArray:
      return "array";
    case MsgpackKind::kMap:
      return "map";
    case MsgpackKind::kInvalid:
      break;
  }
  return "invalid byte 0xc1";
}

MsgpackKind msgpack_kind(uint8_t b) {
  if (b <= 0x7f || b >= 0xe0) return MsgpackKind::kInt;  // positive / negative fixint
  if (b <= 0x8f) return MsgpackKind::kMap;
  if (b <= 0x9f) return MsgpackKind::kArray;
  if (b <= 0xbf) return MsgpackKind::kStr;
  switch (b) {
    case 0xc0:
      return MsgpackKind::kNil;
    case 0xc2:
    case 0xc3:
      return MsgpackKind::kBool;
    case 0xc4:
    case 0xc5:
    case 0xc6:
      return MsgpackKind::kBin;
    case 0xc7:
    case 0xc8:
    case 0xc9:
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return MsgpackKind::kExt;
    case 0xca:
    case 0xcb:
      return MsgpackKind::kFloat;
    case 0xd9:
    case 0xda:
    case 0xdb:
      return MsgpackKind::kStr;
    case 0xdc:
    case 0xdd:
      return MsgpackKind::kArray;
    case 0xde:
    case 0xdf:
      return MsgpackKind::kMap;
    case 0xc1:
      return MsgpackKind::kInvalid;
    default:
      return MsgpackKind::kInt;  // 0xcc..0xd3: uint8..int64
  }
}

size_t msgpack_header_size(uint8_t b) {
  switch (b) {
    case 0xc1:
      return 0;
    case 0xc4:  // bin8
    case 0xd9:  // str8
    case 0xd4:  // fixext1..16: type byte
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return 2;
    case 0xc5:  // bin16
    case 0xda:  // str16
    case 0xdc:  // array16
    case 0xde:  // map16
    case 0xc7:  // ext8: len + type
      return 3;
    case 0xc8:  // ext16
      return 4;
    case 0xc6:  // bin32
    case 0xdb:  // str32
    case 0xdd:  // array32
    case 0xdf:  // map32
      return 5;
    case 0xc9:  // ext32
      return 6;
    default:
      return 1;
  }
}

MsgpackHeader decode_msgpack_header(const uint8_t* p) {
  const uint8_t b = p[0];
  MsgpackHeader h;
  h.kind = msgpack_kind(b);
  h.header_bytes = static_cast<uint32_t>(msgpack_header_size(b));
  if (b <= 0x7f || b >= 0xe0) return h;
  if (b <= 0x8f) {
    h.children = 2ULL * (b & 0x0f);
    return h;
  }
  if (b <= 0x9f) {
    h.children = b & 0x0f;
    return h;
  }
  if (b <= 0xbf) {
    h.payload_bytes = b & 0x1f;
    return h;
  }
  switch (b) {
    case 0xc4:
    case 0xd9:
      h.payload_bytes = p[1];
      break;
    case 0xc5:
    case 0xda:
      h.payload_bytes = be(p + 1, 2);
      break;
    case 0xc6:
    case 0xdb:
      h.payload_bytes = be(p + 1, 4);
      break;
    case 0xc7:
      h.payload_bytes = p[1];
      h.ext_type = static_cast<int8_t>(p[2]);
      break;
    case 0xc8:
      h.payload_bytes = be(p + 1, 2);
      h.ext_type = static_cast<int8_t>(p[3]);
      break;
    case 0xc9:
      h.payload_bytes = be(p + 1, 4);
      h.ext_type = static_cast<int8_t>(p[5]);
      break;
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      h.payload_bytes = 1ULL << (b - 0xd4);
      h.ext_type = static_cast<int8_t>(p[1]);
      break;
    case 0xca:
    case 0xce:
    case 0xd2:
      h.payload_bytes = 4;
      break;
    case 0xcb:
    case 0xcf:
    case 0xd3:
      h.payload_bytes = 8;
      break;
    case 0xcc:
    case 0xd0:
      h.payload_bytes = 1;
      break;
    case 0xcd:
    case 0xd1:
      h.payload_bytes = 2;
      break;
    case 0xdc:
      h.children = be(p + 1, 2);
      break;
    case 0xdd:
      h.children = be(p + 1, 4);
      break;
    case 0xde:
      h.children = 2 * be(p + 1, 2);
      break;
    case 0xdf:
      h.children = 2 * be(p + 1, 4);
      break;
    default:  // nil, false, true
      break;
  }
  return h;
}

void MsgpackFramer::reset() {
  pos_ = 0;
  skip_ = 0;
  started_ = false;
  open_.clear();
}

void MsgpackFramer::complete_item() {
  while (!open_.empty()) {
    if (--open_.back() > 0) return;
    open_.pop_back();  // the container is complete: one item of its parent
  }
}

Result<size_t> MsgpackFramer::scan(std::string_view object, uint64_t stream_offset) {
  const auto* p = reinterpret_cast<const uint8_t*>(object.data());
  const uint64_t size = object.size();
  while (true) {
    if (skip_ > 0) {
      uint64_t n = std::min<uint64_t>(skip_, size - std::min(size, pos_));
      pos_ += n;
      skip_ -= n;
      if (skip_ > 0) return size_t{0};
    }
    if (started_ && open_.empty()) {
      size_t n = static_cast<size_t>(pos_);
      reset();
      return n;
    }
    if (pos_ >= size) return size_t{0};
    const uint64_t at = pos_;
    size_t hs = msgpack_header_size(p[at]);
    if (hs == 0) {
      return Status::InvalidArgument(at_byte(stream_offset + at) +
                                     ": expected a msgpack type byte, found 0xc1 (never used by msgpack)");
    }
    if (size - at < hs) return size_t{0};
    MsgpackHeader h = decode_msgpack_header(p + at);
    started_ = true;
    pos_ += hs;
    if (h.kind == MsgpackKind::kArray || h.kind == MsgpackKind::kMap) {
      // Every element takes at least one byte, so the count alone bounds the size.
      if (pos_ + h.children > max_bytes_) {
        return Status::ResourceExhausted(at_byte(stream_offset + at) + ": " + msgpack_kind_name(h.kind) + " of " +
                                         std::to_string(h.kind == MsgpackKind::kMap ? h.children / 2 : h.children) +
                                         " entries cannot fit in the " + std::to_string(max_bytes_) +
                                         "-byte message limit (max_frame_bytes)");
      }
      if (h.children == 0) {
        complete_item();
        continue;
      }
      if (open_.size() >= max_depth_) {
        return Status::ResourceExhausted(at_byte(stream_offset + at) + ": containers nested deeper than " +
                                         std::to_string(max_depth_) + " levels");
      }
      open_.push_back(h.children);
      continue;
    }
    if (pos_ + h.payload_bytes > max_bytes_) {
      return Status::ResourceExhausted(at_byte(stream_offset + at) + ": " + msgpack_kind_name(h.kind) + " of " +
                                       std::to_string(h.payload_bytes) + " bytes makes the message larger than " +
                                       std::to_string(max_bytes_) + " bytes (max_frame_bytes)");
    }
    skip_ = h.payload_bytes;
    complete_item();
  }
}

Result<size_t> msgpack_object_size(std::string_view data, uint64_t stream_offset, size_t max_depth) {
  // No size limit: the end of `data` is the limit, reported as "ends early".
  MsgpackFramer f(UINT64_MAX / 4, max_depth);
  SLUICE_ASSIGN_OR_RETURN(size_t n, f.scan(data, stream_offset));
  if (n == 0) {
    return Status::InvalidArgument("byte " + std::to_string(stream_offset + f.scanned()) +
                                   ": expected more bytes of a msgpack value, found the end of its enclosing data");
  }
  return n;
}

}  // namespace sluice
