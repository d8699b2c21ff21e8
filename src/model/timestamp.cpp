#include "model/timestamp.hpp"

#include <array>
#include <string>

namespace sluice {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
constexpr std::array<int64_t, 10> kPow10 = {1,       10,        100,        1'000,       10'000,
                                            100'000, 1'000'000, 10'000'000, 100'000'000, 1'000'000'000};

constexpr std::array<std::string_view, 12> kMonthNames = {"january",   "february", "march",    "april",
                                                          "may",       "june",     "july",     "august",
                                                          "september", "october",  "november", "december"};
constexpr std::array<std::string_view, 7> kWeekdayNames = {"sunday",   "monday", "tuesday", "wednesday",
                                                           "thursday", "friday", "saturday"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned days_in_month(int64_t y, int m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

/// Appends `s` quoted, at most 64 bytes, non-printable bytes as \xNN.
void append_quoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t n = std::min<size_t>(s.size(), 64);
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > n) out += "...";
  out += '"';
}

/// The broken-down fields a format fills in.
struct Fields {
  int64_t year = 1970;
  bool has_year = false;
  int month = 1;
  int day = 1;
  size_t day_pos = 0;  ///< where the day was read, for the "no such day" error
  size_t day_len = 0;
  int yday = 0;  ///< 1..366 when %j was given
  int hour = 0;
  int hour12 = 0;  ///< 1..12 when %I was given
  int pm = -1;     ///< 0 AM, 1 PM, -1 not given
  int minute = 0;
  int second = 0;
  int64_t nanos = 0;
  int64_t offset_seconds = 0;  ///< local time minus UTC
};

/// Cursor over the text plus the first error. Only the failure path
/// allocates (to build the message).
class Scanner {
 public:
  Scanner(std::string_view text, std::string_view format) : text_(text), format_(format) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  size_t pos() const { return pos_; }
  void advance(size_t n = 1) { pos_ += n; }
  std::string_view rest() const { return text_.substr(pos_); }

  /// Records "expected <what> at <at>, found <text[at, at+len) or the next char>".
  bool fail(std::string_view what, size_t at, size_t len = 0) {
    if (!error_.ok()) return false;
    std::string m = "expected ";
    m += what;
    m += " at position " + std::to_string(at) + " in ";
    append_quoted(m, text_);
    m += " (format ";
    append_quoted(m, format_);
    m += "), found ";
    if (at >= text_.size()) {
      m += "end of text";
    } else {
      append_quoted(m, text_.substr(at, len == 0 ? 1 : len));
    }
    error_ = Status::InvalidArgument(std::move(m));
    return false;
  }
  bool fail(std::string_view what) { return fail(what, pos_); }
  /// Records an error with a complete message of its own.
  bool fail_message(std::string message) {
    if (error_.ok()) error_ = Status::InvalidArgument(std::move(message));
    return false;
  }
  Status take_error() { return std::move(error_); }

  /// Reads min..max digits as an integer in [lo, hi].
  bool read_int(int min_digits, int max_digits, int64_t lo, int64_t hi, std::string_view what, int64_t* out) {
    size_t start = pos_;
    int64_t v = 0;
    int n = 0;
    while (n < max_digits && !at_end() && is_digit(text_[pos_])) {
      v = v * 10 + (text_[pos_] - '0');
      ++pos_;
      ++n;
    }
    if (n < min_digits) {
      pos_ = start;
      return fail(what, start + n);
    }
    if (v < lo || v > hi) {
      pos_ = start;
      return fail(what, start, static_cast<size_t>(n));
    }
    *out = v;
    return true;
  }
  bool read_int(int min_digits, int max_digits, int lo, int hi, std::string_view what, int* out) {
    int64_t v = 0;
    if (!read_int(min_digits, max_digits, int64_t{lo}, int64_t{hi}, what, &v)) return false;
    *out = static_cast<int>(v);
    return true;
  }

  /// Reads fraction digits (at least one) into ns; digits past 9 are dropped.
  bool read_fraction(int64_t* nanos) {
    int n = 0;
    int64_t v = 0;
    while (!at_end() && is_digit(text_[pos_])) {
      if (n < 9) v = v * 10 + (text_[pos_] - '0');
      ++n;
      ++pos_;
    }
    if (n == 0) return fail("fraction digits");
    *nanos = v * kPow10[9 - std::min(n, 9)];
    return true;
  }

  /// "Z", "z", "+hh", "+hhmm", "+hh:mm" (or '-').
  bool read_offset(int64_t* offset_seconds) {
    char c = peek();
    if (c == 'Z' || c == 'z') {
      advance();
      *offset_seconds = 0;
      return true;
    }
    if (c != '+' && c != '-') return fail("UTC offset (Z, +hh:mm or +hhmm)");
    advance();
    int h = 0, m = 0;
    if (!read_int(2, 2, 0, 23, "offset hours (00..23)", &h)) return false;
    if (peek() == ':') {
      advance();
      if (!read_int(2, 2, 0, 59, "offset minutes (00..59)", &m)) return false;
    } else if (is_digit(peek())) {
      if (!read_int(2, 2, 0, 59, "offset minutes (00..59)", &m)) return false;
    }
    *offset_seconds = (c == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return true;
  }

  /// Matches one of `names` (full, or its first 3 letters) case-insensitively;
  /// returns its index.
  template <size_t N>
  bool read_name(const std::array<std::string_view, N>& names, std::string_view what, int* index) {
    std::string_view r = rest();
    for (size_t i = 0; i < N; ++i) {
      std::string_view full = names[i];
      auto matches = [&](size_t len) {
        if (r.size() < len) return false;
        for (size_t k = 0; k < len; ++k) {
          if (lower(r[k]) != full[k]) return false;
        }
        return true;
      };
      if (matches(full.size())) {
        advance(full.size());
      } else if (matches(3)) {
        advance(3);
      } else {
        continue;
      }
      *index = static_cast<int>(i);
      return true;
    }
    return fail(what);
  }

  /// Matches `word` case-insensitively.
  bool match_word(std::string_view word) {
    std::string_view r = rest();
    if (r.size() < word.size()) return false;
    for (size_t k = 0; k < word.size(); ++k) {
      if (lower(r[k]) != lower(word[k])) return false;
    }
    advance(word.size());
    return true;
  }

 private:
  std::string_view text_;
  std::string_view format_;
  size_t pos_ = 0;
  Status error_;
};

/// Turns broken-down fields into ns since the epoch; `default_year` < 0
/// means "the format must have a year".
bool to_unix_nanos(Scanner& s, std::string_view format, Fields& f, int default_year, int64_t* out) {
  if (!f.has_year) {
    if (default_year < 0) {
      return s.fail_message("timestamp format \"" + std::string(format) +
                            "\" has no year (%Y, %y or %F); use parse_timestamp_with_default_year");
    }
    f.year = default_year;
  }
  if (f.hour12 != 0) f.hour = f.hour12 % 12 + (f.pm == 1 ? 12 : 0) + (f.pm == -1 && f.hour12 == 12 ? 12 : 0);
  int64_t days = 0;
  if (f.yday != 0) {
    if (f.yday > (is_leap(f.year) ? 366 : 365)) return s.fail("a day of the year that exists", f.day_pos, f.day_len);
    days = days_from_civil(f.year, 1, 1) + f.yday - 1;
  } else {
    if (static_cast<unsigned>(f.day) > days_in_month(f.year, f.month)) {
      return s.fail("a day that exists in that month", f.day_pos, f.day_len);
    }
    days = days_from_civil(f.year, static_cast<unsigned>(f.month), static_cast<unsigned>(f.day));
  }
  int64_t secs = days * kSecondsPerDay + f.hour * 3600 + f.minute * 60 + f.second - f.offset_seconds;
  int64_t ns = 0;
  if (__builtin_mul_overflow(secs, kNanosPerSecond, &ns) || __builtin_add_overflow(ns, f.nanos, &ns)) {
    return s.fail("a time between 1677-09-21 and 2262-04-11", 0, SIZE_MAX);
  }
  *out = ns;
  return true;
}

/// RFC 3339 date-time, leniently (see the header).
bool parse_rfc3339(Scanner& s, int64_t* out) {
  Fields f;
  f.has_year = true;
  if (!s.read_int(4, 4, int64_t{0}, int64_t{9999}, "4-digit year", &f.year)) return false;
  if (s.peek() != '-') return s.fail("'-' after the year");
  s.advance();
  if (!s.read_int(2, 2, 1, 12, "month (01..12)", &f.month)) return false;
  if (s.peek() != '-') return s.fail("'-' after the month");
  s.advance();
  f.day_pos = s.pos();
  f.day_len = 2;
  if (!s.read_int(2, 2, 1, 31, "day (01..31)", &f.day)) return false;
  char sep = s.peek();
  if (sep != 'T' && sep != 't' && sep != ' ') return s.fail("'T' between date and time");
  s.advance();
  if (!s.read_int(2, 2, 0, 23, "hour (00..23)", &f.hour)) return false;
  if (s.peek() != ':') return s.fail("':' after the hour");
  s.advance();
  if (!s.read_int(2, 2, 0, 59, "minute (00..59)", &f.minute)) return false;
  if (s.peek() != ':') return s.fail("':' after the minute");
  s.advance();
  if (!s.read_int(2, 2, 0, 60, "second (00..60)", &f.second)) return false;
  if (s.peek() == '.' || s.peek() == ',') {
    s.advance();
    if (!s.read_fraction(&f.nanos)) return false;
  }
  if (!s.at_end() && !s.read_offset(&f.offset_seconds)) return false;
  if (!s.at_end()) return s.fail("end of text");
  return to_unix_nanos(s, "rfc3339", f, -1, out);
}

/// A decimal number of units of 10^-scale_digits seconds (9 = seconds,
/// 0 = nanoseconds); a fraction is allowed unless scale_digits is 0.
bool parse_unix(Scanner& s, int scale_digits, int64_t* out) {
  bool neg = false;
  if (s.peek() == '-') {
    neg = true;
    s.advance();
  }
  size_t start = s.pos();
  int64_t whole = 0;
  while (!s.at_end() && is_digit(s.peek())) {
    if (__builtin_mul_overflow(whole, int64_t{10}, &whole) || __builtin_add_overflow(whole, s.peek() - '0', &whole)) {
      return s.fail("a number that fits 64 bits", start, SIZE_MAX);
    }
    s.advance();
  }
  if (s.pos() == start) return s.fail("digits");
  int64_t frac = 0;
  if (scale_digits > 0 && s.peek() == '.') {
    s.advance();
    int64_t nanos = 0;
    if (!s.read_fraction(&nanos)) return false;
    frac = nanos / kPow10[9 - scale_digits];
  }
  if (!s.at_end()) return s.fail(scale_digits > 0 ? "digits, '.' or end of text" : "digits or end of text");
  int64_t v = 0;
  if (__builtin_mul_overflow(whole, kPow10[scale_digits], &v) || __builtin_add_overflow(v, frac, &v)) {
    return s.fail("a time between 1677-09-21 and 2262-04-11", 0, SIZE_MAX);
  }
  *out = neg ? -v : v;
  return true;
}

/// Number of significant integer digits when `text` is a plain decimal
/// number ("-"? digits ("." digits)?), else -1.
int plain_number_digits(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && text[i] == '-') ++i;
  size_t start = i;
  while (i < text.size() && text[i] == '0') ++i;
  size_t sig = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == start) return -1;
  int digits = static_cast<int>(i - sig);
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
  }
  return i == text.size() ? digits : -1;
}

/// The strptime-style interpreter.
bool parse_pattern(Scanner& s, std::string_view format, int default_year, int64_t* out) {
  Fields f;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c == ' ') {
      if (s.peek() != ' ' && s.peek() != '\t') return s.fail("whitespace");
      while (s.peek() == ' ' || s.peek() == '\t') s.advance();
      continue;
    }
    if (c != '%') {
      if (s.at_end() || s.peek() != c) {
        char what[] = "'?'";
        what[1] = c;
        return s.fail(what);
      }
      s.advance();
      continue;
    }
    if (++i == format.size()) return s.fail("a directive after the format's trailing '%'", s.pos());
    char d = format[i];
    // After seconds: ".123" / ",123" unless the format spells the separator out.
    auto optional_fraction = [&] {
      char next = i + 1 < format.size() ? format[i + 1] : '\0';
      std::string_view r = s.rest();
      if (next == '.' || next == ',' || r.size() < 2 || (r[0] != '.' && r[0] != ',') || !is_digit(r[1])) return true;
      s.advance();
      return s.read_fraction(&f.nanos);
    };
    bool ok = true;
    switch (d) {
      case 'Y':
        ok = s.read_int(4, 4, int64_t{0}, int64_t{9999}, "4-digit year", &f.year);
        f.has_year = true;
        break;
      case 'y': {
        int yy = 0;
        ok = s.read_int(2, 2, 0, 99, "2-digit year", &yy);
        f.year = yy >= 69 ? 1900 + yy : 2000 + yy;
        f.has_year = true;
        break;
      }
      case 'm':
        ok = s.read_int(1, 2, 1, 12, "month (1..12)", &f.month);
        break;
      case 'e':
        if (s.peek() == ' ') s.advance();
        [[fallthrough]];
      case 'd':
        f.day_pos = s.pos();
        ok = s.read_int(1, 2, 1, 31, "day (1..31)", &f.day);
        f.day_len = s.pos() - f.day_pos;
        break;
      case 'j':
        f.day_pos = s.pos();
        ok = s.read_int(1, 3, 1, 366, "day of the year (1..366)", &f.yday);
        f.day_len = s.pos() - f.day_pos;
        break;
      case 'H':
        ok = s.read_int(1, 2, 0, 23, "hour (0..23)", &f.hour);
        break;
      case 'I':
        ok = s.read_int(1, 2, 1, 12, "hour (1..12)", &f.hour12);
        break;
      case 'p':
        if (s.match_word("AM")) {
          f.pm = 0;
        } else if (s.match_word("PM")) {
          f.pm = 1;
        } else {
          ok = s.fail("AM or PM");
        }
        break;
      case 'M':
        ok = s.read_int(1, 2, 0, 59, "minute (0..59)", &f.minute);
        break;
      case 'S':
        ok = s.read_int(1, 2, 0, 60, "second (0..60)", &f.second) && optional_fraction();
        break;
      case 'f':
        ok = s.read_fraction(&f.nanos);
        break;
      case 'b':
      case 'h':
      case 'B': {
        int m = 0;
        ok = s.read_name(kMonthNames, "English month name (Jan..Dec)", &m);
        f.month = m + 1;
        break;
      }
      case 'a':
      case 'A': {
        int wd = 0;
        ok = s.read_name(kWeekdayNames, "English weekday name (Mon..Sun)", &wd);
        break;
      }
      case 'z':
        ok = s.read_offset(&f.offset_seconds);
        break;
      case 'Z':
        if (s.match_word("UTC") || s.match_word("GMT") || s.match_word("Z")) {
          f.offset_seconds = 0;
        } else {
          ok = s.fail("time zone UTC, GMT or Z");
        }
        break;
      case 'T':
        ok = s.read_int(1, 2, 0, 23, "hour (0..23)", &f.hour);
        if (ok && s.peek() != ':') ok = s.fail("':'");
        if (ok) s.advance();
        ok = ok && s.read_int(1, 2, 0, 59, "minute (0..59)", &f.minute);
        if (ok && s.peek() != ':') ok = s.fail("':'");
        if (ok) s.advance();
        ok = ok && s.read_int(1, 2, 0, 60, "second (0..60)", &f.second) && optional_fraction();
        break;
      case 'F':
        ok = s.read_int(4, 4, int64_t{0}, int64_t{9999}, "4-digit year", &f.year);
        f.has_year = true;
        if (ok && s.peek() != '-') ok = s.fail("'-'");
        if (ok) s.advance();
        ok = ok && s.read_int(1, 2, 1, 12, "month (1..12)", &f.month);
        if (ok && s.peek() != '-') ok = s.fail("'-'");
        if (ok) s.advance();
        f.day_pos = s.pos();
        ok = ok && s.read_int(1, 2, 1, 31, "day (1..31)", &f.day);
        f.day_len = s.pos() - f.day_pos;
        break;
      case '%':
        if (s.peek() != '%') ok = s.fail("'%'");
        if (ok) s.advance();
        break;
      default:
        return s.fail("a known directive in the format (see validate_timestamp_format)", s.pos());
    }
    if (!ok) return false;
  }
  if (!s.at_end()) return s.fail("end of text");
  return to_unix_nanos(s, format, f, default_year, out);
}

Result<int64_t> parse_impl(std::string_view text, std::string_view format, int default_year) {
  Scanner s(text, format);
  int64_t out = 0;
  bool ok = false;
  if (format == "rfc3339") {
    ok = parse_rfc3339(s, &out);
  } else if (format == "unix") {
    ok = parse_unix(s, 9, &out);
  } else if (format == "unix_ms") {
    ok = parse_unix(s, 6, &out);
  } else if (format == "unix_us") {
    ok = parse_unix(s, 3, &out);
  } else if (format == "unix_ns") {
    ok = parse_unix(s, 0, &out);
  } else if (format == "auto") {
    int digits = plain_number_digits(text);
    if (digits < 0) {
      ok = parse_rfc3339(s, &out);
    } else {
      ok = parse_unix(s, digits <= 11 ? 9 : digits <= 14 ? 6 : digits <= 17 ? 3 : 0, &out);
    }
  } else {
    ok = parse_pattern(s, format, default_year, &out);
  }
  if (!ok) return s.take_error();
  return out;
}

bool is_special_format(std::string_view f) {
  return f == "rfc3339" || f == "unix" || f == "unix_ms" || f == "unix_us" || f == "unix_ns" || f == "auto";
}

}  // namespace

int year_of_unix_nanos(int64_t unix_ns) noexcept {
  int64_t secs = unix_ns / kNanosPerSecond - (unix_ns % kNanosPerSecond < 0 ? 1 : 0);
  int64_t days = secs / kSecondsPerDay - (secs % kSecondsPerDay < 0 ? 1 : 0);
  return static_cast<int>(civil_from_days(days).year);
}

bool timestamp_format_has_year(std::string_view format) noexcept {
  if (is_special_format(format)) return true;
  for (size_t i = 0; i + 1 < format.size(); ++i) {
    if (format[i] != '%') continue;
    char d = format[++i];
    if (d == 'Y' || d == 'y' || d == 'F') return true;
  }
  return false;
}

Status validate_timestamp_format(std::string_view format) {
  if (is_special_format(format)) return Status::Ok();
  if (format.empty()) return Status::InvalidArgument("timestamp format is empty");
  static constexpr std::string_view kDirectives = "YymdejHIpMSfbhBaAzZTF%";
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 == format.size() || kDirectives.find(format[i + 1]) == std::string_view::npos) {
      std::string m = "timestamp format \"" + std::string(format) + "\": unknown directive at position " +
                      std::to_string(i) + "; expected one of %Y %y %m %d %e %j %H %I %p %M %S %f %b %h %B %a %A " +
                      "%z %Z %T %F %% or one of rfc3339, unix, unix_ms, unix_us, unix_ns, auto";
      return Status::InvalidArgument(std::move(m));
    }
    ++i;
  }
  return Status::Ok();
}

Result<int64_t> parse_timestamp(std::string_view text, std::string_view format) { return parse_impl(text, format, -1); }

Result<int64_t> TimestampMemo::parse(std::string_view text, std::string_view format) {
  if (valid_ && text == text_ && format == format_) return ns_;
  Result<int64_t> r = parse_timestamp(text, format);
  valid_ = r.ok();
  if (valid_) {
    text_.assign(text);
    if (format != format_) format_.assign(format);
    ns_ = *r;
  }
  return r;
}

Result<int64_t> parse_timestamp_with_default_year(std::string_view text, std::string_view format, int default_year) {
  return parse_impl(text, format, default_year < 0 ? 0 : default_year);
}

Result<int64_t> parse_timestamp_near(std::string_view text, std::string_view format, int64_t reference_ns) {
  if (timestamp_format_has_year(format)) return parse_impl(text, format, -1);
  constexpr int64_t kSlackNs = 7 * kSecondsPerDay * kNanosPerSecond;
  int year = year_of_unix_nanos(reference_ns);
  auto r = parse_impl(text, format, year);
  // Unsigned: the difference of two int64 values can exceed INT64_MAX.
  if (r.ok() && *r > reference_ns &&
      static_cast<uint64_t>(*r) - static_cast<uint64_t>(reference_ns) > static_cast<uint64_t>(kSlackNs) && year > 0) {
    auto prev = parse_impl(text, format, year - 1);
    if (prev.ok()) return prev;
  }
  return r;
}

}  // namespace sluice
