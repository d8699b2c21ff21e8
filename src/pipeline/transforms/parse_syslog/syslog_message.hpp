// The syslog message parser shared by the `syslog` source and the
// `parse_syslog` transform: text of one message -> SyslogMessage -> the
// fields of a LogRecord. Format and mapping: docs/protocols/syslog.md.
//
// Formats:
//   - RFC 5424 section 6: `<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME
//     SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]`, with structured data
//     (section 6.3, PARAM-VALUE escapes `\"`, `\\`, `\]`) and an optional
//     UTF-8 BOM before MSG (removed).
//   - RFC 3164 section 4.1 as senders write it: `[<PRI>]TIMESTAMP SP
//     [HOSTNAME SP] [TAG[[PID]]:] MSG`, TIMESTAMP being "Mmm dd hh:mm:ss"
//     (no year: the reference time's year, or the year before for a
//     December line read in January) or RFC 3339 (rsyslog's
//     RSYSLOG_ForwardFormat). A first word ending in ':' or holding '[' is a
//     TAG, not a HOSTNAME (a local sender that omits the HOSTNAME).
//
// Thread-safety: pure functions; SyslogMessage is a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

enum class SyslogFormat {
  kAuto,     ///< `<PRI>` + a digit 1..9 + SP: RFC 5424, anything else RFC 3164
  kRfc5424,  ///< RFC 5424 only
  kRfc3164,  ///< RFC 3164 only
};

/// "auto", "rfc5424", "rfc3164" -> SyslogFormat; InvalidArgument otherwise.
Result<SyslogFormat> syslog_format_from_name(std::string_view name);

/// The time zone of RFC 3164 timestamps (they carry none): a fixed offset,
/// or the process's local zone (TZ / /etc/localtime, DST included).
struct SyslogTimeZone {
  bool local = false;
  int64_t offset_seconds = 0;  ///< local time minus UTC, when !local
};

/// "UTC" (also "Z", "GMT"), "local", or "+hh:mm" / "-hh:mm" / "+hhmm".
/// InvalidArgument names the text and the accepted forms.
Result<SyslogTimeZone> syslog_time_zone_from_name(std::string_view name);

struct SyslogParserOptions {
  SyslogFormat format = SyslogFormat::kAuto;
  SyslogTimeZone time_zone;  ///< for RFC 3164 timestamps
};

/// One structured-data parameter (RFC 5424 section 6.3.3), unescaped.
struct SyslogSdParam {
  std::string_view sd_id;
  std::string_view name;
  std::string value;
};

/// A parsed message. Views point into the parsed text; valid while it is.
struct SyslogMessage {
  SyslogFormat format = SyslogFormat::kAuto;  ///< the one that matched: kRfc5424 or kRfc3164
  int pri = -1;                               ///< 0..191, -1 without PRI (RFC 3164 only)
  int version = 0;                            ///< RFC 5424 VERSION, 0 for RFC 3164
  bool has_timestamp = false;                 ///< false for the NILVALUE
  int64_t timestamp_ns = 0;                   ///< ns since the Unix epoch (UTC)
  std::string_view hostname;                  ///< empty: NILVALUE or absent
  std::string_view app_name;                  ///< RFC 3164: the TAG
  std::string_view procid;                    ///< RFC 3164: the PID in TAG[PID]
  std::string_view msgid;
  std::vector<SyslogSdParam> structured_data;  ///< in message order
  std::vector<std::string_view> sd_ids_without_params;
  std::string_view msg;  ///< MSG without a leading BOM
};

/// Parses one message (without framing: no MSG-LEN, no trailing LF).
/// `reference_ns` is the time a year-less RFC 3164 timestamp is read
/// against (the record's observed time).
///
/// Errors: InvalidArgument "<format>: expected <what> at byte <n>, found
/// <char|end of message>", `n` being a 0-based offset into `text`; e.g.
/// "RFC 5424: expected SP after VERSION at byte 6, found 'x'". With kAuto
/// the error is that of the detected format.
Status parse_syslog_message(std::string_view text, const SyslogParserOptions& options, int64_t reference_ns,
                            SyslogMessage* out);

/// Severity keyword of RFC 5424 section 6.2.1 table 2 ("emerg" .. "debug")
/// for code 0..7.
std::string_view syslog_severity_keyword(int severity);
/// OpenTelemetry SeverityNumber for syslog severity 0..7: emerg 21 (FATAL),
/// alert 19 (ERROR3), crit 18 (ERROR2), err 17 (ERROR), warning 13 (WARN),
/// notice 10 (INFO2), info 9 (INFO), debug 5 (DEBUG).
uint8_t syslog_severity_number(int severity);

/// Writes `msg` into `rec` (docs/protocols/syslog.md "Mapping"): timestamp
/// (when present), severity_number, severity_text (the keyword), body = MSG,
/// resource host.name, attributes syslog.facility, syslog.severity,
/// syslog.version, syslog.app_name, syslog.procid, syslog.msgid (each only
/// when present and not NILVALUE) and syslog.sd.<SD-ID>.<PARAM-NAME> (a
/// repeated parameter: a JSON array of its values; an SD-ELEMENT without
/// parameters: syslog.sd.<SD-ID> = ""). Keys already in the record are
/// replaced. `msg` may point into rec.body.
void apply_syslog_message(const SyslogMessage& msg, LogRecord& rec);

/// Parses `text` and fills `rec` (apply_syslog_message). When `text` does
/// not parse, rec.body = `text` and attributes["parse.error"] =
/// "<prefix><error message>"; nothing else changes (the record is never
/// dropped). `text` may be rec.body. Returns whether it parsed.
bool parse_syslog_into(std::string_view text, const SyslogParserOptions& options, std::string_view error_prefix,
                       LogRecord& rec);

}  // namespace sluice
