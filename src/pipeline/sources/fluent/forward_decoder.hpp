// ForwardDecoder: turns the bytes of one Fluent Forward connection, as they
// arrive in reads of any size, into complete requests (forward_message.hpp).
// Pure: no sockets, so every split point of a stream can be tested.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "pipeline/sources/fluent/forward_message.hpp"
#include "pipeline/sources/fluent/msgpack_framer.hpp"

namespace sluice {

/// Owner: one connection thread. Invariant: holds at most
/// limits.max_frame_bytes of the message being received plus the complete
/// messages of the last feed() not yet taken by next(). Once the stream
/// cannot be framed (not msgpack, or a message over the limits), the
/// messages completed before that point are still returned, then the error,
/// from next() and feed() alike, for good.
class ForwardDecoder {
 public:
  explicit ForwardDecoder(ForwardDecoderLimits limits);

  /// Appends bytes read from the connection and finds the messages they
  /// complete. Returns the framing error once no complete message is left
  /// before it: InvalidArgument for bytes that are not msgpack (naming the
  /// stream byte offset); ResourceExhausted when the message being received
  /// announces more than max_frame_bytes or deeper nesting than
  /// kMaxMsgpackDepth.
  Status feed(std::string_view bytes);

  /// The next complete request, parsed; nullopt when more bytes are needed.
  /// Errors as ForwardMessage::parse, then the framing error (see feed).
  Result<std::optional<ForwardMessage>> next();

  /// True while bytes of an incomplete message are held (an end of stream
  /// now would cut a message).
  bool mid_message() const { return scan_ < buf_.size(); }
  /// Stream offset just after the last complete message found.
  uint64_t framed_offset() const { return base_ + scan_; }

 private:
  ForwardDecoderLimits limits_;
  MsgpackFramer framer_;
  std::string buf_;            ///< stream bytes from base_ on
  uint64_t base_ = 0;          ///< stream offset of buf_[0]
  size_t head_ = 0;            ///< first byte of buf_ not yet returned by next()
  size_t scan_ = 0;            ///< first byte of the message being framed
  std::deque<size_t> frames_;  ///< sizes of complete messages from head_ on
  Status error_;
};

}  // namespace sluice
