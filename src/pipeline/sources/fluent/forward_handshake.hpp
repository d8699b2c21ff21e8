// Server side of the Fluent Forward protocol v1 handshake (fluentd wiki,
// "Forward-Protocol-Specification-v1", section "Handshake Messages") and the
// ack response (section "Response"):
//
//   server -> HELO ["HELO", {"nonce": bin, "auth": "", "keepalive": true}]
//   client -> PING ["PING", client_hostname, shared_key_salt,
//                   hex(sha512(salt + client_hostname + nonce + shared_key)),
//                   username, password]
//   server -> PONG ["PONG", ok, reason, self_hostname,
//                   hex(sha512(salt + self_hostname + nonce + shared_key))]
//
// Only the shared-key authentication is implemented: "auth" is sent empty,
// so clients send no user credentials (username/password are ignored).
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <string>
#include <string_view>

#include "common/status.hpp"
#include "pipeline/sources/fluent/forward_message.hpp"

namespace sluice {

/// Bytes of the nonce sent in HELO (what fluentd and Fluent Bit use).
inline constexpr size_t kForwardNonceBytes = 16;

/// Lower-case hex of the SHA-512 digest of the concatenation of `parts`.
std::string sha512_hex_of(std::initializer_list<std::string_view> parts);

/// `n` bytes from the OS's cryptographically secure generator (OpenSSL
/// RAND_bytes). Internal when the generator fails.
Result<std::string> random_bytes(size_t n);

/// The HELO message for `nonce` (msgpack).
std::string encode_helo(std::string_view nonce);

/// Outcome of checking a PING against the server's nonce and shared key.
struct PingCheck {
  bool ok = false;
  std::string reason;  ///< why not, for the PONG and the log; empty when ok
};

/// Verifies `ping.shared_key_hexdigest` (compared in constant time,
/// case-insensitive hex).
PingCheck check_ping(const ForwardPing& ping, std::string_view nonce, std::string_view shared_key);

/// The PONG message. When `ok`, carries the server's digest over
/// `shared_key_salt` (from the PING), `self_hostname`, `nonce` and
/// `shared_key`; otherwise `reason` and an empty digest.
std::string encode_pong(bool ok, std::string_view reason, std::string_view self_hostname,
                        std::string_view shared_key_salt, std::string_view nonce, std::string_view shared_key);

/// The ack response {"ack": <chunk>} for a chunk option given as its msgpack
/// encoding (ForwardMessage::chunk()), echoed byte for byte.
std::string encode_ack(std::string_view chunk_msgpack);

}  // namespace sluice
