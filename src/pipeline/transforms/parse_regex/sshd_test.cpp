// Tests of the sshd preset on message shapes taken from OpenSSH's sources
// (auth.c auth_log, packet.c sshpkt_fatal / ssh_packet_disconnect,
// sshpkt_fmt_connection_id) as they appear in Debian/Ubuntu auth.log.
#include <gtest/gtest.h>

#include "pipeline/transforms/parse_regex/parse_regex.hpp"
#include "pipeline/transforms/parse_regex/presets.hpp"

namespace sluice {
namespace {

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kObserved = 1795273200 * kS;  // 2026-11-21T15:00:00Z

LogRecord sshd(std::string_view text) {
  ParseRegexOptions o;
  o.preset = "sshd";
  o.keep_body = true;  // the body is compared below
  auto t = ParseRegex::create(o);
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  LogRecord rec;
  rec.body = std::string(text);
  rec.observed_timestamp_ns = kObserved;
  (*t)->process_record(rec);
  EXPECT_EQ(rec.body, text);
  return rec;
}

std::string attr(const LogRecord& rec, std::string_view key) {
  const std::string* v = find_key_value(rec.attributes, key);
  return v ? *v : "<missing>";
}

TEST(SshdPreset, AcceptedPublickeyFullSyslogLine) {
  LogRecord r = sshd(
      "Nov 21 14:30:09 bastion sshd[1234]: Accepted publickey for alice from 203.0.113.5 port 50522 ssh2: ED25519 "
      "SHA256:pE2ZdTjK0p1bX9vYbq9Xl1u3C5vj7y1Hh0mW4Xo0Z2E");
  EXPECT_EQ(r.attributes, (KeyValues{{"host.name", "bastion"},
                                     {"syslog.app_name", "sshd"},
                                     {"process.pid", "1234"},
                                     {"syslog.msg",
                                      "Accepted publickey for alice from 203.0.113.5 port 50522 ssh2: ED25519 "
                                      "SHA256:pE2ZdTjK0p1bX9vYbq9Xl1u3C5vj7y1Hh0mW4Xo0Z2E"},
                                     {"sshd.event", "accepted"},
                                     {"user.name", "alice"},
                                     {"client.address", "203.0.113.5"},
                                     {"client.port", "50522"},
                                     {"sshd.auth.method", "publickey"},
                                     {"sshd.key.type", "ED25519"},
                                     {"sshd.key.fingerprint", "SHA256:pE2ZdTjK0p1bX9vYbq9Xl1u3C5vj7y1Hh0mW4Xo0Z2E"}}));
  EXPECT_EQ(r.timestamp_ns, 1795271409 * kS);
}

TEST(SshdPreset, MessageAloneAndOtherHeaders) {
  LogRecord r = sshd("Accepted password for bob from 2001:db8::7 port 2222 ssh2");
  EXPECT_EQ(r.attributes, (KeyValues{{"sshd.event", "accepted"},
                                     {"user.name", "bob"},
                                     {"client.address", "2001:db8::7"},
                                     {"client.port", "2222"},
                                     {"sshd.auth.method", "password"}}));
  // rsyslog's RFC 3339 file format, OpenSSH 9.8's sshd-session, and a PRI.
  r = sshd(
      "<38>2026-11-21T14:30:09.123456+00:00 web1 sshd-session[88]: Failed password for root from 192.0.2.1 "
      "port 4242 ssh2");
  EXPECT_EQ(attr(r, "syslog.app_name"), "sshd-session");
  EXPECT_EQ(attr(r, "syslog.facility"), "4");
  EXPECT_EQ(r.severity_text, "info");
  EXPECT_EQ(r.timestamp_ns, 1795271409 * kS + 123'456'000);
  EXPECT_EQ(attr(r, "sshd.event"), "failed");
  EXPECT_EQ(attr(r, "user.name"), "root");
}

TEST(SshdPreset, FailedForInvalidUser) {
  LogRecord r = sshd("Failed password for invalid user admin from 198.51.100.23 port 41822 ssh2");
  EXPECT_EQ(r.attributes, (KeyValues{{"sshd.event", "failed"},
                                     {"user.name", "admin"},
                                     {"sshd.invalid_user", "true"},
                                     {"client.address", "198.51.100.23"},
                                     {"client.port", "41822"},
                                     {"sshd.auth.method", "password"}}));
  r = sshd("Failed none for invalid user  from 198.51.100.23 port 41822 ssh2");
  EXPECT_EQ(attr(r, "user.name"), "<missing>");  // an empty user name
  EXPECT_EQ(attr(r, "sshd.auth.method"), "none");
  r = sshd("Failed keyboard-interactive/pam for carol from 192.0.2.9 port 1 ssh2");
  EXPECT_EQ(attr(r, "sshd.auth.method"), "keyboard-interactive/pam");
  EXPECT_EQ(attr(r, "sshd.invalid_user"), "<missing>");
  r = sshd("Postponed publickey for dave from 192.0.2.9 port 1 ssh2 [preauth]");
  EXPECT_EQ(attr(r, "sshd.event"), "postponed");
  r = sshd("Partial publickey for dave from 192.0.2.9 port 1 ssh2: RSA SHA256:abc");
  EXPECT_EQ(attr(r, "sshd.event"), "partial");
  EXPECT_EQ(attr(r, "sshd.key.type"), "RSA");
}

TEST(SshdPreset, UserNamesAreTakenFromTheRight) {
  // An attacker-chosen user name that imitates the end of the line: the
  // address and port are the last ones, which sshd wrote.
  LogRecord r = sshd("Failed password for invalid user x from 1.1.1.1 port 1 ssh2 from 203.0.113.66 port 5555 ssh2");
  EXPECT_EQ(attr(r, "user.name"), "x from 1.1.1.1 port 1 ssh2");
  EXPECT_EQ(attr(r, "client.address"), "203.0.113.66");
  EXPECT_EQ(attr(r, "client.port"), "5555");
  r = sshd("Invalid user oracle test from 203.0.113.66 port 5555");
  EXPECT_EQ(attr(r, "user.name"), "oracle test");
}

TEST(SshdPreset, InvalidUser) {
  LogRecord r = sshd("Mar  3 01:02:03 host sshd[77]: Invalid user ubnt from 203.0.113.66 port 39810");
  EXPECT_EQ(attr(r, "sshd.event"), "invalid_user");
  EXPECT_EQ(attr(r, "user.name"), "ubnt");
  EXPECT_EQ(attr(r, "sshd.invalid_user"), "true");
  EXPECT_EQ(attr(r, "client.address"), "203.0.113.66");
  EXPECT_EQ(attr(r, "client.port"), "39810");
  r = sshd("Invalid user test9 from 52.80.34.196");  // OpenSSH before 7.5 logged no port
  EXPECT_EQ(attr(r, "client.address"), "52.80.34.196");
  EXPECT_EQ(attr(r, "client.port"), "<missing>");
}

TEST(SshdPreset, ConnectionEnds) {
  struct Case {
    std::string line, event, user, invalid, address, port;
  };
  for (const Case& c : std::vector<Case>{
           {"Connection closed by 203.0.113.66 port 39810 [preauth]", "closed", "<missing>", "<missing>",
            "203.0.113.66", "39810"},
           {"Connection closed by authenticating user root 203.0.113.66 port 39810 [preauth]", "closed", "root",
            "<missing>", "203.0.113.66", "39810"},
           {"Connection closed by invalid user admin 203.0.113.66 port 39810 [preauth]", "closed", "admin", "true",
            "203.0.113.66", "39810"},
           {"Connection reset by 2001:db8::1 port 22 [preauth]", "reset", "<missing>", "<missing>", "2001:db8::1",
            "22"},
           {"Disconnected from user alice 192.0.2.4 port 51234", "disconnected", "alice", "<missing>", "192.0.2.4",
            "51234"},
           {"Disconnected from invalid user guest 192.0.2.4 port 51234 [preauth]", "disconnected", "guest", "true",
            "192.0.2.4", "51234"},
           {"Disconnected from authenticating user root 192.0.2.4 port 51234 [preauth]", "disconnected", "root",
            "<missing>", "192.0.2.4", "51234"},
       }) {
    LogRecord r = sshd(c.line);
    EXPECT_EQ(attr(r, "parse.error"), "<missing>") << c.line;
    EXPECT_EQ(attr(r, "sshd.event"), c.event) << c.line;
    EXPECT_EQ(attr(r, "user.name"), c.user) << c.line;
    EXPECT_EQ(attr(r, "sshd.invalid_user"), c.invalid) << c.line;
    EXPECT_EQ(attr(r, "client.address"), c.address) << c.line;
    EXPECT_EQ(attr(r, "client.port"), c.port) << c.line;
  }
}

TEST(SshdPreset, DisconnectsWithReasonsAndPreauthFailures) {
  LogRecord r = sshd("Received disconnect from 203.0.113.66 port 53458:11: Bye Bye [preauth]");
  EXPECT_EQ(attr(r, "sshd.event"), "received_disconnect");
  EXPECT_EQ(attr(r, "client.address"), "203.0.113.66");
  EXPECT_EQ(attr(r, "client.port"), "53458");
  EXPECT_EQ(attr(r, "sshd.disconnect.code"), "11");
  EXPECT_EQ(attr(r, "sshd.reason"), "Bye Bye");
  r = sshd("Received disconnect from 192.0.2.4 port 51234:11: disconnected by user");
  EXPECT_EQ(attr(r, "sshd.reason"), "disconnected by user");
  r = sshd("Disconnecting invalid user admin 203.0.113.66 port 5555: Too many authentication failures [preauth]");
  EXPECT_EQ(attr(r, "sshd.event"), "disconnecting");
  EXPECT_EQ(attr(r, "user.name"), "admin");
  EXPECT_EQ(attr(r, "sshd.invalid_user"), "true");
  EXPECT_EQ(attr(r, "sshd.reason"), "Too many authentication failures");
  r = sshd(
      "error: maximum authentication attempts exceeded for invalid user admin from 203.0.113.66 port 5555 ssh2 "
      "[preauth]");
  EXPECT_EQ(attr(r, "sshd.event"), "max_auth_attempts");
  EXPECT_EQ(attr(r, "user.name"), "admin");
  EXPECT_EQ(attr(r, "sshd.invalid_user"), "true");
  EXPECT_EQ(attr(r, "client.port"), "5555");
  r = sshd("Did not receive identification string from 203.0.113.66 port 60000");
  EXPECT_EQ(attr(r, "sshd.event"), "no_identification");
  EXPECT_EQ(attr(r, "client.address"), "203.0.113.66");
  r = sshd(
      "Unable to negotiate with 203.0.113.66 port 60000: no matching key exchange method found. Their offer: "
      "diffie-hellman-group1-sha1 [preauth]");
  EXPECT_EQ(attr(r, "sshd.event"), "negotiation_failed");
  EXPECT_EQ(attr(r, "sshd.reason"), "no matching key exchange method found. Their offer: diffie-hellman-group1-sha1");
  r = sshd("fatal: Timeout before authentication for 203.0.113.66 port 60000");
  EXPECT_EQ(attr(r, "sshd.event"), "preauth_timeout");
  EXPECT_EQ(attr(r, "client.port"), "60000");
}

TEST(SshdPreset, OtherLinesDoNotMatch) {
  for (std::string line : {
           "Server listening on 0.0.0.0 port 22.",
           "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
           "Nov 21 14:30:09 host CRON[99]: Accepted password for x from 1.2.3.4 port 1 ssh2",
           "Nov 21 14:30:09 host sshd[1]: Server listening on :: port 22.",
           "Accepted password for bob from 1.2.3.4 port x ssh2",
           "",
       }) {
    LogRecord r = sshd(line);
    EXPECT_EQ(r.attributes, (KeyValues{{"parse.error", "parse_regex: line does not match preset sshd"}})) << line;
  }
}

TEST(SshdPreset, ScannerAgreesWithPattern) {
  using parse_regex_detail::kSshd;
  RE2 re(std::string(kSshd.pattern), parse_regex_detail::preset_re2_options());
  ASSERT_TRUE(re.ok()) << re.error();
  std::vector<std::string> lines = {
      "Nov 21 14:30:09 bastion sshd[1234]: Accepted publickey for alice from 203.0.113.5 port 50522 ssh2: ED25519 "
      "SHA256:pE2ZdTjK0p1bX9vYbq9Xl1u3C5vj7y1Hh0mW4Xo0Z2E",
      "<38>2026-11-21T14:30:09.123456+00:00 web1 sshd-session[88]: Failed password for root from 192.0.2.1 port 1 ssh2",
      "2026-11-21T14:30:09Z h sshd-auth: Failed none for invalid user  from 198.51.100.23 port 41822 ssh2 [preauth]",
      "Failed password for invalid user x from 1.1.1.1 port 1 ssh2 from 203.0.113.66 port 5555 ssh2",
      "Partial publickey for dave from 192.0.2.9 port 1 ssh2: RSA SHA256:abc",
      "Mar  3 01:02:03 host sshd[77]: Invalid user ubnt from 203.0.113.66 port 39810",
      "Invalid user test9 from 52.80.34.196",
      "Connection closed by authenticating user root 203.0.113.66 port 39810 [preauth]",
      "Connection reset by 2001:db8::1 port 22 [preauth]",
      "Disconnected from user a b 192.0.2.4 port 51234",
      "Disconnected from invalid user guest 192.0.2.4 port 51234 [preauth]",
      "Connection closed by authenticatinguser root 1.2.3.4 port 1",
      "Received disconnect from 203.0.113.66 port 53458:11: Bye Bye [preauth]",
      "Received disconnect from user x 1.2.3.4 port 5:11: [preauth]",
      "Disconnecting invalid user admin 203.0.113.66 port 5555: Too many authentication failures [preauth]",
      "error: maximum authentication attempts exceeded for invalid user admin from 203.0.113.66 port 5555 ssh2 "
      "[preauth]",
      "Did not receive identification string from 203.0.113.66 port 60000",
      "Unable to negotiate with 203.0.113.66 port 60000: no matching key exchange method found. [preauth]",
      "fatal: Timeout before authentication for 203.0.113.66 port 60000",
      "Nov 21 14:30:09 host sshd[1]: Server listening on :: port 22.",
      "",
  };
  uint64_t seed = 0x9e3779b97f4a7c15;
  auto next = [&] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  static constexpr char kAlphabet[] = " :[]-<>.0123456789aZT\t\n\r\f\x0b\xff";
  static const char* kWords[] = {" from ", " port ", " ssh2", ": ", " [preauth]", "user ", "invalid user ", "error: "};
  for (size_t i = 0; i < 50'000; ++i) {
    std::string line = lines[next() % lines.size()];
    int edits = 1 + static_cast<int>(next() % 3);
    for (int e = 0; e < edits && i >= lines.size(); ++e) {
      size_t pos = line.empty() ? 0 : next() % line.size();
      switch (next() % 4) {
        case 0:
          if (!line.empty()) line[pos] = kAlphabet[next() % (sizeof kAlphabet - 1)];
          break;
        case 1:
          line.insert(pos, 1, kAlphabet[next() % (sizeof kAlphabet - 1)]);
          break;
        case 2:
          line.insert(pos, kWords[next() % 8]);
          break;
        default:
          line.resize(pos);
          break;
      }
    }
    std::string diff = parse_regex_detail::compare_scan_with_re2(kSshd, re, line);
    ASSERT_EQ(diff, "") << "line: " << line;
  }
}

TEST(SshdPreset, PatternCompilesInLatin1) {
  const auto* p = parse_regex_detail::find_preset("sshd");
  ASSERT_NE(p, nullptr);
  RE2 re(std::string(p->pattern), parse_regex_detail::preset_re2_options());
  EXPECT_TRUE(re.ok()) << re.error();
  EXPECT_EQ(parse_regex_preset_names(),
            (std::vector<std::string>{"linux_kernel", "nginx_combined", "sshd", "syslog_rfc3164"}));
}

}  // namespace
}  // namespace sluice
