// The sshd preset's hand-written matcher (Preset::scan). With RE2 the
// 47-group pattern ran at about 7k lines/s on a loaded 2-core machine
// (nginx_combined's 8-group RE2 at 90k lines/s there); this scanner and the
// fields together at about 290k lines/s. The parse_regex_sshd_fuzz target
// and SshdPreset.ScannerAgreesWithPattern check that it returns exactly
// what RE2 returns.
#include <string_view>

#include "pipeline/transforms/parse_regex/sshd_pattern.hpp"

namespace sluice::parse_regex_detail::sshd {
namespace {

/// RE2's \s: [\t\n\f\r ].
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/// kPattern by hand (Preset::scan), with RE2's leftmost-first semantics:
/// every \S+ and \d+ of the pattern is followed by a character they cannot
/// match, so they take their maximal run; the greedy `.*` user names are
/// tried from the right (the longest first), the lazy `.*?` reasons from
/// the left; optional parts are tried present first. Linear in the line.
class Scanner {
 public:
  Scanner(std::string_view s, re2::StringPiece* g) : s_(s), n_(s.size()), g_(g), x_(groups()) {}

  bool run() {
    clear();
    // No construct of the pattern matches '\n' and `$` is the end of the
    // text, so a line holding one cannot match.
    if (s_.find('\n') != std::string_view::npos) return false;
    size_t msg = 0;
    if (header(&msg)) {
      set(x_.msg_at, msg, msg);
      if (message(msg)) return done();
    }
    clear();  // the header may have set groups before failing
    set(x_.msg_at, 0, 0);
    if (message(0)) return done();
    clear();
    return false;
  }

 private:
  void clear() {
    for (int i = 0; i <= x_.count; ++i) g_[i] = re2::StringPiece();
  }
  bool done() {
    set(0, 0, n_);
    return true;
  }
  void set(int group, size_t b, size_t e) { g_[group] = re2::StringPiece(s_.data() + b, e - b); }
  bool lit(size_t p, std::string_view t) const { return p <= n_ && s_.substr(p).starts_with(t); }
  size_t non_space_run(size_t p) const {
    while (p < n_ && !is_space(s_[p])) ++p;
    return p;
  }
  size_t digit_run(size_t p) const {
    while (p < n_ && is_digit(s_[p])) ++p;
    return p;
  }
  /// `(?: \[preauth\])?$` at p.
  bool end_ok(size_t p) const { return p == n_ || s_.substr(p) == kPreauth; }
  /// Where a lazy `(.*?)(?: \[preauth\])?$` starting at p stops.
  size_t lazy_end(size_t p) const {
    return n_ >= p + kPreauth.size() && end_ok(n_ - kPreauth.size()) ? n_ - kPreauth.size() : n_;
  }

  /// The optional syslog header; *end = where the message starts.
  bool header(size_t* end) {
    size_t p = 0;
    if (lit(0, "<")) {
      const size_t d = digit_run(1);
      if (d == 1 || d - 1 > 3 || !lit(d, ">")) return false;
      set(x_.pri, 1, d);
      p = d + 1;
    }
    const size_t ts = p;
    if (p + 3 <= n_ && is_alpha(s_[p]) && is_alpha(s_[p + 1]) && is_alpha(s_[p + 2]) && lit(p + 3, " ")) {
      size_t q = p + 3;
      while (q < n_ && s_[q] == ' ') ++q;
      const size_t d = digit_run(q);
      if (d == q || d - q > 2 || !lit(d, " ") || !clock(d + 1)) return false;
      p = d + 9;
      set(x_.ts3164, ts, p);
    } else {
      if (!digits_at(p, 4) || !lit(p + 4, "-") || !digits_at(p + 5, 2) || !lit(p + 7, "-") || !digits_at(p + 8, 2) ||
          !lit(p + 10, "T") || !clock(p + 11)) {
        return false;
      }
      p += 19;
      if (lit(p, ".") && digit_run(p + 1) > p + 1) p = digit_run(p + 1);
      if (lit(p, "Z")) {
        ++p;
      } else if ((lit(p, "+") || lit(p, "-")) && digits_at(p + 1, 2)) {
        const size_t m = lit(p + 3, ":") ? p + 4 : p + 3;
        if (digits_at(m, 2)) p = m + 2;
      }
      set(x_.ts3339, ts, p);
    }
    if (!lit(p, " ")) return false;
    while (p < n_ && s_[p] == ' ') ++p;
    const size_t host_end = non_space_run(p);
    if (host_end == p || !lit(host_end, " ")) return false;
    set(x_.host, p, host_end);
    p = host_end;
    while (p < n_ && s_[p] == ' ') ++p;
    if (!lit(p, "sshd")) return false;
    size_t tag_end = p + 4;
    if (lit(tag_end, "-session")) {
      tag_end += 8;
    } else if (lit(tag_end, "-auth")) {
      tag_end += 5;
    }
    set(x_.tag, p, tag_end);
    p = tag_end;
    if (lit(p, "[")) {
      const size_t d = digit_run(p + 1);
      if (d > p + 1 && lit(d, "]")) {
        set(x_.pid, p + 1, d);
        p = d + 1;
      }
    }
    if (!lit(p, ": ")) return false;
    *end = p + 2;
    return true;
  }
  bool digits_at(size_t p, size_t count) const { return p + count <= n_ && digit_run(p) >= p + count; }
  /// \d{2}:\d{2}:\d{2} at p.
  bool clock(size_t p) const {
    return digits_at(p, 2) && lit(p + 2, ":") && digits_at(p + 3, 2) && lit(p + 5, ":") && digits_at(p + 6, 2);
  }

  /// `(?:error: |fatal: )?(?:events)(?: \[preauth\])?$` at p.
  bool message(size_t p) {
    if ((lit(p, "error: ") || lit(p, "fatal: ")) && events(p + 7)) return true;
    return events(p);
  }
  bool events(size_t q) {
    return auth(q) || invalid_user(q) || connection_end(q) || disconnecting(q) || received_disconnect(q) ||
           max_auth(q) || address_only(q, "Did not receive identification string from ", x_.ni_addr, x_.ni_port) ||
           negotiate(q) || address_only(q, "Timeout before authentication for ", x_.to_addr, x_.to_port);
  }

  /// `(.*) from (\S+) port (\d+) ssh2` + `tail` from `user`, the user
  /// name tried longest first. Sets the four groups on success.
  template <class Tail>
  bool user_from(size_t user, int g_user, int g_addr, int g_port, Tail&& tail) {
    for (size_t u = n_; u-- > user;) {
      if (!lit(u, " from ")) continue;
      const size_t a = u + 6, ae = non_space_run(a);
      if (ae == a || !lit(ae, " port ")) continue;
      const size_t pe = digit_run(ae + 6);
      if (pe == ae + 6 || !lit(pe, " ssh2") || !tail(pe + 5)) continue;
      set(g_user, user, u);
      set(g_addr, a, ae);
      set(g_port, ae + 6, pe);
      return true;
    }
    return false;
  }

  bool auth(size_t q) {
    size_t k = q;
    for (std::string_view w : {"Accepted ", "Failed ", "Partial ", "Postponed "}) {
      if (lit(q, w)) k = q + w.size();
    }
    if (k == q) return false;
    const size_t me = non_space_run(k);
    if (me == k || !lit(me, " for ")) return false;
    auto tail = [this](size_t p) {  // (?:: (\S+) (\S+).*)?(?: \[preauth\])?$
      if (lit(p, ": ")) {
        const size_t t = p + 2, te = non_space_run(t);
        if (te > t && lit(te, " ")) {
          const size_t f = te + 1, fe = non_space_run(f);
          if (fe > f) {
            set(x_.auth_key_type, t, te);
            set(x_.auth_key_fp, f, fe);
            return true;
          }
        }
      }
      return end_ok(p);
    };
    const size_t user = me + 5;
    if (lit(user, "invalid user ") && user_from(user + 13, x_.auth_user, x_.auth_addr, x_.auth_port, tail)) {
      set(x_.auth_invalid, user, user + 13);
    } else if (!user_from(user, x_.auth_user, x_.auth_addr, x_.auth_port, tail)) {
      return false;
    }
    set(x_.auth, q, k - 1);
    set(x_.auth_method, k, me);
    return true;
  }

  bool max_auth(size_t q) {
    constexpr std::string_view kLead = "maximum authentication attempts exceeded for ";
    if (!lit(q, kLead)) return false;
    const size_t user = q + kLead.size();
    auto tail = [this](size_t p) { return end_ok(p); };
    if (lit(user, "invalid user ") && user_from(user + 13, x_.max_user, x_.max_addr, x_.max_port, tail)) {
      set(x_.max_invalid, user, user + 13);
      return true;
    }
    return user_from(user, x_.max_user, x_.max_addr, x_.max_port, tail);
  }

  /// ` from (\S+)(?: port (\d+))?(?: \[preauth\])?$` at p.
  bool from_address(size_t a, int g_addr, int g_port) {
    const size_t ae = non_space_run(a);
    if (ae == a) return false;
    if (lit(ae, " port ")) {
      const size_t pe = digit_run(ae + 6);
      if (pe > ae + 6 && end_ok(pe)) {
        set(g_addr, a, ae);
        set(g_port, ae + 6, pe);
        return true;
      }
    }
    if (!end_ok(ae)) return false;
    set(g_addr, a, ae);
    return true;
  }

  bool invalid_user(size_t q) {
    if (!lit(q, "Invalid user ")) return false;
    const size_t user = q + 13;
    for (size_t u = n_; u-- > user;) {
      if (lit(u, " from ") && from_address(u + 6, x_.inv_addr, x_.inv_port)) {
        set(x_.inv_user, user, u);
        return true;
      }
    }
    return false;
  }

  bool address_only(size_t q, std::string_view lead, int g_addr, int g_port) {
    return lit(q, lead) && from_address(q + lead.size(), g_addr, g_port);
  }

  /// SSHD_PEER at p followed by `cont(end of the port digits)`.
  template <class Cont>
  bool peer(size_t p, const Peer& x, Cont&& cont) {
    auto addr_port = [&](size_t a, size_t* pe) {  // (\S+) port (\d+)
      const size_t ae = non_space_run(a);
      if (ae == a || !lit(ae, " port ")) return false;
      *pe = digit_run(ae + 6);
      if (*pe == ae + 6 || !cont(*pe)) return false;
      set(x.addr, a, ae);
      set(x.port, ae + 6, *pe);
      return true;
    };
    for (std::string_view who : {"authenticating user ", "authenticatinguser ", "invalid user ", "user "}) {
      if (!lit(p, who)) continue;
      const size_t user = p + who.size();
      for (size_t v = n_; v-- > user;) {
        size_t pe;
        if (s_[v] == ' ' && addr_port(v + 1, &pe)) {
          set(x.who, p, user - 1);
          set(x.user, user, v);
          return true;
        }
      }
    }
    size_t pe;
    return addr_port(p, &pe);
  }

  bool connection_end(size_t q) {
    for (std::string_view w : {"Connection closed by ", "Connection reset by ", "Disconnected from "}) {
      if (lit(q, w) && peer(q + w.size(), x_.end_peer, [this](size_t p) { return end_ok(p); })) {
        set(x_.end, q, q + w.size() - 1);
        return true;
      }
    }
    return false;
  }

  /// `: (?P<reason>.*?)(?: \[preauth\])?$` at p.
  bool reason(size_t p, int g_reason) {
    if (!lit(p, ": ")) return false;
    set(g_reason, p + 2, lazy_end(p + 2));
    return true;
  }

  bool disconnecting(size_t q) {
    return lit(q, "Disconnecting ") && peer(q + 14, x_.dis_peer, [this](size_t p) { return reason(p, x_.dis_reason); });
  }

  bool negotiate(size_t q) {
    constexpr std::string_view kLead = "Unable to negotiate with ";
    return lit(q, kLead) && peer(q + kLead.size(), x_.neg_peer, [this](size_t p) { return reason(p, x_.neg_reason); });
  }

  bool received_disconnect(size_t q) {
    constexpr std::string_view kLead = "Received disconnect from ";
    return lit(q, kLead) && peer(q + kLead.size(), x_.rd_peer, [this](size_t p) {
             if (!lit(p, ":")) return false;
             const size_t ce = digit_run(p + 1);
             if (ce == p + 1 || !reason(ce, x_.rd_reason)) return false;
             set(x_.rd_code, p + 1, ce);
             return true;
           });
  }

  static constexpr std::string_view kPreauth = " [preauth]";

  std::string_view s_;
  size_t n_;
  re2::StringPiece* g_;
  const Groups& x_;
};

}  // namespace

bool scan(std::string_view text, re2::StringPiece* groups) { return Scanner(text, groups).run(); }

}  // namespace sluice::parse_regex_detail::sshd
