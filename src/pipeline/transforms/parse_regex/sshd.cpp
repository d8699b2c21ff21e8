// The sshd preset (presets.hpp): OpenSSH server authentication and
// connection events, from the messages of OpenSSH's auth.c (auth_log,
// getpwnamallow, auth_maxtries_exceeded), packet.c (sshpkt_fatal,
// ssh_packet_disconnect, where the peer is sshpkt_fmt_connection_id's
// "[authenticating user U |invalid user U |user U ]ADDR port N") and
// sshd.c (the login grace time alarm).
#include <string>

#include "common/assert.hpp"
#include "pipeline/transforms/parse_regex/presets.hpp"
#include "pipeline/transforms/parse_regex/sshd_pattern.hpp"

namespace sluice::parse_regex_detail {
namespace sshd {

// The syslog header as in syslog_rfc3164 (same groups in the same order),
// with the tag required to be sshd's; optional, so that a message alone
// (e.g. syslog_rfc3164's syslog.msg) matches too. msg_at marks where the
// message starts.
#define SSHD_HEADER                                                                             \
  "(?:(?:<(?P<pri>\\d{1,3})>)?"                                                                 \
  "(?:(?P<ts3164>[A-Za-z]{3} +\\d{1,2} \\d{2}:\\d{2}:\\d{2})|"                                  \
  "(?P<ts3339>\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?))" \
  " +(?P<host>\\S+) +(?P<tag>sshd(?:-session|-auth)?)(?:\\[(?P<pid>\\d+)\\])?: )?(?P<msg_at>)"
// sshpkt_fmt_connection_id: the peer, with the user once it is known.
#define SSHD_PEER(x)                                                                                               \
  "(?:(?P<" x "_who>authenticating ?user|invalid user|user) (?P<" x "_user>.*) )?(?P<" x "_addr>\\S+) port (?P<" x \
  "_port>\\d+)"

constexpr std::string_view kPattern =
    SSHD_HEADER
    "(?:error: |fatal: )?(?:"
    "(?P<auth>Accepted|Failed|Partial|Postponed) (?P<auth_method>\\S+) for (?P<auth_invalid>invalid user )?"
    "(?P<auth_user>.*) from (?P<auth_addr>\\S+) port (?P<auth_port>\\d+) ssh2"
    "(?:: (?P<auth_key_type>\\S+) (?P<auth_key_fp>\\S+).*)?"
    "|Invalid user (?P<inv_user>.*) from (?P<inv_addr>\\S+)(?: port (?P<inv_port>\\d+))?"
    "|(?P<end>Connection closed by|Connection reset by|Disconnected from) " SSHD_PEER("end")
    "|Disconnecting " SSHD_PEER("dis") ": (?P<dis_reason>.*?)"
    "|Received disconnect from " SSHD_PEER("rd") ":(?P<rd_code>\\d+): (?P<rd_reason>.*?)"
    "|maximum authentication attempts exceeded for (?P<max_invalid>invalid user )?(?P<max_user>.*) from "
    "(?P<max_addr>\\S+) port (?P<max_port>\\d+) ssh2"
    "|Did not receive identification string from (?P<ni_addr>\\S+)(?: port (?P<ni_port>\\d+))?"
    "|Unable to negotiate with " SSHD_PEER("neg") ": (?P<neg_reason>.*?)"
    "|Timeout before authentication for (?P<to_addr>\\S+)(?: port (?P<to_port>\\d+))?"
    ")(?: \\[preauth\\])?$";

#undef SSHD_HEADER
#undef SSHD_PEER

const Groups& groups() {
  static const Groups g = [] {
    RE2 re(std::string(kPattern), preset_re2_options());
    SLUICE_ASSERT(re.ok(), "sshd preset pattern: " + re.error());
    const auto& names = re.NamedCapturingGroups();
    auto n = [&names](const std::string& name) {
      auto it = names.find(name);
      SLUICE_ASSERT(it != names.end(), "sshd preset: no group " + name);
      return it->second;
    };
    auto peer = [&n](const std::string& x) {
      return Peer{n(x + "_who"), n(x + "_user"), n(x + "_addr"), n(x + "_port")};
    };
    Groups r{};
    r.count = re.NumberOfCapturingGroups();
    r.pri = n("pri"), r.ts3164 = n("ts3164"), r.ts3339 = n("ts3339"), r.host = n("host"), r.tag = n("tag");
    r.pid = n("pid"), r.msg_at = n("msg_at");
    r.auth = n("auth"), r.auth_method = n("auth_method"), r.auth_invalid = n("auth_invalid");
    r.auth_user = n("auth_user"), r.auth_addr = n("auth_addr"), r.auth_port = n("auth_port");
    r.auth_key_type = n("auth_key_type"), r.auth_key_fp = n("auth_key_fp");
    r.inv_user = n("inv_user"), r.inv_addr = n("inv_addr"), r.inv_port = n("inv_port");
    r.end = n("end"), r.end_peer = peer("end"), r.dis_peer = peer("dis"), r.rd_peer = peer("rd");
    r.neg_peer = peer("neg");
    r.dis_reason = n("dis_reason"), r.rd_code = n("rd_code"), r.rd_reason = n("rd_reason");
    r.max_invalid = n("max_invalid"), r.max_user = n("max_user"), r.max_addr = n("max_addr");
    r.max_port = n("max_port"), r.ni_addr = n("ni_addr"), r.ni_port = n("ni_port"), r.neg_reason = n("neg_reason");
    r.to_addr = n("to_addr"), r.to_port = n("to_port");
    return r;
  }();
  return g;
}

}  // namespace sshd

namespace {

using sshd::Groups;
using sshd::groups;
using sshd::Peer;

bool present(re2::StringPiece g) { return g.data() != nullptr; }

/// Writes the attributes of one sshd event from the match groups; groups
/// that did not participate set nothing.
class EventWriter {
 public:
  EventWriter(const re2::StringPiece* g, LogRecord& rec) : g_(g), w_(rec, 7) {}
  void event(std::string_view name) { w_.put("sshd.event", name); }
  void put(std::string_view key, int group) {
    if (present(g_[group])) w_.put(key, g_[group]);
  }
  void user(int group) {
    if (present(g_[group]) && !g_[group].empty()) w_.put("user.name", g_[group]);
  }
  void invalid(bool yes) {
    if (yes) w_.put("sshd.invalid_user", "true");
  }
  void client(int addr, int port) {
    put("client.address", addr);
    put("client.port", port);
  }
  void peer(const Peer& p) {
    user(p.user);
    invalid(present(g_[p.who]) && g_[p.who] == "invalid user");
    client(p.addr, p.port);
  }
  bool has(int group) const { return present(g_[group]); }
  re2::StringPiece at(int group) const { return g_[group]; }

 private:
  const re2::StringPiece* g_;
  AttributeWriter w_;
};

Extraction apply(const re2::StringPiece* g, LogRecord& rec) {
  const Groups& x = groups();
  const bool clean = apply_syslog_header(g, x, rec);  // a full syslog line: the syslog_rfc3164 fields first
  EventWriter w(g, rec);
  if (w.has(x.auth)) {
    std::string event(w.at(x.auth));
    event[0] = static_cast<char>(event[0] - 'A' + 'a');  // "Accepted" -> "accepted"
    w.event(event);
    w.user(x.auth_user);
    w.invalid(w.has(x.auth_invalid));
    w.client(x.auth_addr, x.auth_port);
    w.put("sshd.auth.method", x.auth_method);
    w.put("sshd.key.type", x.auth_key_type);
    w.put("sshd.key.fingerprint", x.auth_key_fp);
  } else if (w.has(x.inv_addr)) {
    w.event("invalid_user");
    w.user(x.inv_user);
    w.invalid(true);
    w.client(x.inv_addr, x.inv_port);
  } else if (w.has(x.end)) {
    const re2::StringPiece end = w.at(x.end);
    w.event(end == "Connection closed by" ? "closed" : end == "Connection reset by" ? "reset" : "disconnected");
    w.peer(x.end_peer);
  } else if (w.has(x.dis_peer.addr)) {
    w.event("disconnecting");
    w.peer(x.dis_peer);
    w.put("sshd.reason", x.dis_reason);
  } else if (w.has(x.rd_peer.addr)) {
    w.event("received_disconnect");
    w.peer(x.rd_peer);
    w.put("sshd.disconnect.code", x.rd_code);
    w.put("sshd.reason", x.rd_reason);
  } else if (w.has(x.max_addr)) {
    w.event("max_auth_attempts");
    w.user(x.max_user);
    w.invalid(w.has(x.max_invalid));
    w.client(x.max_addr, x.max_port);
  } else if (w.has(x.ni_addr)) {
    w.event("no_identification");
    w.client(x.ni_addr, x.ni_port);
  } else if (w.has(x.neg_peer.addr)) {
    w.event("negotiation_failed");
    w.peer(x.neg_peer);
    w.put("sshd.reason", x.neg_reason);
  } else if (w.has(x.to_addr)) {
    w.event("preauth_timeout");
    w.client(x.to_addr, x.to_port);
  }
  return clean ? Extraction::kFields : Extraction::kError;
}

}  // namespace

const Preset kSshd{
    "sshd",         "OpenSSH server authentication and connection events, with or without the syslog header",
    sshd::kPattern, &apply,
    &sshd::scan,
};

}  // namespace sluice::parse_regex_detail
