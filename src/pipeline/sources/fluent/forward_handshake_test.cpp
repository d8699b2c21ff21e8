#include "pipeline/sources/fluent/forward_handshake.hpp"

#include <gtest/gtest.h>

#include <msgpack.hpp>

#include "pipeline/sources/fluent/fluent_record.hpp"

namespace sluice {
namespace {

msgpack::object_handle unpack(const std::string& s) { return msgpack::unpack(s.data(), s.size()); }

std::string as_string(const msgpack::object& o) {
  if (o.type == msgpack::type::STR) return std::string(o.via.str.ptr, o.via.str.size);
  if (o.type == msgpack::type::BIN) return std::string(o.via.bin.ptr, o.via.bin.size);
  return "<not a string>";
}

TEST(ForwardHandshake, Sha512MatchesTheFipsTestVector) {
  // FIPS 180-2 appendix C.1: SHA-512("abc"), here fed in two parts.
  EXPECT_EQ(sha512_hex_of({"a", "bc"}),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(ForwardHandshake, HeloCarriesTheNonce) {
  std::string nonce = *random_bytes(kForwardNonceBytes);
  ASSERT_EQ(nonce.size(), 16u);
  EXPECT_NE(nonce, *random_bytes(kForwardNonceBytes));
  auto h = unpack(encode_helo(nonce));
  const msgpack::object& o = h.get();
  ASSERT_EQ(o.type, msgpack::type::ARRAY);
  ASSERT_EQ(o.via.array.size, 2u);
  EXPECT_EQ(as_string(o.via.array.ptr[0]), "HELO");
  const msgpack::object& opts = o.via.array.ptr[1];
  ASSERT_EQ(opts.type, msgpack::type::MAP);
  std::map<std::string, msgpack::object> m;
  for (uint32_t i = 0; i < opts.via.map.size; ++i) m[as_string(opts.via.map.ptr[i].key)] = opts.via.map.ptr[i].val;
  EXPECT_EQ(m["nonce"].type, msgpack::type::BIN);
  EXPECT_EQ(as_string(m["nonce"]), nonce);
  EXPECT_EQ(as_string(m["auth"]), "");
  EXPECT_EQ(m["keepalive"].type, msgpack::type::BOOLEAN);
  EXPECT_TRUE(m["keepalive"].via.boolean);
}

TEST(ForwardHandshake, PingDigestIsCheckedAndPongAnswersWithTheServerDigest) {
  const std::string nonce = "0123456789abcdef", key = "secret", salt = "salt\xff\x00salt";
  ForwardPing ping{"client.example", salt, sha512_hex_of({salt, "client.example", nonce, key}), "", ""};
  EXPECT_TRUE(check_ping(ping, nonce, key).ok);
  ForwardPing upper = ping;
  for (char& c : upper.shared_key_hexdigest) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(check_ping(upper, nonce, key).ok);
  PingCheck bad = check_ping(ping, nonce, "other key");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.reason, "shared_key mismatch");
  ForwardPing truncated = ping;
  truncated.shared_key_hexdigest.pop_back();
  EXPECT_FALSE(check_ping(truncated, nonce, key).ok);
  EXPECT_FALSE(check_ping(ping, "another nonce...", key).ok);

  auto pong = unpack(encode_pong(true, "", "server.example", salt, nonce, key));
  const msgpack::object& o = pong.get();
  ASSERT_EQ(o.via.array.size, 5u);
  EXPECT_EQ(as_string(o.via.array.ptr[0]), "PONG");
  EXPECT_TRUE(o.via.array.ptr[1].via.boolean);
  EXPECT_EQ(as_string(o.via.array.ptr[2]), "");
  EXPECT_EQ(as_string(o.via.array.ptr[3]), "server.example");
  EXPECT_EQ(as_string(o.via.array.ptr[4]), sha512_hex_of({salt, "server.example", nonce, key}));

  auto refused = unpack(encode_pong(false, "shared_key mismatch", "server.example", salt, nonce, key));
  EXPECT_FALSE(refused.get().via.array.ptr[1].via.boolean);
  EXPECT_EQ(as_string(refused.get().via.array.ptr[2]), "shared_key mismatch");
  EXPECT_EQ(as_string(refused.get().via.array.ptr[4]), "");
}

TEST(ForwardHandshake, AckEchoesTheChunkBytes) {
  msgpack::sbuffer chunk;
  msgpack::pack(chunk, std::string("p8n9gmxTQVC8/nh2wlKKeQ=="));
  auto h = unpack(encode_ack(std::string(chunk.data(), chunk.size())));
  ASSERT_EQ(h.get().type, msgpack::type::MAP);
  ASSERT_EQ(h.get().via.map.size, 1u);
  EXPECT_EQ(as_string(h.get().via.map.ptr[0].key), "ack");
  EXPECT_EQ(as_string(h.get().via.map.ptr[0].val), "p8n9gmxTQVC8/nh2wlKKeQ==");
}

TEST(FluentRecord, MapsTagTimeBodySeverityAndFields) {
  ForwardEvent e;
  e.time_ns = 1700000000123456789;
  e.record = {{"level", "warn"}, {"log", "from log"}, {"message", "hello"}, {"user", "ann"}, {"fluent.tag", "spoof"}};
  e.metadata = {{"otlp", "{}"}};
  LogRecord r = fluent_log_record("app.web", std::move(e), FluentRecordMapping{}, 42);
  EXPECT_EQ(r.timestamp_ns, 1700000000123456789);
  EXPECT_EQ(r.observed_timestamp_ns, 42);
  EXPECT_EQ(r.body, "hello");  // "message" comes before "log"
  EXPECT_EQ(r.severity_text, "warn");
  EXPECT_EQ(r.severity_number, severity_number_from_text("warn"));
  KeyValues want = {{"fluent.tag", "app.web"}, {"log", "from log"}, {"user", "ann"}, {"fluent.metadata.otlp", "{}"}};
  EXPECT_EQ(r.attributes, want);
}

TEST(FluentRecord, CustomKeysAndNoBody) {
  ForwardEvent e;
  e.record = {{"msg", "x"}, {"severity", "ERROR"}};
  FluentRecordMapping m{{"msg"}, {"lvl"}};
  LogRecord r = fluent_log_record("t", std::move(e), m, 1);
  EXPECT_EQ(r.body, "x");
  EXPECT_EQ(r.severity_number, 0);
  EXPECT_EQ(*find_key_value(r.attributes, "severity"), "ERROR");

  ForwardEvent bare;
  bare.record = {{"k", "v"}};
  LogRecord b = fluent_log_record("t", std::move(bare), FluentRecordMapping{}, 1);
  EXPECT_EQ(b.body, "");
  EXPECT_EQ(b.attributes.size(), 2u);
}

}  // namespace
}  // namespace sluice
