#include "pipeline/sources/fluent/forward_decoder.hpp"

#include "pipeline/sources/fluent/msgpack_text.hpp"

namespace sluice {

ForwardDecoder::ForwardDecoder(ForwardDecoderLimits limits)
    : limits_(limits), framer_(limits.max_frame_bytes, kMaxMsgpackDepth) {}

Status ForwardDecoder::feed(std::string_view bytes) {
  if (!error_.ok()) return frames_.empty() ? error_ : Status::Ok();
  buf_.append(bytes);
  while (scan_ < buf_.size()) {
    Result<size_t> n = framer_.scan(std::string_view(buf_).substr(scan_), base_ + scan_);
    if (!n.ok()) {
      // The messages completed before the bad bytes are still returned by
      // next(); what follows them can never be framed, so it is dropped.
      error_ = n.status();
      buf_.resize(scan_);
      break;
    }
    if (*n == 0) break;
    frames_.push_back(*n);
    scan_ += *n;
  }
  return !error_.ok() && frames_.empty() ? error_ : Status::Ok();
}

Result<std::optional<ForwardMessage>> ForwardDecoder::next() {
  if (frames_.empty()) {
    if (!error_.ok()) return error_;
    return std::optional<ForwardMessage>();
  }
  const size_t n = frames_.front();
  frames_.pop_front();
  std::string frame = buf_.substr(head_, n);
  const uint64_t offset = base_ + head_;
  head_ += n;
  // Drop what was returned: all of it when nothing is left, else once it is
  // most of the buffer (amortized linear).
  if (head_ == buf_.size() || head_ > buf_.size() / 2) {
    buf_.erase(0, head_);
    base_ += head_;
    scan_ -= head_;
    head_ = 0;
  }
  Result<ForwardMessage> m = ForwardMessage::parse(std::move(frame), offset, limits_);
  if (!m.ok()) return m.status();
  return std::optional<ForwardMessage>(std::move(m).value());
}

}  // namespace sluice
