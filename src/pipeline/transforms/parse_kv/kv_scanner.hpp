// Generic key/value splitting: `user=bob action="log in" ok` with
// configurable delimiters, for the parse_kv transform.
//
// Rules (`field_delimiter` fd, `kv_delimiter` kd, both non-empty):
//   - The text is a sequence of fields separated by fd. Empty fields
//     (consecutive delimiters) are skipped, and spaces and tabs before a
//     field are skipped, so with fd = " " a run of blanks is one delimiter.
//   - A field is KEY kd VALUE, split at the first kd (a VALUE may contain
//     kd: `url=/a?b=c` -> "url" = "/a?b=c"), or a standalone KEY.
//   - A key or value that starts with '"' or '\'' is quoted up to the
//     matching unescaped quote; inside, fd and kd are literal and
//     backslash-quote and backslash-backslash stand for the quote and the
//     backslash (any other backslash is kept). Text right after the closing
//     quote, up to the next delimiter, is appended as is. A quote anywhere
//     else is an ordinary character.
//   - When fd is not made of blanks only (e.g. "," or "&"), spaces and tabs
//     around keys and values are trimmed: `a = 1, b = 2`. When it is (the
//     default " "), every space or tab is a delimiter, so `OUT= MAC=x`
//     gives OUT = "".
// Errors (InvalidArgument): "unterminated quote starting at byte 9",
// "empty key at byte 0". Byte offsets are 0-based into the text.
//
// Thread-safety: KvScanner is immutable after construction; scan() is const.
#pragma once

#include <string>
#include <string_view>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

/// Splits texts into key/value pairs by the rules above.
class KvScanner {
 public:
  /// `field_delimiter` and `kv_delimiter` must be non-empty and different.
  KvScanner(std::string field_delimiter, std::string kv_delimiter, bool accept_standalone_key);

  /// Appends the pairs of `text` to `out` in text order (duplicate keys are
  /// kept). A standalone key gets "true", or is skipped when standalone keys
  /// are not accepted. On error `out` may hold the pairs before the error.
  Status scan(std::string_view text, KeyValues& out) const;

 private:
  /// Reads a key or value starting at `*p` up to (not including) a stop
  /// delimiter: fd, and also kd when `is_key`. Quotes as described above.
  Status read_token(std::string_view s, size_t* p, bool is_key, std::string* out) const;
  bool at(std::string_view s, size_t p, const std::string& delim) const {
    return s.compare(p, delim.size(), delim) == 0;
  }

  std::string fd_;
  std::string kd_;
  bool standalone_;
  bool blank_fd_;  // fd consists of spaces and tabs only
};

}  // namespace sluice
