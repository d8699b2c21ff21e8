// The linux_kernel preset (presets.hpp): kernel log lines as dmesg prints
// them ("[12345.678901] message", printk's "[%5lu.%06lu] " prefix) or as a
// syslog daemon writes them ("<host> kernel: [uptime] message"), with two
// kinds of messages taken apart:
//   - netfilter LOG / NFLOG-to-syslog lines (the kernel's nf_log_syslog.c:
//     "PREFIXIN=eth0 OUT= [PHYSIN= PHYSOUT=] MAC=... SRC=... DST=... ...
//     PROTO=TCP SPT=1234 DPT=22 ..."), as iptables, nftables and ufw log;
//   - the OOM killer (mm/oom_kill.c: "Out of memory: Killed process 1234
//     (java) total-vm:...kB, ... UID:1000 ..." and "oom_reaper: reaped
//     process 1234 (java), now anon-rss:...").
#include <string>

#include "common/assert.hpp"
#include "pipeline/transforms/parse_regex/presets.hpp"

namespace sluice::parse_regex_detail {
namespace {

// Either the syslog header of syslog_rfc3164 (same groups, tag "kernel")
// followed by an optional uptime, or a dmesg uptime; then an optional
// netfilter or OOM message; then the rest of the line. msg_at marks where
// the syslog MSG starts. (?s): a multi-line message is kept whole.
constexpr std::string_view kPattern =
    "(?s)(?:(?:<(?P<pri>\\d{1,3})>)?"
    "(?:(?P<ts3164>[A-Za-z]{3} +\\d{1,2} \\d{2}:\\d{2}:\\d{2})|"
    "(?P<ts3339>\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?))"
    " +(?P<host>\\S+) +(?P<tag>kernel)(?:\\[(?P<pid>\\d+)\\])?: (?P<msg_at>)"
    "(?:\\[ *(?P<uptime>\\d+\\.\\d+)\\] ?)?"
    "|\\[ *(?P<dmesg_uptime>\\d+\\.\\d+)\\] ?)"
    "(?:"
    "(?P<nf_prefix>[^\\n]*?)IN=(?P<nf_in>\\S*) OUT=(?P<nf_out>\\S*) (?:PHYSIN=\\S* )?(?:PHYSOUT=\\S* )?"
    "(?:MAC=\\S* )?SRC=(?P<nf_src>\\S+) DST=(?P<nf_dst>\\S+) (?:[^\\n]*? )?PROTO=(?P<nf_proto>\\S+)"
    "(?: SPT=(?P<nf_spt>\\d+) DPT=(?P<nf_dpt>\\d+))?"
    "|(?:[^\\n]*?: )?Killed process (?P<oom_pid>\\d+) \\((?P<oom_comm>[^\\n]{0,16}?)\\)[ ,]"
    "(?:[^\\n]*?UID:(?P<oom_uid>\\d+))?"
    "|oom_reaper: reaped process (?P<reap_pid>\\d+) \\((?P<reap_comm>[^\\n]{0,16}?)\\),"
    ")?.*";

/// Group numbers by name, looked up once from the compiled pattern.
struct Groups {
  int pri, ts3164, ts3339, host, tag, pid, msg_at, uptime, dmesg_uptime;
  int nf_prefix, nf_in, nf_out, nf_src, nf_dst, nf_proto, nf_spt, nf_dpt;
  int oom_pid, oom_comm, oom_uid, reap_pid, reap_comm;
};

const Groups& groups() {
  static const Groups g = [] {
    RE2 re(std::string(kPattern), preset_re2_options());
    SLUICE_ASSERT(re.ok(), "linux_kernel preset pattern: " + re.error());
    const auto& names = re.NamedCapturingGroups();
    auto n = [&names](const std::string& name) {
      auto it = names.find(name);
      SLUICE_ASSERT(it != names.end(), "linux_kernel preset: no group " + name);
      return it->second;
    };
    Groups r{};
    r.pri = n("pri"), r.ts3164 = n("ts3164"), r.ts3339 = n("ts3339"), r.host = n("host"), r.tag = n("tag");
    r.pid = n("pid"), r.msg_at = n("msg_at"), r.uptime = n("uptime"), r.dmesg_uptime = n("dmesg_uptime");
    r.nf_prefix = n("nf_prefix"), r.nf_in = n("nf_in"), r.nf_out = n("nf_out"), r.nf_src = n("nf_src");
    r.nf_dst = n("nf_dst"), r.nf_proto = n("nf_proto"), r.nf_spt = n("nf_spt"), r.nf_dpt = n("nf_dpt");
    r.oom_pid = n("oom_pid"), r.oom_comm = n("oom_comm"), r.oom_uid = n("oom_uid");
    r.reap_pid = n("reap_pid"), r.reap_comm = n("reap_comm");
    return r;
  }();
  return g;
}

bool present(re2::StringPiece g) { return g.data() != nullptr; }

std::string lower(re2::StringPiece s) {
  std::string out(s.data(), s.size());
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Extraction apply(const re2::StringPiece* g, LogRecord& rec) {
  const Groups& x = groups();
  const bool clean = apply_syslog_header(g, x, rec);  // a full syslog line: the syslog_rfc3164 fields first
  AttributeWriter w(rec, 11);
  if (present(g[x.uptime])) w.put("linux.kernel.uptime", g[x.uptime]);
  if (present(g[x.dmesg_uptime])) w.put("linux.kernel.uptime", g[x.dmesg_uptime]);
  if (present(g[x.nf_src])) {
    w.put("linux.kernel.event", "netfilter");
    re2::StringPiece prefix = g[x.nf_prefix];
    while (!prefix.empty() && (prefix[prefix.size() - 1] == ' ' || prefix[prefix.size() - 1] == '\t')) {
      prefix.remove_suffix(1);
    }
    if (!prefix.empty()) w.put("netfilter.prefix", prefix);
    if (!g[x.nf_in].empty()) w.put("netfilter.in", g[x.nf_in]);
    if (!g[x.nf_out].empty()) w.put("netfilter.out", g[x.nf_out]);
    w.put("source.address", g[x.nf_src]);
    w.put("destination.address", g[x.nf_dst]);
    w.put("network.type", g[x.nf_src].find(':') != re2::StringPiece::npos ? "ipv6" : "ipv4");
    w.put("network.transport", lower(g[x.nf_proto]));
    if (present(g[x.nf_spt])) {
      w.put("source.port", g[x.nf_spt]);
      w.put("destination.port", g[x.nf_dpt]);
    }
  } else if (present(g[x.oom_pid])) {
    w.put("linux.kernel.event", "oom_kill");
    w.put("process.pid", g[x.oom_pid]);
    w.put("process.executable.name", g[x.oom_comm]);
    if (present(g[x.oom_uid])) w.put("process.user.id", g[x.oom_uid]);
  } else if (present(g[x.reap_pid])) {
    w.put("linux.kernel.event", "oom_reap");
    w.put("process.pid", g[x.reap_pid]);
    w.put("process.executable.name", g[x.reap_comm]);
  }
  return clean ? Extraction::kFields : Extraction::kError;
}

}  // namespace

const Preset kLinuxKernel{
    "linux_kernel",
    "Kernel log lines (dmesg \"[uptime] msg\" or syslog \"kernel:\"), with netfilter LOG and OOM-killer fields",
    kPattern,
    &apply,
};

}  // namespace sluice::parse_regex_detail
