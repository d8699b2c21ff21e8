#include "pipeline/sources/otlp/otlp_logs_wire_decode.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;

constexpr int64_t kReceived = 1700000000123456789;

/// The wire decoder takes `bytes` and agrees with the protobuf library.
void expect_same(const std::string& bytes, const OtlpLimits& limits = {}) {
  auto fast = decode_otlp_logs_wire(bytes, kReceived, limits);
  auto ref = decode_otlp_logs_proto_reference(bytes, kReceived, limits);
  ASSERT_TRUE(fast.has_value());
  ASSERT_TRUE(ref.ok()) << ref.status().to_string();
  EXPECT_EQ(fast->records, ref->records);
  EXPECT_EQ(fast->rejected, ref->rejected);
  EXPECT_EQ(fast->rejected_reason, ref->rejected_reason);
  EXPECT_EQ(fast->sluice_positions, ref->sluice_positions);
}

/// Where the wire decoder takes a request, it agrees with the library.
void expect_same_or_declined(const std::string& bytes, const OtlpLimits& limits = {}) {
  auto fast = decode_otlp_logs_wire(bytes, kReceived, limits);
  if (!fast) return;
  auto ref = decode_otlp_logs_proto_reference(bytes, kReceived, limits);
  ASSERT_TRUE(ref.ok()) << ref.status().to_string();
  ASSERT_EQ(fast->records, ref->records);
  ASSERT_EQ(fast->rejected, ref->rejected);
  ASSERT_EQ(fast->rejected_reason, ref->rejected_reason);
  ASSERT_EQ(fast->sluice_positions, ref->sluice_positions);
}

/// A random AnyValue of every kind, nested up to `depth`.
void random_value(std::mt19937& rng, AnyValue* v, int depth) {
  static const char* kTexts[] = {"", "GET", "caf\xc3\xa9", "a \"quoted\"\n line", "/api/v1/x?y=1"};
  switch (rng() % (depth > 0 ? 9 : 7)) {
    case 0:
    case 1:
      v->set_string_value(kTexts[rng() % 5]);
      break;
    case 2:
      v->set_bool_value(rng() % 2 == 0);
      break;
    case 3:
      v->set_int_value(static_cast<int64_t>(rng()) - (1LL << 31));
      break;
    case 4: {
      static const double kDoubles[] = {0.1, -2.5e300, std::nan(""), std::numeric_limits<double>::infinity(), 3.0};
      v->set_double_value(kDoubles[rng() % 5]);
      break;
    }
    case 5:
      v->set_bytes_value(std::string("\x00\xff\x10", rng() % 4));
      break;
    case 6:
      break;  // no value
    case 7:
      for (int i = static_cast<int>(rng() % 3); i > 0; --i)
        random_value(rng, v->mutable_array_value()->add_values(), depth - 1);
      if (!v->has_array_value()) v->mutable_array_value();
      break;
    default:
      for (int i = static_cast<int>(rng() % 3); i > 0; --i) {
        auto* kv = v->mutable_kvlist_value()->add_values();
        kv->set_key(kTexts[rng() % 5]);
        if (rng() % 4 != 0) random_value(rng, kv->mutable_value(), depth - 1);
      }
      if (!v->has_kvlist_value()) v->mutable_kvlist_value();
  }
}

void random_attributes(std::mt19937& rng, google::protobuf::RepeatedPtrField<KeyValue>* kvs, int n) {
  static const char* kKeys[] = {"service.name", "http.request.method", "url.path", "event.name", "k"};
  for (int i = 0; i < n; ++i) {
    auto* kv = kvs->Add();
    kv->set_key(kKeys[rng() % 5]);  // repeated keys on purpose
    if (rng() % 8 != 0) random_value(rng, kv->mutable_value(), 2);
  }
}

ExportLogsServiceRequest random_request(std::mt19937& rng) {
  ExportLogsServiceRequest req;
  for (int r = static_cast<int>(rng() % 3); r >= 0; --r) {
    auto* rl = req.add_resource_logs();
    if (rng() % 4 != 0)
      random_attributes(rng, rl->mutable_resource()->mutable_attributes(), static_cast<int>(rng() % 4));
    if (rng() % 3 == 0) rl->set_schema_url("https://opentelemetry.io/schemas/1.24.0");
    for (int s = static_cast<int>(rng() % 3); s >= 0; --s) {
      auto* sl = rl->add_scope_logs();
      if (rng() % 2 == 0) {
        sl->mutable_scope()->set_name("lib");
        sl->mutable_scope()->set_version(rng() % 2 == 0 ? "1.0" : "");
        random_attributes(rng, sl->mutable_scope()->mutable_attributes(), static_cast<int>(rng() % 2));
      }
      for (int l = static_cast<int>(rng() % 4); l > 0; --l) {
        auto* lr = sl->add_log_records();
        if (rng() % 4 != 0) lr->set_time_unix_nano(1700000000000000000ULL + rng());
        if (rng() % 4 != 0) lr->set_observed_time_unix_nano(1700000000000000000ULL + rng());
        if (rng() % 20 == 0) lr->set_time_unix_nano(~0ULL);  // rejected: past int64
        int sev[] = {0, 9, 17, 24, 25, -1};
        lr->set_severity_number(static_cast<opentelemetry::proto::logs::v1::SeverityNumber>(sev[rng() % 6]));
        if (rng() % 2 == 0) lr->set_severity_text(rng() % 2 == 0 ? "warning" : "INFO");
        if (rng() % 4 != 0) random_value(rng, lr->mutable_body(), 3);
        random_attributes(rng, lr->mutable_attributes(), static_cast<int>(rng() % 6));
        if (rng() % 3 == 0) lr->set_trace_id(std::string(rng() % 10 == 0 ? 5 : 16, static_cast<char>(rng() % 3)));
        if (rng() % 3 == 0) lr->set_span_id(std::string(8, '\x42'));
        if (rng() % 3 == 0) lr->set_event_name("order.placed");
        lr->set_flags(static_cast<uint32_t>(rng()));
      }
    }
  }
  return req;
}

TEST(OtlpLogsWireDecode, AgreesWithTheProtobufLibraryOnRandomRequests) {
  std::mt19937 rng(20261121);
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = random_request(rng).SerializeAsString();
    if (i % 5 == 0) {
      std::string positions = R"({"app":{"k":1}})";
      bytes += '\x82';  // field 1000000, wire type 2: (1000000 << 3 | 2) as a varint
      bytes += '\xa4';
      bytes += '\xe8';
      bytes += '\x03';
      bytes += static_cast<char>(positions.size());
      bytes += positions;
    }
    SCOPED_TRACE(i);
    expect_same(bytes);
  }
}

TEST(OtlpLogsWireDecode, KeysShiftedByOptionalAttributesAndABadKeyAfterThem) {
  // Records repeat their keys with optional ones left out (the decoder takes
  // a key from the keys near its position in the records before); a key
  // that is not UTF-8 is still refused when it comes after valid ones, and
  // one that is a prefix or an extension of a known key is not taken for it.
  ExportLogsServiceRequest req;
  auto* sl = req.add_resource_logs()->add_scope_logs();
  const std::vector<std::string> keys = {"client.address",     "user.name", "http.request.method",
                                         "url.path",           "url.query", "http.response.status_code",
                                         "user_agent.original"};
  for (int r = 0; r < 64; ++r) {
    auto* lr = sl->add_log_records();
    for (size_t k = 0; k < keys.size(); ++k) {
      if ((r >> k) % 2 == 1 && k % 2 == 1) continue;  // optional attributes come and go
      auto* kv = lr->add_attributes();
      kv->set_key(r % 7 == 3 && k == 2 ? "http.request.metho" : r % 11 == 5 && k == 3 ? "url.paths" : keys[k]);
      kv->mutable_value()->set_string_value(std::to_string(r * 10 + static_cast<int>(k)));
    }
  }
  std::string good = req.SerializeAsString();
  expect_same(good);
  auto fast = decode_otlp_logs_wire(good, kReceived, {});
  ASSERT_TRUE(fast.has_value());
  ASSERT_EQ(fast->records.size(), 64u);
  EXPECT_EQ(*find_key_value(fast->records[3].attributes, "http.request.metho"), "32");
  EXPECT_EQ(find_key_value(fast->records[3].attributes, "http.request.method"), nullptr);
  EXPECT_EQ(*find_key_value(fast->records[5].attributes, "url.paths"), "53");

  auto* bad = sl->add_log_records()->add_attributes();
  bad->set_key("client.address");
  bad->mutable_value()->set_string_value("x");
  std::string bytes = req.SerializeAsString();
  size_t at = bytes.rfind("client.address");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 6] = '\xff';  // "client\xffaddress": not UTF-8, same length as a known key
  EXPECT_FALSE(decode_otlp_logs_wire(bytes, kReceived, {}).has_value());
  EXPECT_FALSE(decode_otlp_logs_proto_reference(bytes, kReceived, {}).ok());
}

/// A request of `rounds` times one record per shape, each with the keys of
/// its shape, in order, and the values "round.record.key" (record and key
/// counted within the round).
std::string records_with_keys(const std::vector<std::vector<std::string>>& shapes, int rounds) {
  ExportLogsServiceRequest req;
  auto* sl = req.add_resource_logs()->add_scope_logs();
  for (int round = 0; round < rounds; ++round) {
    for (size_t r = 0; r < shapes.size(); ++r) {
      auto* lr = sl->add_log_records();
      for (size_t k = 0; k < shapes[r].size(); ++k) {
        auto* kv = lr->add_attributes();
        kv->set_key(shapes[r][k]);
        kv->mutable_value()->set_string_value(std::to_string(round) + "." + std::to_string(r) + "." +
                                              std::to_string(k));
      }
    }
  }
  return req.SerializeAsString();
}

TEST(OtlpLogsWireDecode, RepeatedKeysBetweenRecordsWithTheSameKeys) {
  // The decoder remembers that the keys at their usual positions were
  // distinct; records that repeat a key, or put a new key in a known
  // position, between records with the usual keys must still be
  // deduplicated as the library does (the last value, at the first
  // position).
  const std::vector<std::vector<std::string>> shapes = {
      {"a.key.of.ten", "b.key.of.ten", "c.key.of.ten"},  // the usual keys
      {"a.key.of.ten", "b.key.of.ten", "a.key.of.ten"},  // a repeated key in a known key's place
      {"a.key.of.ten", "b.key.of.ten", "c.key.of.ten"},
      {"a.key.of.ten", "a.key.of.ten", "c.key.of.ten"},
      {"a.key.of.ten", "b.key.of.ten", "c.key.of.ten", "c.key.of.ten"},
      {"a.key.of.ten", "new.key", "c.key.of.ten"},  // a new key replaces a known one
      {"a.key.of.ten", "new.key", "new.key"},
      {"a.key.of.ten", "b.key.of.ten", "c.key.of.ten"},
      {"a.key.of.ten", "b.key.of.ten", "b.key.of.ten"},
      {"k0", "k1", "k2", "k3", "k4", "k5", "k6"},
      // k0 again, out of the reach of its known position: it becomes the
      // known key of position 6, so the known keys repeat one.
      {"k0", "k1", "k2", "k3", "k4", "k5", "k0"},
      {"k0", "k1", "k2", "k3", "k4", "k5", "k0"},
  };
  std::string bytes = records_with_keys(shapes, 3);
  expect_same(bytes);
  auto fast = decode_otlp_logs_wire(bytes, kReceived, {});
  ASSERT_TRUE(fast.has_value());
  ASSERT_EQ(fast->records.size(), 3 * shapes.size());
  EXPECT_EQ(fast->records[1].attributes.size(), 2u);
  EXPECT_EQ(*find_key_value(fast->records[1].attributes, "a.key.of.ten"), "0.1.2");
  EXPECT_EQ(fast->records[8].attributes.size(), 2u);
  EXPECT_EQ(*find_key_value(fast->records[8].attributes, "b.key.of.ten"), "0.8.2");
  EXPECT_EQ(fast->records[11].attributes.size(), 6u);
  EXPECT_EQ(*find_key_value(fast->records[11].attributes, "k0"), "0.11.6");
}

TEST(OtlpLogsWireDecode, KeysOfTheSameLengthThatDifferLateAndKeysTooLongToIntern) {
  // Keys compared a word at a time must differ at any byte, the last word
  // overlapping the one before; keys over 256 bytes are owned, not
  // interned, repeated across and within records, and in place while the
  // known keys grow (their views must stay valid).
  const std::string long_a(300, 'a'), long_b = std::string(299, 'a') + "b";
  const std::vector<std::vector<std::string>> shapes = {
      {"abcdefghijkl", "abcdefghijklmnopq", "abcdefghijklmnopqrstuvwx", long_a},
      {"abcdefghijkm", "abcdefghijklmnopr", "abcdefghijklmnopqrstuvwy", long_b},  // each differs in its last byte
      {"abcdefghijkl", "abcdefghijklmnopq", "abcdefghijklmnopqrstuvwx", long_a},
      {long_a, "k1", long_a},  // an owned key twice
      {"abcdefghijkl", "abcdefghijklmnopq", "abcdefghijklmnopqrstuvwx", long_a, "e1", "e2", "e3", "e4", "e5", "e6",
       "e7", "e8", "e9", long_b},  // more keys: the known ones grow
      {"abcdefghijkl", "abcdefghijklmnopq", "abcdefghijklmnopqrstuvwx", long_a, "e1", "e2", "e3", "e4", "e5", "e6",
       "e7", "e8", "e9", long_b},
  };
  std::string bytes = records_with_keys(shapes, 2);
  expect_same(bytes);
  auto fast = decode_otlp_logs_wire(bytes, kReceived, {});
  ASSERT_TRUE(fast.has_value());
  ASSERT_EQ(fast->records.size(), 2 * shapes.size());
  EXPECT_EQ(*find_key_value(fast->records[1].attributes, "abcdefghijklmnopqrstuvwy"), "0.1.2");
  EXPECT_EQ(find_key_value(fast->records[1].attributes, "abcdefghijklmnopqrstuvwx"), nullptr);
  EXPECT_EQ(fast->records[3].attributes.size(), 2u);
  EXPECT_EQ(*find_key_value(fast->records[3].attributes, long_a), "0.3.2");
}

TEST(OtlpLogsWireDecode, StringAttributesInEveryShapeTheWireAllows) {
  // A string attribute is read by a shortcut when its KeyValue is exactly
  // {key, value: {string_value}}; every other shape takes the general path,
  // and both agree with the library.
  auto request = [](const std::string& key_value) {
    std::string record = "\x32" + std::string(1, static_cast<char>(key_value.size())) + key_value;  // attributes = 6
    std::string scope_logs = "\x12" + std::string(1, static_cast<char>(record.size())) + record;    // log_records = 2
    std::string resource_logs = "\x12" + std::string(1, static_cast<char>(scope_logs.size())) + scope_logs;
    return "\x0a" + std::string(1, static_cast<char>(resource_logs.size())) + resource_logs;
  };
  const std::string key = std::string("\x0a\x01k", 3);  // key = 1: "k"
  const std::string any = std::string(
      "\x12\x05\x0a\x03"
      "abc",
      7);  // value = 2: {string_value = 1: "abc"}
  const std::string abc_then_bool = std::string(
      "\x12\x07\x0a\x03"
      "abc"
      "\x10\x01",
      9);
  const std::string other_key = std::string("\x0a\x01q", 3);  // key = 1: "q"
  // Shapes the wire decoder takes (the same result as the library's).
  for (const std::string& kv : {key + any,                               // the shortcut's shape
                                any + key,                               // value first
                                key + any + std::string("\x1a\x00", 2),  // an unknown field after
                                key + std::string("\x12\x00", 2),        // an empty AnyValue
                                any,                                     // no key
                                other_key + key + any}) {                // the key twice: the last counts
    SCOPED_TRACE(testing::PrintToString(kv));
    expect_same(request(kv));
  }
  // Shapes it leaves to the library, which merges them.
  for (const std::string& kv : {key + abc_then_bool,  // a second member of the oneof
                                key + any + any}) {   // the value twice
    SCOPED_TRACE(testing::PrintToString(kv));
    EXPECT_FALSE(decode_otlp_logs_wire(request(kv), kReceived, {}).has_value());
    expect_same_or_declined(request(kv));
  }
  auto fast = decode_otlp_logs_wire(request(key + any), kReceived, {});
  ASSERT_TRUE(fast.has_value());
  ASSERT_EQ(fast->records.size(), 1u);
  EXPECT_EQ(*find_key_value(fast->records[0].attributes, "k"), "abc");
  // Not UTF-8, in the key (also in a key replaced by a later one) or in the
  // value: declined, and the library refuses it.
  const std::string bad_key = std::string("\x0a\x01\xff", 3);
  const std::string bad_value = key + std::string(
                                          "\x12\x05\x0a\x03"
                                          "a\xff"
                                          "c",
                                          7);
  for (const std::string& kv : {bad_key + any, bad_key + key + any, bad_value}) {
    SCOPED_TRACE(testing::PrintToString(kv));
    EXPECT_FALSE(decode_otlp_logs_wire(request(kv), kReceived, {}).has_value());
    EXPECT_FALSE(decode_otlp_logs_proto_reference(request(kv), kReceived, {}).ok());
  }
}

TEST(OtlpLogsWireDecode, ReadsThePositionsField) {
  std::mt19937 rng(7);
  ExportLogsServiceRequest req = random_request(rng);
  std::string bytes = req.SerializeAsString();
  ASSERT_EQ((static_cast<uint64_t>(kSluicePositionsField) << 3 | 2), 8000002u);
  bytes += std::string("\x82\xa4\xe8\x03\x02{}", 7);
  auto fast = decode_otlp_logs_wire(bytes, kReceived, {});
  ASSERT_TRUE(fast.has_value());
  EXPECT_EQ(fast->sluice_positions, "{}");
}

TEST(OtlpLogsWireDecode, MutatedBytesAreDeclinedOrDecodedAlike) {
  std::mt19937 rng(99);
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = random_request(rng).SerializeAsString();
    if (bytes.empty()) continue;
    for (int m = static_cast<int>(rng() % 3) + 1; m > 0; --m) {
      size_t at = rng() % bytes.size();
      switch (rng() % 3) {
        case 0:
          bytes[at] = static_cast<char>(rng());
          break;
        case 1:
          bytes.erase(at, 1);
          break;
        default:
          bytes.insert(at, 1, static_cast<char>(rng()));
      }
      if (bytes.empty()) break;
    }
    SCOPED_TRACE(i);
    expect_same_or_declined(bytes);
  }
}

TEST(OtlpLogsWireDecode, ResourceAfterItsScopesOnTheWire) {
  ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  rl->add_scope_logs()->add_log_records()->mutable_body()->set_string_value("x");
  std::string scope_logs = rl->SerializeAsString();
  opentelemetry::proto::resource::v1::Resource resource;
  auto* kv = resource.add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value("late");
  std::string r = resource.SerializeAsString();
  std::string rl_bytes = scope_logs + '\x0a' + static_cast<char>(r.size()) + r;  // resource = 1 after scope_logs = 2
  std::string bytes = std::string("\x0a") + static_cast<char>(rl_bytes.size()) + rl_bytes;
  expect_same(bytes);
  auto fast = decode_otlp_logs_wire(bytes, kReceived, {});
  ASSERT_EQ(fast->records.size(), 1u);
  EXPECT_EQ(fast->records[0].service_name, "late");
}

TEST(OtlpLogsWireDecode, DeclinesWhatTheLibraryMergesOrRefuses) {
  ExportLogsServiceRequest req;
  auto* lr = req.add_resource_logs()->add_scope_logs()->add_log_records();
  lr->mutable_body()->set_string_value("a");
  std::string bytes = req.SerializeAsString();
  ASSERT_TRUE(decode_otlp_logs_wire(bytes, kReceived, {}).has_value());

  // body sent twice: protobuf merges the two AnyValues.
  AnyValue second;
  second.set_int_value(5);
  std::string body2 = second.SerializeAsString();
  auto twice = req;
  std::string lr_bytes = lr->SerializeAsString() + '\x2a' + static_cast<char>(body2.size()) + body2;
  auto* sl = twice.mutable_resource_logs(0)->mutable_scope_logs(0);
  sl->clear_log_records();
  std::string sl_bytes = sl->SerializeAsString() + '\x12' + static_cast<char>(lr_bytes.size()) + lr_bytes;
  std::string rl_bytes = '\x12' + std::string(1, static_cast<char>(sl_bytes.size())) + sl_bytes;
  std::string merged = '\x0a' + std::string(1, static_cast<char>(rl_bytes.size())) + rl_bytes;
  EXPECT_FALSE(decode_otlp_logs_wire(merged, kReceived, {}).has_value());
  ASSERT_TRUE(decode_otlp_logs_proto(merged, kReceived).ok());
  EXPECT_EQ(decode_otlp_logs_proto(merged, kReceived)->records[0].body, "5");

  // Invalid UTF-8, truncation and limits: declined; the library names them.
  auto bad = req;
  bad.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0)->set_severity_text("\xff");
  std::string bad_bytes;
  ASSERT_TRUE(bad.SerializePartialToString(&bad_bytes) || !bad_bytes.empty());
  EXPECT_FALSE(decode_otlp_logs_wire(bad_bytes, kReceived, {}).has_value());
  EXPECT_FALSE(decode_otlp_logs_wire(bytes.substr(0, bytes.size() - 1), kReceived, {}).has_value());
  OtlpLimits one;
  one.max_records = 0;
  EXPECT_FALSE(decode_otlp_logs_wire(bytes, kReceived, one).has_value());
  EXPECT_FALSE(decode_otlp_logs_proto(bytes, kReceived, one).ok());
}

// Found by otlp_logs_proto_fuzz: varints of up to 10 bytes pass the scan,
// but protobuf's parser refuses a tag or a length in more than 5 bytes.
TEST(OtlpLogsWireDecode, DeclinesTagsAndLengthsLongerThanTheParserReads) {
  auto declined_and_refused = [](const std::string& bytes) {
    EXPECT_FALSE(decode_otlp_logs_wire(bytes, kReceived, {}).has_value());
    EXPECT_FALSE(decode_otlp_logs_proto_reference(bytes, kReceived, {}).ok());
    EXPECT_FALSE(decode_otlp_logs_proto(bytes, kReceived).ok());
  };
  declined_and_refused(std::string("\x90\x80\x80\x80\x80\x00\x01", 7));  // field 2 (varint), tag in 6 bytes
  declined_and_refused(std::string("\x0a\x80\x80\x80\x80\x80\x00", 7));  // resource_logs, length 0 in 6 bytes
  declined_and_refused(std::string("\x12\x80\x80\x80\x80\x80\x00", 7));  // unknown field 2, length 0 in 6 bytes
  // In a log record: severity_number = 1 with its tag in 6 bytes.
  std::string lr("\x90\x80\x80\x80\x80\x00\x01", 7);
  std::string sl = '\x12' + std::string(1, static_cast<char>(lr.size())) + lr;
  std::string rl = '\x12' + std::string(1, static_cast<char>(sl.size())) + sl;
  declined_and_refused('\x0a' + std::string(1, static_cast<char>(rl.size())) + rl);

  // Five bytes are read alike.
  expect_same(std::string("\x0a\x80\x80\x80\x80\x00", 6));
  expect_same(std::string("\x0a\x07\x12\x05\x12\x03\x10\x90\x01", 9));  // severity_number 144: rejected
  std::string five_byte_tag("\x90\x80\x80\x80\x00\x09", 6);             // severity_number = 9, tag in 5 bytes
  std::string sl5 = '\x12' + std::string(1, static_cast<char>(five_byte_tag.size())) + five_byte_tag;
  std::string rl5 = '\x12' + std::string(1, static_cast<char>(sl5.size())) + sl5;
  std::string req5 = '\x0a' + std::string(1, static_cast<char>(rl5.size())) + rl5;
  expect_same(req5);
  ASSERT_EQ(decode_otlp_logs_wire(req5, kReceived, {})->records.size(), 1u);
  EXPECT_EQ(decode_otlp_logs_wire(req5, kReceived, {})->records[0].severity_number, 9);
}

}  // namespace
}  // namespace sluice
