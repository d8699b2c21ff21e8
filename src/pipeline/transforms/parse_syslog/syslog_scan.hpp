// Internal to parse_syslog: a cursor over one message that turns "expected X
// here" into the error messages syslog_message.hpp promises.
//
// Thread-safety: a Scanner is used by one parse call on one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "pipeline/transforms/parse_syslog/syslog_message.hpp"

namespace sluice::syslog_detail {

/// Cursor over `text`. Invariant: pos <= text.size().
class Scanner {
 public:
  Scanner(std::string_view text, std::string_view format_name) : text_(text), format_(format_name) {}

  std::string_view text() const { return text_; }
  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }
  bool at_end() const { return pos_ >= text_.size(); }
  /// The byte at pos, or '\0' at the end (callers check at_end() first when '\0' matters).
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void advance(size_t n = 1) { pos_ += n; }
  std::string_view rest() const { return text_.substr(pos_); }
  void set_format(std::string_view name) { format_ = name; }

  /// Consumes `c` when it is next.
  bool accept(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  /// Consumes the bytes up to (not including) the next SP or the end.
  std::string_view take_word() {
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ' ') ++pos_;
    return text_.substr(start, pos_ - start);
  }

  /// InvalidArgument "<format>: expected <what> at byte <at>, found <byte at `at`>".
  Status expected_at(size_t at, std::string_view what) const;
  Status expected(std::string_view what) const { return expected_at(pos_, what); }
  /// InvalidArgument "<format>: <what> at byte <at>: <detail>".
  Status error_at(size_t at, std::string_view what, std::string_view detail) const;

 private:
  std::string_view text_;
  std::string_view format_;
  size_t pos_ = 0;
};

/// "'x'" for a printable ASCII byte, "byte 0x07" for others, "end of message" past the end.
std::string describe_byte(std::string_view text, size_t pos);

/// Parses RFC 5424 section 6.2.1 / RFC 3164 section 4.1.1 `"<" 1*3DIGIT ">"`
/// (value 0..191) at the cursor into *pri.
Status parse_pri(Scanner& s, int* pri);

/// The rest of an RFC 5424 message after its PRI (RFC 5424 section 6).
Status parse_rfc5424_after_pri(Scanner& s, SyslogMessage* out);

/// The rest of an RFC 3164 message after its optional PRI.
Status parse_rfc3164_after_pri(Scanner& s, const SyslogTimeZone& tz, int64_t reference_ns, SyslogMessage* out);

}  // namespace sluice::syslog_detail
