#include "pipeline/sources/fluent/forward_message.hpp"

#include "model/utf8.hpp"

#include <cmath>
#include <limits>

#include "common/compression.hpp"
#include "pipeline/sources/fluent/msgpack_text.hpp"

namespace sluice {

namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / kNsPerSecond - 1;

uint32_t be32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

Status out_of_range(const ByteWhere& where, size_t at, const std::string& value) {
  return Status::InvalidArgument(where(at) + ": expected an event time within +-" + std::to_string(kMaxSeconds) +
                                 " seconds of the epoch, found " + value);
}

// Time ::= integer (seconds) | EventTime (ext 0: be32 seconds, be32 ns);
// floats (seconds) and nil (unknown: 0) are accepted as well.
Result<int64_t> read_event_time(std::string_view data, size_t* off, const ByteWhere& where) {
  static constexpr std::string_view kWhat = "the event time (integer or EventTime)";
  const size_t at = *off;
  SLUICE_ASSIGN_OR_RETURN(MsgpackScalar s, read_msgpack_scalar(data, off, kWhat, where));
  switch (s.kind) {
    case MsgpackKind::kNil:
      return int64_t{0};
    case MsgpackKind::kInt:
      if (s.negative) {
        if (s.i < -kMaxSeconds) return out_of_range(where, at, std::to_string(s.i));
        return s.i * kNsPerSecond;
      }
      if (s.u > static_cast<uint64_t>(kMaxSeconds)) return out_of_range(where, at, std::to_string(s.u));
      return static_cast<int64_t>(s.u) * kNsPerSecond;
    case MsgpackKind::kFloat:
      if (!std::isfinite(s.f) || std::fabs(s.f) > static_cast<double>(kMaxSeconds)) {
        return out_of_range(where, at, std::to_string(s.f));
      }
      return static_cast<int64_t>(std::llround(s.f * 1e9));
    case MsgpackKind::kExt: {
      if (s.ext_type != 0 || s.bytes.size() != 8) {
        return Status::InvalidArgument(where(at) + ": expected EventTime (ext type 0 with 8 bytes), found ext type " +
                                       std::to_string(s.ext_type) + " with " + std::to_string(s.bytes.size()) +
                                       " bytes");
      }
      uint32_t seconds = be32(s.bytes, 0), nanos = be32(s.bytes, 4);
      if (nanos >= kNsPerSecond) {
        return Status::InvalidArgument(where(at) + ": expected EventTime nanoseconds below 1000000000, found " +
                                       std::to_string(nanos));
      }
      return static_cast<int64_t>(seconds) * kNsPerSecond + nanos;
    }
    default:
      return Status::InvalidArgument(where(at) + ": expected " + std::string(kWhat) + ", found " +
                                     msgpack_kind_name(s.kind));
  }
}

}  // namespace

const char* forward_mode_name(ForwardMode mode) {
  switch (mode) {
    case ForwardMode::kMessage:
      return "Message";
    case ForwardMode::kForward:
      return "Forward";
    case ForwardMode::kPackedForward:
      return "PackedForward";
    case ForwardMode::kCompressedPackedForward:
      return "CompressedPackedForward";
  }
  return "?";
}

std::string ForwardMessage::where(size_t offset) const {
  if (decompressed_) {
    return "byte " + std::to_string(offset) + " of the decompressed entries of the message at byte " +
           std::to_string(stream_offset_);
  }
  return "byte " + std::to_string(stream_offset_ + offset);
}

Result<ForwardMessage> ForwardMessage::parse(std::string frame, uint64_t stream_offset,
                                             const ForwardDecoderLimits& limits) {
  ForwardMessage m;
  m.stream_offset_ = stream_offset;
  m.data_ = std::move(frame);
  const ByteWhere w = [&m](size_t o) { return m.where(o); };
  std::string_view d = m.data_;
  if (!d.empty() && static_cast<uint8_t>(d[0]) == 0xc0) {
    m.kind_ = Kind::kHeartbeat;
    return m;
  }
  size_t pos = 0;
  SLUICE_ASSIGN_OR_RETURN(uint64_t n,
                          read_msgpack_array_header(d, &pos, "a Forward request (array) or a nil heartbeat", w));
  if (n == 0) return Status::InvalidArgument(w(0) + ": expected a Forward request [tag, ...], found an empty array");
  SLUICE_ASSIGN_OR_RETURN(std::string tag, read_msgpack_bytes(d, &pos, "the tag (str)", w));
  if (tag == "PING" && n == 6) {
    m.kind_ = Kind::kPing;
    ForwardPing& p = m.ping_;
    for (auto [field, what] :
         {std::pair{&p.client_hostname, "the PING client_hostname (str)"},
          std::pair{&p.shared_key_salt, "the PING shared_key_salt (str or bin)"},
          std::pair{&p.shared_key_hexdigest, "the PING shared_key_hexdigest (str)"},
          std::pair{&p.username, "the PING username (str)"}, std::pair{&p.password, "the PING password (str)"}}) {
      SLUICE_ASSIGN_OR_RETURN(*field, read_msgpack_bytes(d, &pos, what, w));
    }
    return m;
  }
  if (n < 2 || n > 4) {
    return Status::InvalidArgument(w(0) +
                                   ": expected a Forward request of 2 to 4 elements [tag, entries or time, ...]" +
                                   ", found an array of " + std::to_string(n));
  }
  m.kind_ = Kind::kEvents;
  append_valid_utf8(m.tag_, tag);
  SLUICE_RETURN_IF_ERROR(m.parse_events(n, pos, limits));
  return m;
}

Status ForwardMessage::parse_events(uint64_t elements, size_t pos, const ForwardDecoderLimits& limits) {
  const ByteWhere w = [this](size_t o) { return where(o); };
  std::string_view d = data_;
  const size_t at = pos;
  MsgpackKind kind = pos < d.size() ? msgpack_kind(static_cast<uint8_t>(d[pos])) : MsgpackKind::kInvalid;
  auto need_elements = [&](uint64_t lo, uint64_t hi, const char* shape) -> Status {
    if (elements >= lo && elements <= hi) return Status::Ok();
    return Status::InvalidArgument(w(0) + ": expected " + forward_mode_name(mode_) + " mode " + shape + ", found " +
                                   std::to_string(elements) + " elements");
  };
  auto size_at = [&](size_t o) { return msgpack_object_size(d.substr(o), stream_offset_ + o, kMaxMsgpackDepth); };

  switch (kind) {
    case MsgpackKind::kArray: {
      mode_ = ForwardMode::kForward;
      SLUICE_RETURN_IF_ERROR(need_elements(2, 3, "[tag, entries, option?]"));
      SLUICE_ASSIGN_OR_RETURN(size_t entries_size, size_at(at));
      SLUICE_ASSIGN_OR_RETURN(cursor_.remaining, read_msgpack_array_header(d, &pos, "the entries (array)", w));
      cursor_.pos = pos;
      cursor_.end = at + entries_size;
      return elements == 3 ? parse_option(cursor_.end) : Status::Ok();
    }
    case MsgpackKind::kStr:
    case MsgpackKind::kBin: {
      mode_ = ForwardMode::kPackedForward;
      SLUICE_RETURN_IF_ERROR(need_elements(2, 3, "[tag, entries, option?]"));
      SLUICE_ASSIGN_OR_RETURN(MsgpackScalar s, read_msgpack_scalar(d, &pos, "the packed entries (bin or str)", w));
      cursor_.pos = static_cast<size_t>(s.bytes.data() - d.data());
      cursor_.end = cursor_.pos + s.bytes.size();
      if (elements == 3) SLUICE_RETURN_IF_ERROR(parse_option(pos));
      if (compressed_ != "gzip" && compressed_ != "zstd") return Status::Ok();
      mode_ = ForwardMode::kCompressedPackedForward;
      Compression c = compressed_ == "gzip" ? Compression::kGzip : Compression::kZstd;
      Result<std::string> plain = decompress(c, s.bytes, limits.max_decompressed_bytes);
      if (!plain.ok()) {
        return plain.status().with_context(w(at) + ": " + compressed_ +
                                           " entries of CompressedPackedForward (max_decompressed_bytes " +
                                           std::to_string(limits.max_decompressed_bytes) + ")");
      }
      data_ = std::move(plain).value();
      decompressed_ = true;
      cursor_.pos = 0;
      cursor_.end = data_.size();
      return Status::Ok();
    }
    case MsgpackKind::kInt:
    case MsgpackKind::kExt:
    case MsgpackKind::kFloat:
    case MsgpackKind::kNil: {
      mode_ = ForwardMode::kMessage;
      SLUICE_RETURN_IF_ERROR(need_elements(3, 4, "[tag, time, record, option?]"));
      SLUICE_ASSIGN_OR_RETURN(size_t time_size, size_at(at));
      SLUICE_ASSIGN_OR_RETURN(size_t record_size, size_at(at + time_size));
      cursor_.pos = at;
      cursor_.end = at + time_size + record_size;
      cursor_.remaining = 1;
      return elements == 4 ? parse_option(cursor_.end) : Status::Ok();
    }
    default:
      return Status::InvalidArgument(w(at) +
                                     ": expected the entries (array, bin or str) or the event time (integer or "
                                     "EventTime) as element 2 of the request, found " +
                                     (pos < d.size() ? msgpack_kind_name(kind) : "the end of the message"));
  }
}

Status ForwardMessage::parse_option(size_t pos) {
  const ByteWhere w = [this](size_t o) { return where(o); };
  std::string_view d = data_;
  if (pos < d.size() && static_cast<uint8_t>(d[pos]) == 0xc0) return Status::Ok();  // nil: no options
  if (pos >= d.size() || msgpack_kind(static_cast<uint8_t>(d[pos])) != MsgpackKind::kMap) {
    return Status::InvalidArgument(
        w(pos) + ": expected the option (map), found " +
        (pos < d.size() ? msgpack_kind_name(msgpack_kind(static_cast<uint8_t>(d[pos]))) : "the end of the message"));
  }
  MsgpackHeader h = decode_msgpack_header(reinterpret_cast<const uint8_t*>(d.data()) + pos);
  pos += h.header_bytes;
  for (uint64_t i = 0; i < h.children / 2; ++i) {
    SLUICE_ASSIGN_OR_RETURN(std::string key, read_msgpack_text(d, &pos, w));
    const size_t value_at = pos;
    if (key == "compressed") {
      SLUICE_ASSIGN_OR_RETURN(compressed_, read_msgpack_text(d, &pos, w));
      continue;
    }
    if (key == "fluent_signal") {
      SLUICE_ASSIGN_OR_RETURN(MsgpackScalar s, read_msgpack_scalar(d, &pos, "the fluent_signal option", w));
      if (s.kind != MsgpackKind::kInt || s.negative || s.u != 0) {
        return Status::InvalidArgument(
            w(value_at) +
            ": expected option fluent_signal 0 (logs; metrics and traces are not "
            "supported), found " +
            (s.kind == MsgpackKind::kInt && !s.negative ? std::to_string(s.u) : msgpack_kind_name(s.kind)));
      }
      continue;
    }
    SLUICE_ASSIGN_OR_RETURN(size_t n, msgpack_object_size(d.substr(pos), stream_offset_ + pos, kMaxMsgpackDepth));
    if (key == "chunk") chunk_ = std::string(d.substr(pos, n));
    pos += n;
  }
  return Status::Ok();
}

Result<bool> ForwardMessage::next_event(ForwardEvent* out) { return next_in(cursor_, out); }

Status ForwardMessage::check_remaining() const {
  Cursor c = cursor_;
  ForwardEvent scratch;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, next_in(c, &scratch));
    if (!more) return Status::Ok();
  }
}

Result<bool> ForwardMessage::next_in(Cursor& c, ForwardEvent* out) const {
  if (kind_ != Kind::kEvents) return false;
  const ByteWhere w = [this](size_t o) { return where(o); };
  std::string_view d(data_.data(), c.end);
  if (mode_ == ForwardMode::kMessage || mode_ == ForwardMode::kForward) {
    if (c.remaining == 0) return false;
    --c.remaining;
  } else if (c.pos >= c.end) {
    return false;
  }
  *out = ForwardEvent{};
  if (mode_ != ForwardMode::kMessage) {
    const size_t at = c.pos;
    SLUICE_ASSIGN_OR_RETURN(uint64_t n, read_msgpack_array_header(d, &c.pos, "an entry [time, record] (array)", w));
    if (n != 2) {
      return Status::InvalidArgument(w(at) + ": expected an entry [time, record] of 2 elements, found " +
                                     std::to_string(n));
    }
    if (c.pos < d.size() && msgpack_kind(static_cast<uint8_t>(d[c.pos])) == MsgpackKind::kArray) {
      // Fluent Bit's entry [[time, metadata], record].
      const size_t pair_at = c.pos;
      SLUICE_ASSIGN_OR_RETURN(uint64_t k, read_msgpack_array_header(d, &c.pos, "[time, metadata]", w));
      if (k != 2) {
        return Status::InvalidArgument(w(pair_at) + ": expected [time, metadata] of 2 elements, found " +
                                       std::to_string(k));
      }
      SLUICE_ASSIGN_OR_RETURN(out->time_ns, read_event_time(d, &c.pos, w));
      SLUICE_ASSIGN_OR_RETURN(out->metadata, read_msgpack_map_text(d, &c.pos, "the entry metadata (map)", w));
    } else {
      SLUICE_ASSIGN_OR_RETURN(out->time_ns, read_event_time(d, &c.pos, w));
    }
  } else {
    SLUICE_ASSIGN_OR_RETURN(out->time_ns, read_event_time(d, &c.pos, w));
  }
  SLUICE_ASSIGN_OR_RETURN(out->record, read_msgpack_map_text(d, &c.pos, "the record (map)", w));
  return true;
}

}  // namespace sluice
