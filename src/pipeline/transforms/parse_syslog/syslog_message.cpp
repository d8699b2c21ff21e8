#include "pipeline/transforms/parse_syslog/syslog_message.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <numeric>

#include "common/json_text.hpp"
#include "pipeline/transforms/parse_syslog/syslog_scan.hpp"
#include "pipeline/transforms/transform_util.hpp"

namespace sluice {
namespace syslog_detail {

std::string describe_byte(std::string_view text, size_t pos) {
  if (pos >= text.size()) return "end of message";
  auto c = static_cast<unsigned char>(text[pos]);
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  char buf[16];
  std::snprintf(buf, sizeof(buf), "byte 0x%02x", c);
  return buf;
}

Status Scanner::expected_at(size_t at, std::string_view what) const {
  return Status::InvalidArgument(std::string(format_) + ": expected " + std::string(what) + " at byte " +
                                 std::to_string(at) + ", found " + describe_byte(text_, at));
}

Status Scanner::error_at(size_t at, std::string_view what, std::string_view detail) const {
  return Status::InvalidArgument(std::string(format_) + ": " + std::string(what) + " at byte " + std::to_string(at) +
                                 ": " + std::string(detail));
}

Status parse_pri(Scanner& s, int* pri) {
  if (!s.accept('<')) return s.expected("'<' starting PRI");
  int value = 0;
  size_t digits = 0;
  while (!s.at_end() && s.peek() >= '0' && s.peek() <= '9' && digits < 3) {
    value = value * 10 + (s.peek() - '0');
    s.advance();
    ++digits;
  }
  if (digits == 0) return s.expected("a PRIVAL digit");
  if (!s.accept('>')) return s.expected(digits == 3 ? "'>' ending PRI" : "a digit or '>' ending PRI");
  if (value > 191) return s.error_at(1, "PRIVAL", std::to_string(value) + " is out of range 0..191");
  *pri = value;
  return Status::Ok();
}

}  // namespace syslog_detail

using syslog_detail::Scanner;

Result<SyslogFormat> syslog_format_from_name(std::string_view name) {
  if (name == "auto") return SyslogFormat::kAuto;
  if (name == "rfc5424") return SyslogFormat::kRfc5424;
  if (name == "rfc3164") return SyslogFormat::kRfc3164;
  return Status::InvalidArgument("syslog format: expected auto, rfc5424 or rfc3164, found \"" + std::string(name) +
                                 "\"");
}

Result<SyslogTimeZone> syslog_time_zone_from_name(std::string_view name) {
  SyslogTimeZone tz;
  if (name == "UTC" || name == "utc" || name == "Z" || name == "GMT") return tz;
  if (name == "local") {
    tz.local = true;
    return tz;
  }
  auto digit = [&](size_t i) { return i < name.size() && name[i] >= '0' && name[i] <= '9'; };
  auto two = [&](size_t i) { return (name[i] - '0') * 10 + (name[i + 1] - '0'); };
  bool ok = name.size() >= 5 && (name[0] == '+' || name[0] == '-') && digit(1) && digit(2);
  size_t m = 3;
  if (ok && name.size() == 6 && name[3] == ':') m = 4;
  ok = ok && name.size() == m + 2 && digit(m) && digit(m + 1) && two(1) <= 23 && two(m) <= 59;
  if (!ok) {
    return Status::InvalidArgument("time zone: expected \"UTC\", \"local\" or an offset \"+hh:mm\", found \"" +
                                   std::string(name) + "\"");
  }
  tz.offset_seconds = (name[0] == '-' ? -1 : 1) * (two(1) * 3600 + two(m) * 60);
  return tz;
}

namespace {

struct SeverityInfo {
  std::string_view keyword;  // RFC 5424 section 6.2.1 table 2
  uint8_t otel;              // OpenTelemetry SeverityNumber
};
constexpr std::array<SeverityInfo, 8> kSeverities = {{
    {"emerg", 21},
    {"alert", 19},
    {"crit", 18},
    {"err", 17},
    {"warning", 13},
    {"notice", 10},
    {"info", 9},
    {"debug", 5},
}};

// RFC 5424 detection after the PRI: VERSION = NONZERO-DIGIT 0*2DIGIT, then SP.
bool looks_like_rfc5424(std::string_view rest) {
  if (rest.empty() || rest[0] < '1' || rest[0] > '9') return false;
  for (size_t i = 1; i < rest.size() && i <= 3; ++i) {
    if (rest[i] == ' ') return true;
    if (rest[i] < '0' || rest[i] > '9') return false;
  }
  return false;
}

// Adds attributes without a duplicate check while the record had none
// (a raw line: the common case), else replaces keys like set_key_value.
class AttributeSink {
 public:
  explicit AttributeSink(KeyValues& kvs) : kvs_(kvs), fresh_(kvs.empty()) {}
  void put(std::string_view key, std::string value) {
    if (fresh_) {
      kvs_.emplace_back(std::string(key), std::move(value));
    } else {
      set_key_value(kvs_, key, std::move(value));
    }
  }

 private:
  KeyValues& kvs_;
  bool fresh_;
};

// Structured data as attributes: key syslog.sd.<SD-ID>.<PARAM-NAME>; equal
// keys (a repeated PARAM-NAME) become one JSON array of their values.
void put_structured_data(const SyslogMessage& msg, AttributeSink& sink) {
  struct Entry {
    std::string key;
    const std::string* value;  // nullptr: an SD-ELEMENT without parameters
  };
  std::vector<Entry> entries;
  entries.reserve(msg.structured_data.size() + msg.sd_ids_without_params.size());
  for (const auto& p : msg.structured_data) {
    std::string key = "syslog.sd.";
    key.append(p.sd_id).append(".").append(p.name);
    entries.push_back({std::move(key), &p.value});
  }
  for (std::string_view id : msg.sd_ids_without_params) entries.push_back({"syslog.sd." + std::string(id), nullptr});
  std::vector<size_t> order(entries.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return entries[a].key < entries[b].key; });
  static const std::string kEmpty;
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    while (j < order.size() && entries[order[j]].key == entries[order[i]].key) ++j;
    const Entry& first = entries[order[i]];
    if (j - i == 1) {
      sink.put(first.key, first.value ? *first.value : kEmpty);
    } else {
      std::string array = "[";
      for (size_t k = i; k < j; ++k) {
        if (k > i) array += ',';
        const std::string* v = entries[order[k]].value;
        append_json_string(array, v ? *v : kEmpty);
      }
      array += ']';
      sink.put(first.key, std::move(array));
    }
    i = j;
  }
}

}  // namespace

std::string_view syslog_severity_keyword(int severity) { return kSeverities[severity & 7].keyword; }
uint8_t syslog_severity_number(int severity) { return kSeverities[severity & 7].otel; }

Status parse_syslog_message(std::string_view text, const SyslogParserOptions& options, int64_t reference_ns,
                            SyslogMessage* out) {
  *out = SyslogMessage{};
  Scanner s(text, options.format == SyslogFormat::kRfc5424   ? "RFC 5424"
                  : options.format == SyslogFormat::kRfc3164 ? "RFC 3164"
                                                             : "syslog");
  bool has_pri = !text.empty() && text[0] == '<';
  if (has_pri || options.format == SyslogFormat::kRfc5424)
    SLUICE_RETURN_IF_ERROR(syslog_detail::parse_pri(s, &out->pri));
  bool rfc5424 = options.format == SyslogFormat::kRfc5424 ||
                 (options.format == SyslogFormat::kAuto && has_pri && looks_like_rfc5424(s.rest()));
  if (rfc5424) {
    s.set_format("RFC 5424");
    out->format = SyslogFormat::kRfc5424;
    return syslog_detail::parse_rfc5424_after_pri(s, out);
  }
  s.set_format("RFC 3164");
  out->format = SyslogFormat::kRfc3164;
  return syslog_detail::parse_rfc3164_after_pri(s, options.time_zone, reference_ns, out);
}

void apply_syslog_message(const SyslogMessage& msg, LogRecord& rec) {
  // Copy MSG first: it may point into rec.body.
  std::string body(msg.msg);
  AttributeSink sink(rec.attributes);
  if (msg.pri >= 0) {
    int severity = msg.pri & 7;
    rec.severity_number = syslog_severity_number(severity);
    rec.severity_text = syslog_severity_keyword(severity);
    sink.put("syslog.facility", std::to_string(msg.pri >> 3));
    sink.put("syslog.severity", std::to_string(severity));
  }
  if (msg.version > 0) sink.put("syslog.version", std::to_string(msg.version));
  if (!msg.app_name.empty()) sink.put("syslog.app_name", std::string(msg.app_name));
  if (!msg.procid.empty()) sink.put("syslog.procid", std::string(msg.procid));
  if (!msg.msgid.empty()) sink.put("syslog.msgid", std::string(msg.msgid));
  put_structured_data(msg, sink);
  if (!msg.hostname.empty()) set_key_value(rec.resource, "host.name", std::string(msg.hostname));
  if (msg.has_timestamp) rec.timestamp_ns = msg.timestamp_ns;
  rec.body = std::move(body);
}

bool parse_syslog_into(std::string_view text, const SyslogParserOptions& options, std::string_view error_prefix,
                       LogRecord& rec) {
  SyslogMessage msg;
  Status st = parse_syslog_message(text, options, reference_time_ns(rec), &msg);
  if (st.ok()) {
    apply_syslog_message(msg, rec);
    return true;
  }
  if (text.data() != rec.body.data() || text.size() != rec.body.size()) rec.body = std::string(text);
  set_parse_error(rec, std::string(error_prefix) + st.message());
  return false;
}

}  // namespace sluice
