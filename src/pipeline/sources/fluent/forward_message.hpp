// One request of the Fluent Forward protocol v1 (fluentd wiki,
// "Forward-Protocol-Specification-v1"), parsed from a complete msgpack
// message:
//
//   Request       ::= Message | Forward | PackedForward | nil (heartbeat) | PING
//   Message       ::= [ tag, time, record, option? ]
//   Forward       ::= [ tag, [ [time, record], ... ], option? ]
//   PackedForward ::= [ tag, bin|str holding concatenated [time, record], option? ]
//   (CompressedPackedForward: PackedForward whose bin is gzip, possibly
//    several concatenated members, with option {"compressed": "gzip"})
//   PING          ::= [ "PING", client_hostname, shared_key_salt, hexdigest, username, password ]
//
// time is an integer (seconds since the epoch) or EventTime (ext type 0, 8
// bytes: big-endian uint32 seconds, uint32 nanoseconds); a float (seconds)
// is accepted too, and nil or 0 mean "unknown" (fluentd's in_forward uses
// the arrival time). An entry's time may also be Fluent Bit's
// [time, metadata-map] pair. Options read: "chunk" (answered with an ack),
// "compressed" ("gzip"; "zstd" as Fluent Bit's extension), "fluent_signal"
// (only 0, logs). Other options are ignored, as the specification allows.
//
// Events are decoded lazily, one at a time, so memory follows the records
// produced, not the message.
//
// Thread-safety: a value owned by one connection thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

struct ForwardDecoderLimits {
  uint64_t max_frame_bytes = 16ULL << 20;         ///< largest msgpack message held
  uint64_t max_decompressed_bytes = 64ULL << 20;  ///< cap on gunzipped PackedForward entries
};

enum class ForwardMode { kMessage, kForward, kPackedForward, kCompressedPackedForward };

/// "Message", "Forward", "PackedForward", "CompressedPackedForward" (the
/// specification's names).
const char* forward_mode_name(ForwardMode mode);

struct ForwardEvent {
  int64_t time_ns = 0;  ///< ns since the epoch; 0 = not given (nil or 0)
  KeyValues record;     ///< record fields as text (msgpack_text.hpp)
  KeyValues metadata;   ///< Fluent Bit's per-entry metadata map, if sent
};

/// The fields of a PING, as bytes (salts may be any bytes).
struct ForwardPing {
  std::string client_hostname;
  std::string shared_key_salt;
  std::string shared_key_hexdigest;
  std::string username;
  std::string password;
};

class ForwardMessage {
 public:
  enum class Kind { kHeartbeat, kPing, kEvents };

  /// Parses the complete msgpack message `frame` that started at byte
  /// `stream_offset` of its connection. Checks the envelope (mode, tag,
  /// options, decompression); events are checked as they are read.
  /// InvalidArgument names what was expected at which byte;
  /// ResourceExhausted when gunzipped entries exceed max_decompressed_bytes.
  static Result<ForwardMessage> parse(std::string frame, uint64_t stream_offset, const ForwardDecoderLimits& limits);

  Kind kind() const { return kind_; }
  uint64_t stream_offset() const { return stream_offset_; }

  // ---- kEvents ----
  const std::string& tag() const { return tag_; }
  ForwardMode mode() const { return mode_; }
  /// The msgpack encoding of the "chunk" option's value, to echo in the ack
  /// ({"ack": <chunk>}); empty when the client asked for no ack.
  const std::string& chunk() const { return chunk_; }
  /// Reads the next event into *out. Returns false after the last one.
  /// InvalidArgument names the malformed entry's byte.
  Result<bool> next_event(ForwardEvent* out);
  /// Reads (and drops) every event not read yet, leaving the read position
  /// where it is: tells whether the rest of the message is well formed.
  Status check_remaining() const;

  // ---- kPing ----
  const ForwardPing& ping() const { return ping_; }

 private:
  struct Cursor {
    size_t pos = 0;          ///< next entry (Message mode: the time element)
    size_t end = 0;          ///< end of the entries
    uint64_t remaining = 0;  ///< Message/Forward: events left; packed modes: unused
  };

  ForwardMessage() = default;
  Status parse_events(uint64_t elements, size_t pos, const ForwardDecoderLimits& limits);
  Status parse_option(size_t pos);
  Result<bool> next_in(Cursor& c, ForwardEvent* out) const;
  std::string where(size_t offset) const;

  Kind kind_ = Kind::kHeartbeat;
  uint64_t stream_offset_ = 0;
  std::string data_;  ///< the message, or its decompressed entries when decompressed_
  bool decompressed_ = false;
  std::string tag_;
  ForwardMode mode_ = ForwardMode::kMessage;
  std::string chunk_;
  std::string compressed_;  ///< option "compressed" value
  ForwardPing ping_;
  Cursor cursor_;
};

}  // namespace sluice
