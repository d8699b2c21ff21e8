// Internals of the sshd preset shared by sshd.cpp (pattern, fields) and
// sshd_scan.cpp (the hand-written matcher). Not part of the preset API.
//
// Thread-safety: groups() is built once (thread-safe static), then read.
#pragma once

#include <re2/re2.h>

#include <string_view>

namespace sluice::parse_regex_detail::sshd {

/// The preset's RE2 pattern (the specification of what matches).
extern const std::string_view kPattern;

/// Group numbers of one peer (SSHD_PEER).
struct Peer {
  int who, user, addr, port;
};

/// The numbers of the pattern's named groups.
struct Groups {
  int count;  // capturing groups
  int pri, ts3164, ts3339, host, tag, pid, msg_at;
  int auth, auth_method, auth_invalid, auth_user, auth_addr, auth_port, auth_key_type, auth_key_fp;
  int inv_user, inv_addr, inv_port;
  int end;
  Peer end_peer, dis_peer, rd_peer, neg_peer;
  int dis_reason, rd_code, rd_reason;
  int max_invalid, max_user, max_addr, max_port;
  int ni_addr, ni_port;
  int neg_reason;
  int to_addr, to_port;
};

/// The group numbers, looked up once by name from the compiled pattern.
const Groups& groups();

/// kPattern matched by hand (Preset::scan): exactly RE2's answer.
bool scan(std::string_view text, re2::StringPiece* groups);

}  // namespace sluice::parse_regex_detail::sshd
