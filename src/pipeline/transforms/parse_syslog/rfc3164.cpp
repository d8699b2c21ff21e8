// RFC 3164 section 4.1 after the optional PRI, as senders write it:
// TIMESTAMP SP [HOSTNAME SP] [TAG[[PID]][:] [SP]] MSG.
#include <ctime>
#include <string>

#include "model/timestamp.hpp"
#include "pipeline/transforms/parse_syslog/syslog_scan.hpp"

namespace sluice::syslog_detail {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::string_view kBsdTimeFormat = "%b %e %H:%M:%S";

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Local time minus UTC at `unix_ns` in the process's time zone.
int64_t local_offset_seconds(int64_t unix_ns) {
  std::time_t t = static_cast<std::time_t>(unix_ns / kNanosPerSecond);
  std::tm tm{};
  if (localtime_r(&t, &tm) == nullptr) return 0;
  return tm.tm_gmtoff;
}

// "Mmm dd hh:mm:ss[.frac]" (day space-padded or not) at the cursor: checks
// the shape byte by byte so that an error names the offending byte, and
// returns the token.
Status scan_bsd_timestamp(Scanner& s, std::string_view* token) {
  size_t start = s.pos();
  for (int i = 0; i < 3; ++i) {
    if (s.at_end() || !is_alpha(s.peek())) return s.expected("a month name (\"Mmm dd hh:mm:ss\")");
    s.advance();
  }
  if (!s.accept(' ')) return s.expected("SP after the month");
  while (s.accept(' ')) {
  }
  if (s.at_end() || !is_digit(s.peek())) return s.expected("the day of the month");
  s.advance();
  if (!s.at_end() && is_digit(s.peek())) s.advance();
  if (!s.accept(' ')) return s.expected("SP after the day of the month");
  constexpr std::string_view kShape = "dd:dd:dd";
  for (char want : kShape) {
    bool ok = !s.at_end() && (want == 'd' ? is_digit(s.peek()) : s.peek() == want);
    if (!ok) return s.expected(want == 'd' ? "a digit of hh:mm:ss" : "':' in hh:mm:ss");
    s.advance();
  }
  if (s.peek() == '.' && s.pos() + 1 < s.text().size() && is_digit(s.text()[s.pos() + 1])) {
    s.advance();
    while (!s.at_end() && is_digit(s.peek())) s.advance();
  }
  *token = s.text().substr(start, s.pos() - start);
  return Status::Ok();
}

Status timestamp(Scanner& s, const SyslogTimeZone& tz, int64_t reference_ns, SyslogMessage* out) {
  size_t start = s.pos();
  if (!s.at_end() && is_digit(s.peek())) {
    std::string_view token = s.take_word();
    Result<int64_t> t = parse_timestamp(token, "rfc3339");
    if (!t.ok()) return s.error_at(start, "TIMESTAMP", t.status().message());
    out->timestamp_ns = *t;
    out->has_timestamp = true;
    return Status::Ok();
  }
  if (s.at_end() || !is_alpha(s.peek())) return s.expected("TIMESTAMP (\"Mmm dd hh:mm:ss\" or RFC 3339)");
  std::string_view token;
  SLUICE_RETURN_IF_ERROR(scan_bsd_timestamp(s, &token));
  // The text is wall-clock time in `tz`: read it as UTC near the reference
  // time shifted into that zone, then shift back.
  int64_t offset_ns = (tz.local ? local_offset_seconds(reference_ns) : tz.offset_seconds) * kNanosPerSecond;
  int64_t reference_wall = 0;
  if (__builtin_add_overflow(reference_ns, offset_ns, &reference_wall)) reference_wall = reference_ns;
  Result<int64_t> wall = parse_timestamp_near(token, kBsdTimeFormat, reference_wall);
  if (!wall.ok()) return s.error_at(start, "TIMESTAMP", wall.status().message());
  int64_t utc = 0;
  if (tz.local && !__builtin_sub_overflow(*wall, offset_ns, &utc)) {
    offset_ns = local_offset_seconds(utc) * kNanosPerSecond;
  }
  if (__builtin_sub_overflow(*wall, offset_ns, &utc)) {
    return s.error_at(start, "TIMESTAMP", "out of the representable range once shifted to UTC");
  }
  out->timestamp_ns = utc;
  out->has_timestamp = true;
  return Status::Ok();
}

// A word right after the TIMESTAMP that ends in ':' or holds '[' is a TAG:
// the sender left the HOSTNAME out.
bool looks_like_tag(std::string_view word) {
  return !word.empty() && (word.back() == ':' || word.find('[') != std::string_view::npos);
}

// TAG[[PID]][:] followed by SP or the end; leaves the cursor at MSG. When
// the text at the cursor is not a TAG, it is MSG and nothing is consumed.
void tag(Scanner& s, SyslogMessage* out) {
  size_t start = s.pos();
  std::string_view text = s.text();
  size_t p = start;
  while (p < text.size() && text[p] != ' ' && text[p] != '[' && text[p] != ':') ++p;
  if (p == start || p == text.size() || text[p] == ' ') return;  // a plain word: MSG
  std::string_view name = text.substr(start, p - start);
  std::string_view pid;
  if (text[p] == '[') {
    size_t close = p + 1;
    while (close < text.size() && text[close] != ']' && text[close] != ' ') ++close;
    if (close >= text.size() || text[close] != ']' || close == p + 1) return;
    pid = text.substr(p + 1, close - p - 1);
    p = close + 1;
    if (p < text.size() && text[p] == ':') ++p;
  } else {  // ':'
    ++p;
  }
  if (p < text.size() && text[p] != ' ') return;  // "a:b" is a word of MSG
  out->app_name = name;
  out->procid = pid;
  s.set_pos(p);
  s.accept(' ');
}

}  // namespace

Status parse_rfc3164_after_pri(Scanner& s, const SyslogTimeZone& tz, int64_t reference_ns, SyslogMessage* out) {
  SLUICE_RETURN_IF_ERROR(timestamp(s, tz, reference_ns, out));
  if (s.at_end()) return Status::Ok();
  if (!s.accept(' ')) return s.expected("SP after TIMESTAMP");
  while (s.accept(' ')) {
  }
  size_t word_start = s.pos();
  std::string_view word = s.take_word();
  if (looks_like_tag(word)) {
    s.set_pos(word_start);
  } else {
    out->hostname = word;
    while (s.accept(' ')) {
    }
  }
  tag(s, out);
  out->msg = s.rest();
  return Status::Ok();
}

}  // namespace sluice::syslog_detail
