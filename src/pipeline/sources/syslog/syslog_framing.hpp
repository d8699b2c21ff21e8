// SyslogFrameDecoder: cuts a syslog TCP (or TLS) byte stream into messages,
// RFC 6587 section 3.4. Pure: no sockets, so every split point of a stream
// can be tested.
//
// Framings:
//   - octet counting (RFC 6587 section 3.4.1, RFC 5425 section 4.3):
//     `MSG-LEN SP SYSLOG-MSG`, MSG-LEN = NONZERO-DIGIT *DIGIT (at most 10
//     digits), the number of octets of SYSLOG-MSG.
//   - non-transparent framing (RFC 6587 section 3.4.2): each message ends
//     with LF; a NUL also ends one, and a CR before the LF is removed.
//   - auto: decided per frame, like rsyslog: a frame that starts with a
//     digit is octet-counted, anything else is LF-terminated (syslog
//     messages start with '<', so both kinds may be mixed on a connection).
//
// Limits: an octet-counted frame longer than max_message_bytes is skipped
// (its bytes are read and discarded, the connection stays usable) and
// counted in oversize_frames(). An LF-terminated line longer than
// max_message_bytes is cut into pieces of that size marked first / middle /
// last (the file source's `log.split`); nothing is dropped. Buffered bytes
// never exceed max_message_bytes + 12 plus the bytes of one feed() call.
//
// Trailing LF, CR and NUL bytes of an octet-counted message are removed
// (rsyslog's templates end in LF). Empty messages are not reported.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "pipeline/sources/file/line_splitter.hpp"

namespace sluice {

enum class SyslogFraming { kAuto, kOctetCounting, kNewline };

/// "auto", "octet_counting", "newline" -> SyslogFraming; InvalidArgument otherwise.
Result<SyslogFraming> syslog_framing_from_name(std::string_view name);

/// One message found in the stream; `text` is valid during the callback only.
struct SyslogFrame {
  std::string_view text;
  LinePart part = LinePart::kWhole;  ///< kFirst/kMiddle/kLast: a piece of an over-long line
};

/// `text` without trailing LF, CR and NUL bytes (a UDP datagram or an
/// octet-counted message as rsyslog sends it).
std::string_view trim_syslog_trailer(std::string_view text);

/// Decoder state of one connection.
///
/// Owner: the connection's handler. Threads: one at a time. Invariant: once
/// feed() or finish() returned an error, the framing is lost and every
/// later call returns that error (the connection must be closed).
class SyslogFrameDecoder {
 public:
  using FrameFn = std::function<void(const SyslogFrame&)>;

  SyslogFrameDecoder(SyslogFraming framing, size_t max_message_bytes);

  /// Appends `data` and calls `on_frame` for each complete message, in
  /// order. Errors (InvalidArgument) name the stream byte offset and what
  /// was expected, e.g. "octet counting: expected SP after MSG-LEN at
  /// stream byte 4, found 'x'". Frames before the error were reported.
  Status feed(std::string_view data, const FrameFn& on_frame);

  /// The end of the stream: a last LF-less line is reported; an incomplete
  /// octet-counted frame is an error ("truncated frame").
  Status finish(const FrameFn& on_frame);

  /// Octet-counted frames skipped because MSG-LEN > max_message_bytes.
  uint64_t oversize_frames() const { return oversize_frames_; }
  /// Bytes held for an incomplete frame.
  size_t buffered_bytes() const { return buf_.size(); }

 private:
  // Consumes complete frames at the start of `data`; returns the bytes consumed.
  Result<size_t> scan(std::string_view data, bool final, const FrameFn& on_frame);
  Result<size_t> scan_octet_counted(std::string_view data, size_t pos, bool final, const FrameFn& on_frame);
  Status fail(Status st);

  SyslogFraming framing_;
  size_t max_;
  std::string buf_;              ///< unconsumed stream bytes from base_ on
  uint64_t base_ = 0;            ///< stream offset of the first unconsumed byte
  uint64_t skip_remaining_ = 0;  ///< bytes of an oversize frame still to discard
  bool mid_line_ = false;        ///< inside an LF-terminated line that was cut
  uint64_t oversize_frames_ = 0;
  Status error_;
};

}  // namespace sluice
