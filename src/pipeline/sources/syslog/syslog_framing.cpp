#include "pipeline/sources/syslog/syslog_framing.hpp"

#include <cstdio>
#include <cstring>

namespace sluice {
namespace {

constexpr size_t kMaxLengthDigits = 10;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string describe(std::string_view data, size_t pos) {
  if (pos >= data.size()) return "end of stream";
  auto c = static_cast<unsigned char>(data[pos]);
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  char buf[16];
  std::snprintf(buf, sizeof(buf), "byte 0x%02x", c);
  return buf;
}

// Index of the first LF or NUL in data[from, limit), or npos.
size_t find_terminator(std::string_view data, size_t from, size_t limit) {
  if (from >= limit) return std::string_view::npos;
  const char* base = data.data();
  const void* lf = std::memchr(base + from, '\n', limit - from);
  size_t end = lf ? static_cast<size_t>(static_cast<const char*>(lf) - base) : limit;
  const void* nul = std::memchr(base + from, '\0', end - from);
  if (nul) return static_cast<size_t>(static_cast<const char*>(nul) - base);
  return lf ? end : std::string_view::npos;
}

}  // namespace

Result<SyslogFraming> syslog_framing_from_name(std::string_view name) {
  if (name == "auto") return SyslogFraming::kAuto;
  if (name == "octet_counting") return SyslogFraming::kOctetCounting;
  if (name == "newline") return SyslogFraming::kNewline;
  return Status::InvalidArgument("syslog framing: expected auto, octet_counting or newline, found \"" +
                                 std::string(name) + "\"");
}

std::string_view trim_syslog_trailer(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '\0')) text.remove_suffix(1);
  return text;
}

SyslogFrameDecoder::SyslogFrameDecoder(SyslogFraming framing, size_t max_message_bytes)
    : framing_(framing), max_(max_message_bytes == 0 ? 1 : max_message_bytes) {}

Status SyslogFrameDecoder::fail(Status st) {
  error_ = st;
  buf_.clear();
  return st;
}

Status SyslogFrameDecoder::feed(std::string_view data, const FrameFn& on_frame) {
  if (!error_.ok()) return error_;
  if (buf_.empty()) {
    // Fast path: frames straight from the caller's buffer, keep the tail.
    Result<size_t> used = scan(data, false, on_frame);
    if (!used.ok()) return fail(used.status());
    base_ += *used;
    buf_.assign(data.substr(*used));
    return Status::Ok();
  }
  buf_.append(data);
  Result<size_t> used = scan(buf_, false, on_frame);
  if (!used.ok()) return fail(used.status());
  base_ += *used;
  buf_.erase(0, *used);
  return Status::Ok();
}

Status SyslogFrameDecoder::finish(const FrameFn& on_frame) {
  if (!error_.ok()) return error_;
  Result<size_t> used = scan(buf_, true, on_frame);
  if (!used.ok()) return fail(used.status());
  base_ += *used;
  buf_.erase(0, *used);
  return Status::Ok();
}

Result<size_t> SyslogFrameDecoder::scan(std::string_view data, bool final, const FrameFn& on_frame) {
  size_t pos = 0;
  while (pos < data.size()) {
    if (skip_remaining_ > 0) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(skip_remaining_, data.size() - pos));
      pos += n;
      skip_remaining_ -= n;
      continue;
    }
    bool counted = !mid_line_ && (framing_ == SyslogFraming::kOctetCounting ||
                                  (framing_ == SyslogFraming::kAuto && is_digit(data[pos])));
    if (counted) {
      SLUICE_ASSIGN_OR_RETURN(size_t next, scan_octet_counted(data, pos, final, on_frame));
      if (next == pos) break;  // incomplete
      pos = next;
      continue;
    }
    // LF-terminated. Only look as far as a line may go before it is cut.
    size_t limit = std::min(data.size(), pos + max_ + 2);
    size_t term = find_terminator(data, pos, limit);
    if (term == std::string_view::npos && !final && limit - pos < max_ + 2) break;  // incomplete
    size_t end = term == std::string_view::npos ? limit : term;
    size_t next = term == std::string_view::npos ? limit : term + 1;
    if (term != std::string_view::npos || final) {
      if (end > pos && data[end - 1] == '\r') --end;
    }
    if (end - pos > max_ || (term == std::string_view::npos && !(final && limit == data.size()))) {
      // Too long: a piece of max_ bytes, the line goes on.
      on_frame(SyslogFrame{data.substr(pos, max_), mid_line_ ? LinePart::kMiddle : LinePart::kFirst});
      mid_line_ = true;
      pos += max_;
      continue;
    }
    LinePart part = mid_line_ ? LinePart::kLast : LinePart::kWhole;
    mid_line_ = false;
    if (end > pos || part == LinePart::kLast) on_frame(SyslogFrame{data.substr(pos, end - pos), part});
    pos = next;
  }
  return pos;
}

// Returns `pos` unchanged when the frame is incomplete (and !final).
Result<size_t> SyslogFrameDecoder::scan_octet_counted(std::string_view data, size_t pos, bool final,
                                                      const FrameFn& on_frame) {
  auto error = [&](size_t at, std::string_view what) -> Status {
    return Status::InvalidArgument("octet counting: expected " + std::string(what) + " at stream byte " +
                                   std::to_string(base_ + at) + ", found " + describe(data, at));
  };
  if (data[pos] < '1' || data[pos] > '9') return error(pos, "MSG-LEN (a digit 1..9)");
  uint64_t len = 0;
  size_t p = pos;
  while (p < data.size() && is_digit(data[p])) {
    if (p - pos == kMaxLengthDigits) return error(p, "SP after MSG-LEN (at most 10 digits)");
    len = len * 10 + static_cast<uint64_t>(data[p] - '0');
    ++p;
  }
  if (p == data.size()) {
    if (final) return error(p, "SP after MSG-LEN");
    return pos;
  }
  if (data[p] != ' ') return error(p, "SP after MSG-LEN");
  size_t start = p + 1;
  if (len > max_) {
    ++oversize_frames_;
    skip_remaining_ = len;
    return start;
  }
  if (data.size() - start < len) {
    if (final) {
      return Status::InvalidArgument("octet counting: truncated frame at stream byte " + std::to_string(base_ + pos) +
                                     ": MSG-LEN " + std::to_string(len) + " but the stream ends after " +
                                     std::to_string(data.size() - start) + " bytes");
    }
    return pos;
  }
  std::string_view msg = trim_syslog_trailer(data.substr(start, static_cast<size_t>(len)));
  if (!msg.empty()) on_frame(SyslogFrame{msg, LinePart::kWhole});
  return start + static_cast<size_t>(len);
}

}  // namespace sluice
