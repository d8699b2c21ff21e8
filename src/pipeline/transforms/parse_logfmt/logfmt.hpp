// logfmt decoding: `key=value key2="quoted \" value" flag` -> key/value pairs.
//
// The grammar is the one Go's github.com/go-logfmt/logfmt decoder accepts
// (the de-facto specification of the format Heroku introduced):
//   - bytes <= ' ' (space, tab, control characters) between pairs are
//     skipped;
//   - a key is a run of bytes > ' ' other than '=' and '"'; it must be
//     valid UTF-8;
//   - `key` alone (followed by a separator or the end) is a standalone key;
//     `key=` has an empty value;
//   - an unquoted value is a run of bytes > ' ' other than '=' and '"';
//   - a quoted value is "..." with JSON string escapes (\" \\ \/ \' \b \f
//     \n \r \t \uXXXX, surrogate pairs combined, a lone surrogate becomes
//     U+FFFD); when it holds an escape it is decoded as a JSON string (an
//     unescaped control character or an unknown escape is an error, bytes
//     that are not UTF-8 become U+FFFD), otherwise its bytes are kept as
//     they are.
// Unlike go-logfmt (which reports a nil value) a standalone key gets the
// value "true", as Heroku's reference parsers do, so that
// `attributes['flag'] = 'true'` can be queried.
//
// Errors (InvalidArgument): "unexpected '\"' at byte 7", "unexpected '='
// at byte 0", "unterminated quoted value starting at byte 4",
// "invalid quoted value starting at byte 4: ...", "key at byte 3 is not
// valid UTF-8". Byte offsets are 0-based into the line.
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

/// The value a standalone key (`flag`) gets.
inline constexpr std::string_view kLogfmtStandaloneValue = "true";

/// Appends the pairs of `line` to `out` in line order (duplicate keys are
/// kept; the caller decides). On error `out` may hold the pairs before the
/// error; the caller discards them.
Status decode_logfmt(std::string_view line, KeyValues& out);

}  // namespace sluice
