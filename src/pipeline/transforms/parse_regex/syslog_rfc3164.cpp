// The syslog_rfc3164 preset (presets.hpp).
#include <string>

#include "model/timestamp.hpp"
#include "pipeline/transforms/parse_regex/presets.hpp"
#include "pipeline/transforms/parse_syslog/syslog_message.hpp"
#include "pipeline/transforms/transform_util.hpp"

namespace sluice::parse_regex_detail {
namespace {

// Groups: 1 PRI, 2 RFC 3164 timestamp, 3 RFC 3339 timestamp, 4 HOSTNAME,
// 5 TAG, 6 PID, 7 MSG. (?s): a multi-line MSG is kept whole.
constexpr std::string_view kPattern =
    R"re((?s)(?:<(\d{1,3})>)?)re"
    R"re((?:([A-Za-z]{3} +\d{1,2} \d{2}:\d{2}:\d{2})|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)))re"
    R"re( +(\S+))re"
    R"re((?: +([^\s\[\]:]+)(?:\[(\d+)\])?:)?)re"
    R"re( ?(.*))re";

constexpr std::string_view kRfc3164TimeFormat = "%b %e %H:%M:%S";

Extraction apply(const re2::StringPiece* g, LogRecord& rec) {
  AttributeWriter w(rec, 6);
  bool clean = true;
  if (g[1].data() != nullptr) {
    int pri = 0;
    for (char c : std::string_view(g[1])) pri = pri * 10 + (c - '0');
    if (pri <= 191) {
      w.put("syslog.facility", std::to_string(pri >> 3));
      rec.severity_text = syslog_severity_keyword(pri & 7);
      rec.severity_number = syslog_severity_number(pri & 7);
    } else {
      set_parse_error(rec, "parse_regex: syslog_rfc3164: PRI " + std::to_string(pri) + " is out of range 0..191");
      clean = false;
    }
  }
  w.put("host.name", g[4]);
  if (g[5].data() != nullptr) w.put("syslog.app_name", g[5]);
  if (g[6].data() != nullptr) w.put("process.pid", g[6]);
  w.put("syslog.msg", g[7]);
  Result<int64_t> ts = g[2].data() != nullptr ? parse_timestamp_near(g[2], kRfc3164TimeFormat, reference_time_ns(rec))
                                              : parse_timestamp(g[3], "rfc3339");
  if (ts.ok()) {
    rec.timestamp_ns = *ts;
  } else {
    set_parse_error(rec, "parse_regex: syslog_rfc3164: timestamp: " + ts.status().message());
    clean = false;
  }
  return clean ? Extraction::kFields : Extraction::kError;
}

}  // namespace

const Preset kSyslogRfc3164{
    "syslog_rfc3164",
    "BSD syslog (RFC 3164) lines, with or without <PRI>, RFC 3164 or RFC 3339 timestamps (rsyslog files)",
    kPattern,
    &apply,
};

}  // namespace sluice::parse_regex_detail
