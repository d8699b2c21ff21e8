#include "pipeline/sources/fluent/forward_decoder.hpp"

#include <gtest/gtest.h>

#include <map>
#include <msgpack.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "common/compression.hpp"

namespace sluice {
namespace {

using namespace std::string_literals;

using Packer = msgpack::packer<msgpack::sbuffer>;

std::string str(const msgpack::sbuffer& b) { return std::string(b.data(), b.size()); }

template <class T>
std::string pack(const T& v) {
  msgpack::sbuffer b;
  msgpack::pack(b, v);
  return str(b);
}

// EventTime as fixext8 (0xd7 0x00 + be32 seconds + be32 nanoseconds).
void pack_event_time(Packer& pk, uint32_t s, uint32_t ns) {
  char d[8];
  for (int i = 0; i < 4; ++i) {
    d[i] = static_cast<char>(s >> (24 - 8 * i));
    d[4 + i] = static_cast<char>(ns >> (24 - 8 * i));
  }
  pk.pack_ext(8, 0);
  pk.pack_ext_body(d, 8);
}

// EventTime as ext8 (0xc7 0x08 0x00 ...), the other form the specification allows.
std::string ext8_event_time(uint32_t s, uint32_t ns) {
  std::string out = "\xc7\x08";
  out += '\0';
  for (int i = 0; i < 4; ++i) out += static_cast<char>(s >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) out += static_cast<char>(ns >> (24 - 8 * i));
  return out;
}

// A record {"message": <msg>, "n": <n>}.
void pack_record(Packer& pk, const std::string& msg, int n) {
  pk.pack_map(2);
  pk.pack(std::string("message"));
  pk.pack(msg);
  pk.pack(std::string("n"));
  pk.pack(n);
}

// Concatenated [time, record] entries, as PackedForward carries them.
std::string packed_entries(int count, uint32_t t0) {
  msgpack::sbuffer b;
  Packer pk(b);
  for (int i = 0; i < count; ++i) {
    pk.pack_array(2);
    pack_event_time(pk, t0 + i, 123456789);
    pack_record(pk, "packed " + std::to_string(i), i);
  }
  return str(b);
}

std::string message_mode(const std::string& tag, uint32_t t, const std::string& msg, const std::string& chunk = "") {
  msgpack::sbuffer b;
  Packer pk(b);
  pk.pack_array(chunk.empty() ? 3 : 4);
  pk.pack(tag);
  pk.pack(t);
  pack_record(pk, msg, 1);
  if (!chunk.empty()) {
    pk.pack_map(1);
    pk.pack(std::string("chunk"));
    pk.pack(chunk);
  }
  return str(b);
}

std::string forward_mode(const std::string& tag, int count, uint32_t t0) {
  msgpack::sbuffer b;
  Packer pk(b);
  pk.pack_array(3);
  pk.pack(tag);
  pk.pack_array(count);
  for (int i = 0; i < count; ++i) {
    pk.pack_array(2);
    pack_event_time(pk, t0 + i, 5);
    pack_record(pk, "fwd " + std::to_string(i), i);
  }
  pk.pack_map(1);
  pk.pack(std::string("size"));
  pk.pack(count);
  return str(b);
}

std::string packed_mode(const std::string& tag, const std::string& entries, bool as_bin,
                        const std::map<std::string, std::string>& option = {}) {
  msgpack::sbuffer b;
  Packer pk(b);
  pk.pack_array(option.empty() ? 2 : 3);
  pk.pack(tag);
  if (as_bin) {
    pk.pack_bin(static_cast<uint32_t>(entries.size()));
    pk.pack_bin_body(entries.data(), static_cast<uint32_t>(entries.size()));
  } else {
    pk.pack_str(static_cast<uint32_t>(entries.size()));
    pk.pack_str_body(entries.data(), static_cast<uint32_t>(entries.size()));
  }
  if (!option.empty()) pk.pack(option);
  return str(b);
}

struct Decoded {
  std::string tag;
  ForwardMode mode;
  std::string chunk;
  std::vector<ForwardEvent> events;
};

Result<std::vector<Decoded>> drain(ForwardDecoder& d) {
  std::vector<Decoded> out;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(std::optional<ForwardMessage> m, d.next());
    if (!m) return out;
    if (m->kind() != ForwardMessage::Kind::kEvents) continue;
    Decoded x{m->tag(), m->mode(), m->chunk(), {}};
    ForwardEvent e;
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(bool more, m->next_event(&e));
      if (!more) break;
      x.events.push_back(std::move(e));
    }
    out.push_back(std::move(x));
  }
}

Result<std::vector<Decoded>> decode_all(std::string_view stream, ForwardDecoderLimits limits = {}) {
  ForwardDecoder d(limits);
  SLUICE_RETURN_IF_ERROR(d.feed(stream));
  return drain(d);
}

Status decode_error(std::string_view stream, ForwardDecoderLimits limits = {}) {
  auto r = decode_all(stream, limits);
  return r.ok() ? Status::Ok() : r.status();
}

const std::string* field(const ForwardEvent& e, const std::string& k) { return find_key_value(e.record, k); }

TEST(ForwardDecoder, MessageModeWithIntegerTimeAndChunk) {
  auto r = decode_all(message_mode("app.access", 1441588984, "bar", "p8n9gmxTQVC8/nh2wlKKeQ=="));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 1u);
  const Decoded& m = (*r)[0];
  EXPECT_EQ(m.tag, "app.access");
  EXPECT_EQ(m.mode, ForwardMode::kMessage);
  EXPECT_EQ(m.chunk, pack(std::string("p8n9gmxTQVC8/nh2wlKKeQ==")));
  ASSERT_EQ(m.events.size(), 1u);
  EXPECT_EQ(m.events[0].time_ns, 1441588984LL * 1000000000);
  EXPECT_EQ(*field(m.events[0], "message"), "bar");
  EXPECT_EQ(*field(m.events[0], "n"), "1");
}

TEST(ForwardDecoder, ForwardModeWithEventTime) {
  auto r = decode_all(forward_mode("fwd.tag", 3, 1700000000));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].mode, ForwardMode::kForward);
  EXPECT_TRUE((*r)[0].chunk.empty());
  ASSERT_EQ((*r)[0].events.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*r)[0].events[i].time_ns, (1700000000LL + i) * 1000000000 + 5);
    EXPECT_EQ(*field((*r)[0].events[i], "message"), "fwd " + std::to_string(i));
  }
}

TEST(ForwardDecoder, PackedForwardAsBinAndAsStr) {
  for (bool as_bin : {true, false}) {
    auto r = decode_all(packed_mode("packed", packed_entries(4, 1600000000), as_bin));
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].mode, ForwardMode::kPackedForward);
    ASSERT_EQ((*r)[0].events.size(), 4u);
    EXPECT_EQ((*r)[0].events[3].time_ns, 1600000003LL * 1000000000 + 123456789);
    EXPECT_EQ(*field((*r)[0].events[3], "message"), "packed 3");
  }
}

TEST(ForwardDecoder, CompressedPackedForwardWithConcatenatedGzipMembers) {
  std::string a = packed_entries(2, 1000), b = packed_entries(3, 2000);
  std::string gz = *compress(Compression::kGzip, a) + *compress(Compression::kGzip, b);
  auto r = decode_all(packed_mode("gz", gz, true, {{"compressed", "gzip"}, {"chunk", "c1"}}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].mode, ForwardMode::kCompressedPackedForward);
  EXPECT_EQ((*r)[0].chunk, pack(std::string("c1")));
  ASSERT_EQ((*r)[0].events.size(), 5u);
  EXPECT_EQ((*r)[0].events[1].time_ns, 1001LL * 1000000000 + 123456789);
  EXPECT_EQ((*r)[0].events[4].time_ns, 2002LL * 1000000000 + 123456789);
}

TEST(ForwardDecoder, DecompressionIsCapped) {
  std::string big = packed_entries(2000, 1);
  std::string gz = *compress(Compression::kGzip, big);
  ForwardDecoderLimits limits;
  limits.max_decompressed_bytes = big.size() / 2;
  Status st = decode_error(packed_mode("gz", gz, true, {{"compressed", "gzip"}}), limits);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.to_string();
  EXPECT_NE(st.message().find("max_decompressed_bytes"), std::string::npos) << st.to_string();
}

TEST(ForwardDecoder, CorruptGzipNamesTheMessage) {
  std::string gz = *compress(Compression::kGzip, packed_entries(3, 1));
  gz[gz.size() / 2] ^= 0x55;
  gz.resize(gz.size() - 4);
  const std::string first = message_mode("a", 1, "x");
  Status st = decode_error(first + packed_mode("gz", gz, true, {{"compressed", "gzip"}}));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.to_string();
  // The entries follow the array header (1 byte) and the tag "gz" (3 bytes).
  EXPECT_NE(st.message().find("byte " + std::to_string(first.size() + 4) + ": gzip entries of CompressedPackedForward"),
            std::string::npos)
      << st.to_string();
}

TEST(ForwardDecoder, EventTimeAsExt8AndFluentBitMetadata) {
  // [tag, [[[EventTime(ext8), {"k": "v"}], {"log": "x"}]]]
  std::string s = "\x92\xa1t\x91\x92\x92" + ext8_event_time(7, 8) + "\x81\xa1k\xa1v" + "\x81\xa3log\xa1x";
  auto r = decode_all(s);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ((*r)[0].events.size(), 1u);
  const ForwardEvent& e = (*r)[0].events[0];
  EXPECT_EQ(e.time_ns, 7000000008);
  EXPECT_EQ(*find_key_value(e.metadata, "k"), "v");
  EXPECT_EQ(*field(e, "log"), "x");
}

TEST(ForwardDecoder, NilAndZeroAndFloatTimes) {
  msgpack::sbuffer b;
  Packer pk(b);
  pk.pack_array(3);
  pk.pack(std::string("t"));
  pk.pack_array(3);
  for (int i = 0; i < 3; ++i) {
    pk.pack_array(2);
    if (i == 0) pk.pack_nil();
    if (i == 1) pk.pack(0);
    if (i == 2) pk.pack(1.5);
    pk.pack_map(0);
  }
  pk.pack_nil();  // a nil option is accepted
  auto r = decode_all(str(b));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ((*r)[0].events[0].time_ns, 0);
  EXPECT_EQ((*r)[0].events[1].time_ns, 0);
  EXPECT_EQ((*r)[0].events[2].time_ns, 1500000000);
}

TEST(ForwardDecoder, RecordValuesBecomeText) {
  msgpack::sbuffer b;
  Packer pk(b);
  pk.pack_array(3);
  pk.pack(std::string("t"));
  pk.pack(1);
  pk.pack_map(9);
  pk.pack(std::string("s"));
  pk.pack(std::string("plain \"text\""));
  pk.pack(std::string("i"));
  pk.pack(-42);
  pk.pack(std::string("f"));
  pk.pack(2.5);
  pk.pack(std::string("b"));
  pk.pack(true);
  pk.pack(std::string("nil"));
  pk.pack_nil();
  pk.pack(std::string("arr"));
  pk.pack(std::make_tuple(1, std::string("a\nb"), false));
  pk.pack(std::string("map"));
  pk.pack_map(2);
  pk.pack(std::string("x"));
  pk.pack_map(1);
  pk.pack(1);  // an integer key becomes a JSON string
  pk.pack_nil();
  pk.pack(std::string("y"));
  pk.pack_bin(3);
  pk.pack_bin_body("bin", 3);
  pk.pack(std::string("bad"));
  pk.pack(std::string("ok\xff\xfe"));
  pk.pack(7);  // an integer key at the top
  pk.pack(std::string("seven"));
  auto r = decode_all(str(b));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const ForwardEvent& e = (*r)[0].events[0];
  EXPECT_EQ(*field(e, "s"), "plain \"text\"");
  EXPECT_EQ(*field(e, "i"), "-42");
  EXPECT_EQ(*field(e, "f"), "2.5");
  EXPECT_EQ(*field(e, "b"), "true");
  EXPECT_EQ(*field(e, "nil"), "null");
  EXPECT_EQ(*field(e, "arr"), "[1,\"a\\nb\",false]");
  EXPECT_EQ(*field(e, "map"), "{\"x\":{\"1\":null},\"y\":\"bin\"}");
  EXPECT_EQ(*field(e, "bad"), "ok\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(*field(e, "7"), "seven");
}

TEST(ForwardDecoder, HeartbeatAndPing) {
  msgpack::sbuffer b;
  Packer pk(b);
  pk.pack_nil();
  pk.pack(std::make_tuple(std::string("PING"), std::string("client.example"), std::string("salt"),
                          std::string("deadbeef"), std::string(""), std::string("")));
  ForwardDecoder d({});
  ASSERT_TRUE(d.feed(str(b)).ok());
  auto m1 = d.next();
  ASSERT_TRUE(m1.ok() && m1->has_value());
  EXPECT_EQ((*m1)->kind(), ForwardMessage::Kind::kHeartbeat);
  auto m2 = d.next();
  ASSERT_TRUE(m2.ok() && m2->has_value()) << m2.status().to_string();
  EXPECT_EQ((*m2)->kind(), ForwardMessage::Kind::kPing);
  EXPECT_EQ((*m2)->ping().client_hostname, "client.example");
  EXPECT_EQ((*m2)->ping().shared_key_salt, "salt");
  EXPECT_EQ((*m2)->ping().shared_key_hexdigest, "deadbeef");
  auto m3 = d.next();
  ASSERT_TRUE(m3.ok());
  EXPECT_FALSE(m3->has_value());
  EXPECT_FALSE(d.mid_message());
}

// Every mode back to back, then fed split at every byte: the same events.
TEST(ForwardDecoder, EverySplitPointGivesTheSameEvents) {
  std::string gz = *compress(Compression::kGzip, packed_entries(2, 50));
  std::string stream = message_mode("m", 10, "one", "chunk-1") + forward_mode("f", 2, 20) + std::string("\xc0") +
                       packed_mode("p", packed_entries(2, 30), true) +
                       packed_mode("c", gz, true, {{"compressed", "gzip"}});
  auto whole = decode_all(stream);
  ASSERT_TRUE(whole.ok()) << whole.status().to_string();
  ASSERT_EQ(whole->size(), 4u);
  size_t total_events = 0;
  for (const auto& m : *whole) total_events += m.events.size();
  EXPECT_EQ(total_events, 7u);
  for (size_t split = 0; split <= stream.size(); ++split) {
    ForwardDecoder d({});
    std::vector<Decoded> got;
    for (std::string_view part : {std::string_view(stream).substr(0, split), std::string_view(stream).substr(split)}) {
      ASSERT_TRUE(d.feed(part).ok()) << split;
      auto r = drain(d);
      ASSERT_TRUE(r.ok()) << split << ": " << r.status().to_string();
      for (auto& m : *r) got.push_back(std::move(m));
    }
    ASSERT_EQ(got.size(), whole->size()) << split;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].tag, (*whole)[i].tag);
      EXPECT_EQ(got[i].chunk, (*whole)[i].chunk);
      ASSERT_EQ(got[i].events.size(), (*whole)[i].events.size());
      for (size_t k = 0; k < got[i].events.size(); ++k) {
        EXPECT_EQ(got[i].events[k].time_ns, (*whole)[i].events[k].time_ns);
        EXPECT_EQ(got[i].events[k].record, (*whole)[i].events[k].record);
      }
    }
    EXPECT_FALSE(d.mid_message());
  }
  // One byte at a time.
  ForwardDecoder d({});
  size_t messages = 0;
  for (char ch : stream) {
    ASSERT_TRUE(d.feed(std::string_view(&ch, 1)).ok());
    auto r = drain(d);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    messages += r->size();
  }
  EXPECT_EQ(messages, 4u);
}

TEST(ForwardDecoder, MalformedInputNamesWhatAndWhere) {
  const std::string ok = message_mode("a", 1, "x");
  struct Case {
    std::string bytes;
    std::string expect;
    size_t at;  ///< the byte named, relative to the bad message
  };
  std::vector<Case> cases = {
      {"\x05"s, "expected a Forward request (array) or a nil heartbeat, found integer", 0},
      {"\xc1"s, "found 0xc1", 0},
      {"\x90"s, "found an empty array", 0},
      {"\x92\x01\x02"s, "expected the tag (str), found integer", 1},
      {"\x93\xa1t\x81\xa1k\xa1v\x80"s, "expected the entries (array, bin or str) or the event time", 3},
      {"\x93\xa1t\x01\xa1x"s, "expected the record (map), found str", 4},
      {"\x92\xa1t\x91\x93\x01\x80\x80"s, "expected an entry [time, record] of 2 elements, found 3", 4},
      {"\x92\xa1t\x91\x92\xa1x\x80"s, "expected the event time (integer or EventTime), found str", 5},
      {"\x93\xa1t\xd6\x00\x00\x00\x00\x01\x80"s,
       "expected EventTime (ext type 0 with 8 bytes), found ext type 0 with 4", 3},
      {"\x93\xa1t\xd7\x05\x00\x00\x00\x01\x00\x00\x00\x01\x80"s, "found ext type 5", 3},
      {"\x93\xa1t\xd7\x00\x00\x00\x00\x01\x7f\xff\xff\xff\x80"s, "nanoseconds below 1000000000", 3},
      {"\x92\xa1t\xc4\x02\x01\x80"s, "expected an entry [time, record] (array), found integer", 5},
      {"\x92\xa1t\xc4\x02\x92\x01"s, "expected the record (map), found the end of the data", 7},
      {"\x92\xa1t\xc4\x04\x92\x01\x81\xa5"s, "malformed value: it runs past the end", 8},
      {"\x94\xa1t\x01\x80\x05"s, "expected the option (map), found integer", 5},
      {"\x93\xa1t\x90\x81\xad"
       "fluent_signal\x01"s,
       "fluent_signal 0", 19},
      {"\x95\xa1t\x01\x80\x80\x80"s, "expected a Forward request of 2 to 4 elements", 0},
  };
  for (const auto& c : cases) {
    Status st = decode_error(ok + c.bytes);
    EXPECT_FALSE(st.ok()) << c.expect;
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << st.to_string();
    EXPECT_EQ(st.message().rfind("byte " + std::to_string(ok.size() + c.at) + ": ", 0), 0u) << st.to_string();
  }
}

TEST(ForwardDecoder, ErrorsInsidePackedEntriesNameTheByte) {
  std::string entries = packed_entries(2, 1) + "\x92\xa1x\x80";  // third entry: time is a str
  std::string msg = packed_mode("p", entries, true);
  Status st = decode_error(msg);
  ASSERT_FALSE(st.ok());
  const size_t time_at = msg.size() - 3;  // the last entry is 4 bytes; its time follows the array header
  EXPECT_NE(st.message().find("byte " + std::to_string(time_at) + ": expected the event time"), std::string::npos)
      << st.to_string();
}

TEST(ForwardDecoder, OversizedMessageIsRefusedFromItsHeader) {
  ForwardDecoderLimits limits;
  limits.max_frame_bytes = 1024;
  // A bin header announcing 4 KiB is refused before the bytes arrive.
  ForwardDecoder d(limits);
  Status st = d.feed(std::string("\x92\xa1t\xc5\x10\x00", 6));
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.to_string();
  EXPECT_NE(st.message().find("max_frame_bytes"), std::string::npos);
  EXPECT_EQ(d.feed("more").code(), StatusCode::kResourceExhausted);  // the stream stays failed
  // An array announcing more elements than bytes allowed.
  EXPECT_EQ(decode_error(std::string("\xdd\x00\x01\x00\x00", 5), limits).code(), StatusCode::kResourceExhausted);
  // Many small values past the limit, with no single large header.
  std::string many = "\xdc\x02\x58";  // array16 of 600 elements...
  for (int i = 0; i < 600; ++i)
    many += std::string(
        "\xa4"
        "abcd");  // ...of 5 bytes each
  EXPECT_EQ(decode_error(many, limits).code(), StatusCode::kResourceExhausted);
  // Exactly at the limit is fine.
  std::string fits = "\x92\xa1t\xc5\x03\xfa" + std::string(1018, 'x');
  ASSERT_EQ(fits.size(), 1024u);
  ForwardDecoder d2(limits);
  EXPECT_TRUE(d2.feed(fits).ok());
}

TEST(ForwardDecoder, DeepNestingIsRefused) {
  std::string deep(5000, '\x91');
  deep += '\x01';
  Status st = decode_error(deep);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.to_string();
  EXPECT_NE(st.message().find("nested deeper"), std::string::npos);
}

TEST(ForwardDecoder, CheckRemainingDoesNotMoveTheCursor) {
  std::string entries = packed_entries(3, 1);
  ForwardDecoder d({});
  ASSERT_TRUE(d.feed(packed_mode("p", entries + "\x92\x01\x01", true)).ok());
  auto m = d.next();
  ASSERT_TRUE(m.ok() && m->has_value());
  ForwardEvent e;
  ASSERT_TRUE(*(*m)->next_event(&e));
  EXPECT_FALSE((*m)->check_remaining().ok());  // the fourth entry's record is an integer
  ASSERT_TRUE(*(*m)->next_event(&e));
  EXPECT_EQ(*field(e, "message"), "packed 1");
}

TEST(ForwardDecoder, MidMessageIsReported) {
  std::string m = message_mode("a", 1, "x");
  ForwardDecoder d({});
  ASSERT_TRUE(d.feed(m + m.substr(0, 5)).ok());
  auto r = drain(d);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 1u);
  EXPECT_TRUE(d.mid_message());
  EXPECT_EQ(d.framed_offset(), m.size());
}

}  // namespace
}  // namespace sluice
