#include "pipeline/sources/fluent/forward_handshake.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <msgpack.hpp>

namespace sluice {

namespace {

void pack_str(msgpack::packer<msgpack::sbuffer>& pk, std::string_view s) {
  pk.pack_str(static_cast<uint32_t>(s.size()));
  pk.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string sha512_hex_of(std::initializer_list<std::string_view> parts) {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha512(), nullptr) == 1;
  for (std::string_view p : parts) ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), digest, &len) == 1;
  // SHA-512 in the default provider cannot fail short of memory exhaustion;
  // an empty digest then matches nothing.
  if (!ok) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

Result<std::string> random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Status::Internal("OpenSSL RAND_bytes failed to produce a handshake nonce");
  }
  return out;
}

std::string encode_helo(std::string_view nonce) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(2);
  pack_str(pk, "HELO");
  pk.pack_map(3);
  pack_str(pk, "nonce");
  pk.pack_bin(static_cast<uint32_t>(nonce.size()));
  pk.pack_bin_body(nonce.data(), static_cast<uint32_t>(nonce.size()));
  pack_str(pk, "auth");
  pack_str(pk, "");
  pack_str(pk, "keepalive");
  pk.pack_true();
  return std::string(buf.data(), buf.size());
}

PingCheck check_ping(const ForwardPing& ping, std::string_view nonce, std::string_view shared_key) {
  std::string expected = sha512_hex_of({ping.shared_key_salt, ping.client_hostname, nonce, shared_key});
  std::string got = lower(ping.shared_key_hexdigest);
  if (expected.empty() || got.size() != expected.size() ||
      CRYPTO_memcmp(got.data(), expected.data(), expected.size()) != 0) {
    return {false, "shared_key mismatch"};
  }
  return {true, ""};
}

std::string encode_pong(bool ok, std::string_view reason, std::string_view self_hostname,
                        std::string_view shared_key_salt, std::string_view nonce, std::string_view shared_key) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(5);
  pack_str(pk, "PONG");
  if (ok) {
    pk.pack_true();
  } else {
    pk.pack_false();
  }
  pack_str(pk, ok ? "" : reason);
  pack_str(pk, self_hostname);
  pack_str(pk, ok ? sha512_hex_of({shared_key_salt, self_hostname, nonce, shared_key}) : "");
  return std::string(buf.data(), buf.size());
}

std::string encode_ack(std::string_view chunk_msgpack) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(1);
  pack_str(pk, "ack");
  std::string out(buf.data(), buf.size());
  out.append(chunk_msgpack);
  return out;
}

}  // namespace sluice
