#include "pipeline/transforms/parse_syslog/parse_syslog.hpp"

namespace sluice {

const OptionTable<ParseSyslogOptions>& parse_syslog_option_table() {
  static const OptionTable<ParseSyslogOptions> table = [] {
    OptionTable<ParseSyslogOptions> t;
    t.add_enum("format", &ParseSyslogOptions::format, "auto", {"auto", "rfc5424", "rfc3164"},
               "Message format: rfc5424 (\"<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG\"), rfc3164 "
               "(\"[<PRI>]Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG\"), or auto (RFC 5424 when a version number "
               "follows the PRI, else RFC 3164).")
        .add_string("timezone", &ParseSyslogOptions::timezone, "UTC",
                    "Time zone of RFC 3164 timestamps, which carry none: \"UTC\", \"local\" (the process's zone) "
                    "or a fixed offset \"+hh:mm\" / \"-hh:mm\".");
    return t;
  }();
  return table;
}

void ParseSyslog::process(LogBatch& batch) {
  for (LogRecord& rec : batch.records) process_record(rec);
}

void ParseSyslog::process_record(LogRecord& rec) const { parse_syslog_into(rec.body, options_, "parse_syslog: ", rec); }

Result<std::unique_ptr<Transform>> make_parse_syslog(const ParseSyslogOptions& options) {
  SyslogParserOptions o;
  Result<SyslogFormat> format = syslog_format_from_name(options.format);
  if (!format.ok()) return format.status().with_context("parse_syslog: format");
  o.format = *format;
  Result<SyslogTimeZone> tz = syslog_time_zone_from_name(options.timezone);
  if (!tz.ok()) return tz.status().with_context("parse_syslog: timezone");
  o.time_zone = *tz;
  return std::unique_ptr<Transform>(std::make_unique<ParseSyslog>(o));
}

}  // namespace sluice
