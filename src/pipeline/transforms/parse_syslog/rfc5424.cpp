// RFC 5424 section 6 after the PRI: VERSION, the header fields, structured
// data (section 6.3) and MSG (section 6.4, with the optional BOM).
#include <string>

#include "model/timestamp.hpp"
#include "pipeline/transforms/parse_syslog/syslog_scan.hpp"

namespace sluice::syslog_detail {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool is_printusascii(char c) { return static_cast<unsigned char>(c) >= 33 && static_cast<unsigned char>(c) <= 126; }

// SD-NAME = 1*32PRINTUSASCII except '=', SP, ']', '"'.
bool is_sd_name_char(char c) { return is_printusascii(c) && c != '=' && c != ']' && c != '"'; }

Status expect_sp(Scanner& s, std::string_view after) {
  if (!s.accept(' ')) return s.expected("SP after " + std::string(after));
  return Status::Ok();
}

// A header field: NILVALUE (-> empty view) or 1*max PRINTUSASCII, ended by SP.
Status header_field(Scanner& s, std::string_view name, size_t max, std::string_view* out) {
  size_t start = s.pos();
  std::string_view word = s.take_word();
  if (word.empty()) return s.expected_at(start, std::string(name) + " (PRINTUSASCII or '-')");
  for (size_t i = 0; i < word.size(); ++i) {
    if (!is_printusascii(word[i])) return s.expected_at(start + i, "PRINTUSASCII in " + std::string(name));
  }
  if (word.size() > max) {
    return s.error_at(start, name,
                      "expected at most " + std::to_string(max) + " bytes, found " + std::to_string(word.size()));
  }
  *out = word == "-" ? std::string_view() : word;
  return Status::Ok();
}

Status sd_name(Scanner& s, std::string_view what, std::string_view* out) {
  size_t start = s.pos();
  while (!s.at_end() && is_sd_name_char(s.peek())) s.advance();
  size_t n = s.pos() - start;
  if (n == 0) return s.expected_at(start, what);
  if (n > 32) return s.error_at(start, what, "expected at most 32 bytes, found " + std::to_string(n));
  *out = s.text().substr(start, n);
  return Status::Ok();
}

// PARAM-VALUE between the quotes (section 6.3.3): '"', '\' and ']' are
// escaped with '\'; a backslash before any other byte is kept as is. An
// unescaped ']' is accepted (it cannot end the element inside quotes).
Status param_value(Scanner& s, std::string* out) {
  if (!s.accept('"')) return s.expected("'\"' starting PARAM-VALUE");
  out->clear();
  while (true) {
    if (s.at_end()) return s.expected("'\"' ending PARAM-VALUE");
    char c = s.peek();
    s.advance();
    if (c == '"') return Status::Ok();
    if (c == '\\' && !s.at_end() && (s.peek() == '"' || s.peek() == '\\' || s.peek() == ']')) {
      c = s.peek();
      s.advance();
    }
    out->push_back(c);
  }
}

// SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]"
Status sd_element(Scanner& s, SyslogMessage* out) {
  s.advance();  // '['
  std::string_view id;
  SLUICE_RETURN_IF_ERROR(sd_name(s, "SD-ID", &id));
  bool any = false;
  while (true) {
    if (s.accept(']')) break;
    if (!s.accept(' ')) return s.expected("SP or ']' in SD-ELEMENT");
    SyslogSdParam p;
    p.sd_id = id;
    SLUICE_RETURN_IF_ERROR(sd_name(s, "PARAM-NAME", &p.name));
    if (!s.accept('=')) return s.expected("'=' after PARAM-NAME");
    SLUICE_RETURN_IF_ERROR(param_value(s, &p.value));
    out->structured_data.push_back(std::move(p));
    any = true;
  }
  if (!any) out->sd_ids_without_params.push_back(id);
  return Status::Ok();
}

}  // namespace

Status parse_rfc5424_after_pri(Scanner& s, SyslogMessage* out) {
  // VERSION = NONZERO-DIGIT 0*2DIGIT
  if (s.at_end() || s.peek() < '1' || s.peek() > '9') return s.expected("VERSION (a digit 1..9)");
  int version = 0;
  for (int i = 0; i < 3 && !s.at_end() && s.peek() >= '0' && s.peek() <= '9'; ++i) {
    version = version * 10 + (s.peek() - '0');
    s.advance();
  }
  out->version = version;
  SLUICE_RETURN_IF_ERROR(expect_sp(s, "VERSION"));

  size_t ts_start = s.pos();
  std::string_view ts = s.take_word();
  if (ts.empty()) return s.expected_at(ts_start, "TIMESTAMP (RFC 3339 or '-')");
  if (ts != "-") {
    Result<int64_t> t = parse_timestamp(ts, "rfc3339");
    if (!t.ok()) return s.error_at(ts_start, "TIMESTAMP", t.status().message());
    out->has_timestamp = true;
    out->timestamp_ns = *t;
  }
  SLUICE_RETURN_IF_ERROR(expect_sp(s, "TIMESTAMP"));
  SLUICE_RETURN_IF_ERROR(header_field(s, "HOSTNAME", 255, &out->hostname));
  SLUICE_RETURN_IF_ERROR(expect_sp(s, "HOSTNAME"));
  SLUICE_RETURN_IF_ERROR(header_field(s, "APP-NAME", 48, &out->app_name));
  SLUICE_RETURN_IF_ERROR(expect_sp(s, "APP-NAME"));
  SLUICE_RETURN_IF_ERROR(header_field(s, "PROCID", 128, &out->procid));
  SLUICE_RETURN_IF_ERROR(expect_sp(s, "PROCID"));
  SLUICE_RETURN_IF_ERROR(header_field(s, "MSGID", 32, &out->msgid));
  SLUICE_RETURN_IF_ERROR(expect_sp(s, "MSGID"));

  // STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT
  if (s.accept('-')) {
    // NILVALUE
  } else if (s.peek() == '[' && !s.at_end()) {
    while (!s.at_end() && s.peek() == '[') SLUICE_RETURN_IF_ERROR(sd_element(s, out));
  } else {
    return s.expected("STRUCTURED-DATA ('-' or '[')");
  }
  // [SP MSG]
  if (s.at_end()) return Status::Ok();
  if (!s.accept(' ')) return s.expected("SP or end of message after STRUCTURED-DATA");
  std::string_view msg = s.rest();
  if (msg.substr(0, kBom.size()) == kBom) msg.remove_prefix(kBom.size());
  out->msg = msg;
  return Status::Ok();
}

}  // namespace sluice::syslog_detail
