// Built-in parse_regex formats: an RE2 pattern (the specification of what
// matches) plus the code that turns its groups into OpenTelemetry fields.
//
// Thread-safety: presets are immutable constants.
#pragma once

#include <re2/re2.h>

#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "model/log_record.hpp"

namespace sluice::parse_regex_detail {

/// What a preset's apply() made of a match.
enum class Extraction {
  kError,      ///< a field matched but did not convert (parse.error set)
  kFields,     ///< every field converted; the text says more than they hold
  kWholeText,  ///< every field converted, and they hold all the match says
               ///< (up to a time's UTC offset and spelling)
};

/// One preset. Patterns are compiled in Latin-1 mode (bytes, so binary junk
/// cannot break UTF-8 decoding) and anchored at the start of the text.
struct Preset {
  std::string_view name;
  std::string_view description;
  std::string_view pattern;
  /// Fills `rec` from a match: groups[0] is the whole match, groups[i] the
  /// i-th group (data() == nullptr when it did not participate). Must not
  /// touch rec.body (the groups may point into it). Sets parse.error for
  /// fields that matched but do not convert (a bad date), and then returns
  /// kError. kWholeText lets the body go when keep_body is unset; presets
  /// whose text is searched as a message, or whose fields summarise it,
  /// never return it.
  Extraction (*apply)(const re2::StringPiece* groups, LogRecord& rec);
  /// Optional hand-written matcher, used instead of RE2 where a benchmark
  /// showed RE2 to be the bottleneck. It must return exactly what
  /// `RE2::Match(text, 0, size, ANCHOR_START, groups, n)` returns for
  /// `pattern` (same groups, same positions); the preset's fuzz target
  /// checks this on every input. Null: RE2 matches.
  bool (*scan)(std::string_view text, re2::StringPiece* groups) = nullptr;
};

/// Sets a record's parsed attributes: a key the record already had (a file
/// source's log.file.path, an earlier transform's field) is replaced in
/// place, as set_key_value does, others are appended. Keys put through one
/// writer must be distinct, so only the attributes present when the writer
/// was made are searched (not the growing list: no quadratic scan).
class AttributeWriter {
 public:
  AttributeWriter(LogRecord& rec, size_t expected) : kvs_(rec.attributes), before_(rec.attributes.size()) {
    kvs_.reserve(kvs_.size() + expected);
  }
  /// Sets `key`, which must differ from every key put before through this
  /// writer: only the attributes the record had before are searched.
  void put(const AttributeKey& key, re2::StringPiece value) {
    for (size_t i = 0; i < before_; ++i) {
      if (kvs_[i].first == key) {
        kvs_[i].second.assign(value.data(), value.size());
        return;
      }
    }
    kvs_.emplace_back(std::piecewise_construct, std::forward_as_tuple(key),
                      std::forward_as_tuple(value.data(), value.size()));
  }

 private:
  KeyValues& kvs_;
  size_t before_;  ///< attributes the record had before: the only ones a put may replace
};

/// nginx/Apache combined access log:
/// `$remote_addr - $remote_user [$time_local] "$request" $status
/// $body_bytes_sent "$http_referer" "$http_user_agent"`, where the last two
/// are optional ("common" log format) and trailing fields are ignored.
/// Attributes (OpenTelemetry semantic conventions): client.address,
/// user.name (not when "-"), http.request.method, url.path and url.query
/// (without '?', when present) for "/..." targets, or url.full for
/// absolute-form targets ("http://..."; CONNECT's host:port sets no url),
/// network.protocol.name ("http") and network.protocol.version ("1.1"),
/// http.response.status_code, http.response.body.size (not when "-"),
/// http.request.header.referer and user_agent.original (not when "-").
/// Quoted fields are stored as logged (nginx's \xNN escapes are kept). A
/// request that is not "METHOD TARGET [HTTP/x]" (nginx logs "-" or the
/// escaped bytes of a TLS handshake sent to a plain-HTTP port) sets no
/// http.request / url / protocol attributes. timestamp from $time_local
/// ("%d/%b/%Y:%H:%M:%S %z"). Severity: 5xx ERROR (17), 4xx WARN (13),
/// else INFO (9), with severity_text. Matched by a hand-written scanner
/// (RE2 with 8 groups ran at ~200k lines/s; the scanner and attribute
/// building together reach the 500k lines/s per core target). The fields
/// hold the whole line (kWholeText: with keep_body unset, its body goes)
/// when $remote_logname (not stored) is "-" and the request is
/// "METHOD /path..." or an absolute URL; the time is kept as an instant
/// (not its UTC offset).
extern const Preset kNginxCombined;

/// BSD syslog as in RFC 3164 section 4.1 and as rsyslog writes files:
/// `[<PRI>]TIMESTAMP HOSTNAME [TAG[[PID]]:] MSG`, TIMESTAMP being
/// "Mmm dd hh:mm:ss" (year from the observed time) or RFC 3339 (Debian's
/// RSYSLOG_FileFormat, "2026-11-21T14:30:09.123456+00:00").
/// Attributes: host.name, syslog.app_name (the TAG; no semantic convention
/// exists), process.pid, syslog.msg (the MSG part; the body keeps the whole
/// line unless keep_body = false), syslog.facility (PRI / 8, numeric code). The
/// PRI's severity (PRI % 8, RFC 5424 table 2) sets severity_text to its
/// keyword and severity_number: emerg 21 (FATAL), alert 19, crit 18,
/// err 17 (ERROR), warning 13 (WARN), notice 10, info 9 (INFO), debug 5
/// (DEBUG). Without PRI the severity stays unspecified.
extern const Preset kSyslogRfc3164;

/// OpenSSH sshd authentication and connection events (sshd.cpp), the
/// message alone or a full syslog line from sshd / sshd-session (then with
/// syslog_rfc3164's attributes too). Attributes: sshd.event (accepted,
/// failed, partial, postponed, invalid_user, closed, reset, disconnected,
/// disconnecting, received_disconnect, max_auth_attempts,
/// no_identification, negotiation_failed, preauth_timeout), user.name,
/// client.address, client.port, sshd.invalid_user ("true"),
/// sshd.auth.method, sshd.key.type, sshd.key.fingerprint,
/// sshd.disconnect.code, sshd.reason. Other sshd messages do not match.
/// Matched by a hand-written scanner (sshd_scan.cpp): RE2 with the
/// pattern's 47 groups was about 40 times slower.
extern const Preset kSshd;

/// Linux kernel lines (linux_kernel.cpp): dmesg "[uptime] msg" or a syslog
/// line tagged "kernel" (then with syslog_rfc3164's attributes too).
/// Attributes: linux.kernel.uptime; for netfilter LOG lines
/// linux.kernel.event = netfilter, netfilter.prefix, netfilter.in,
/// netfilter.out, source.address, destination.address, network.type,
/// network.transport, source.port, destination.port; for the OOM killer
/// linux.kernel.event = oom_kill / oom_reap, process.pid,
/// process.executable.name, process.user.id.
extern const Preset kLinuxKernel;

/// For presets whose pattern may begin with a syslog_rfc3164 header (sshd,
/// linux_kernel): when its host group matched, applies syslog_rfc3164's
/// fields first. `x` names the header's groups in the preset's pattern
/// (pri, ts3164, ts3339, host, tag, pid, and msg_at where the message
/// starts; the message runs to the end of the match).
/// False when syslog_rfc3164's apply gave kError (true without a header).
template <class Groups>
bool apply_syslog_header(const re2::StringPiece* g, const Groups& x, LogRecord& rec) {
  if (g[x.host].data() == nullptr) return true;
  const char* msg_begin = g[x.msg_at].data();
  re2::StringPiece msg(msg_begin, static_cast<size_t>(g[0].data() + g[0].size() - msg_begin));
  const re2::StringPiece syslog[8] = {g[0], g[x.pri], g[x.ts3164], g[x.ts3339], g[x.host], g[x.tag], g[x.pid], msg};
  return kSyslogRfc3164.apply(syslog, rec) != Extraction::kError;
}

/// The RE2 options presets are compiled with (Latin-1, no error logging).
RE2::Options preset_re2_options();

/// Test support for Preset::scan: "" when `preset.scan` and RE2 (`re`,
/// compiled from preset.pattern with preset_re2_options) agree on `text`
/// (match or not, every group's position and length), else a description
/// of the first difference.
std::string compare_scan_with_re2(const Preset& preset, const RE2& re, std::string_view text);

/// Every preset, sorted by name.
std::span<const Preset* const> all_presets();

/// The preset called `name`, or nullptr.
const Preset* find_preset(std::string_view name);

}  // namespace sluice::parse_regex_detail
