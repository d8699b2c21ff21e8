// LineSplitter: cuts a byte stream into log lines for the file source.
//
// A line ends at '\n'; one '\r' right before the '\n' is stripped (CRLF).
// A line longer than max_line_bytes (not counting its CR/LF) is emitted as
// several pieces of max_line_bytes (the last one shorter), each marked with
// its LinePart; nothing is dropped. A trailing partial line is not consumed
// unless the caller says the data is final (a rotated or deleted file that
// has been drained).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sluice {

/// Which piece of a source line a record holds.
enum class LinePart : uint8_t {
  kWhole,   ///< the complete line
  kFirst,   ///< first max_line_bytes of a longer line
  kMiddle,  ///< a further max_line_bytes of it
  kLast,    ///< its remainder (at most max_line_bytes)
};

/// The value of the `log.split` attribute for a piece, or "" for kWhole.
std::string_view line_part_name(LinePart part);

/// Splitter state for one file.
///
/// Owner: the file source's per-file state. Threads: one at a time.
/// Invariant: mid_line() is true exactly when the bytes consumed so far end
/// inside a line that was split (so the next piece is a middle or last one).
class LineSplitter {
 public:
  explicit LineSplitter(uint64_t max_line_bytes) : max_(max_line_bytes == 0 ? 1 : max_line_bytes) {}

  bool mid_line() const { return mid_line_; }
  /// Sets the state when resuming at an offset (true when the byte before
  /// the offset is not '\n').
  void set_mid_line(bool v) { mid_line_ = v; }
  uint64_t max_line_bytes() const { return max_; }

  /// Calls `fn(std::string_view text, LinePart part, size_t consumed)` for
  /// each piece found at the start of `data`, where `consumed` is the number
  /// of bytes of `data` consumed up to and including that piece (and its
  /// line end). Stops early when fn returns false. With `final`, the end of
  /// `data` ends the last line. Without it, a trailing partial line is left
  /// unconsumed unless it is already long enough (max_line_bytes + 2 bytes)
  /// to prove that the line must be split, in which case whole pieces are
  /// emitted. Returns the bytes consumed.
  template <class Fn>
  size_t split(std::string_view data, bool final, Fn&& fn);

 private:
  uint64_t max_;
  bool mid_line_ = false;
};

template <class Fn>
size_t LineSplitter::split(std::string_view data, bool final, Fn&& fn) {
  size_t pos = 0;
  size_t nl = SIZE_MAX;  // index of the next '\n' at or after pos, cached across pieces
  while (pos < data.size()) {
    if (nl == SIZE_MAX || nl < pos) {
      const void* hit = std::memchr(data.data() + pos, '\n', data.size() - pos);
      nl = hit ? static_cast<size_t>(static_cast<const char*>(hit) - data.data()) : data.size();
    }
    bool has_end = nl < data.size() || final;
    if (!has_end) {
      // A partial line: emit a piece only when it must be split anyway. With
      // max+2 bytes and no newline, the content is at least max+1 bytes even
      // if the last one turns out to be the CR of a CRLF.
      if (data.size() - pos < max_ + 2) break;
      LinePart part = mid_line_ ? LinePart::kMiddle : LinePart::kFirst;
      mid_line_ = true;
      if (!fn(data.substr(pos, max_), part, pos + max_)) return pos + max_;
      pos += max_;
      continue;
    }
    size_t end = nl;  // end of content (exclusive), before stripping CR
    size_t next = nl < data.size() ? nl + 1 : data.size();
    if (end > pos && data[end - 1] == '\r') --end;
    if (end - pos > max_) {
      LinePart part = mid_line_ ? LinePart::kMiddle : LinePart::kFirst;
      mid_line_ = true;
      if (!fn(data.substr(pos, max_), part, pos + max_)) return pos + max_;
      pos += max_;
      continue;
    }
    LinePart part = mid_line_ ? LinePart::kLast : LinePart::kWhole;
    mid_line_ = false;
    if (!fn(data.substr(pos, end - pos), part, next)) return next;
    pos = next;
  }
  return pos;
}

}  // namespace sluice
