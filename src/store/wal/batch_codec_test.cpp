#include "store/wal/batch_codec.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <limits>

#include "store/wal/coding.hpp"
#include "store/wal/wal_test_util.hpp"

namespace sluice {
namespace {

using wal_test::make_batch;
using wal_test::make_record;

void expect_round_trip(const LogBatch& batch) {
  std::string enc;
  ASSERT_TRUE(encode_batch(batch, &enc).ok());
  auto dec = decode_batch(enc);
  ASSERT_TRUE(dec.ok()) << dec.status().to_string();
  EXPECT_EQ(dec->records, batch.records);
  EXPECT_EQ(dec->samples, batch.samples);
  EXPECT_EQ(dec->positions, batch.positions);
  BatchSummary summary;
  ASSERT_TRUE(summarize_batch(enc, &summary).ok());
  EXPECT_EQ(summary.record_count, batch.size());
  EXPECT_EQ(summary.positions, batch.positions);
}

TEST(BatchCodecTest, EmptyBatch) { expect_round_trip(LogBatch{}); }

TEST(BatchCodecTest, DefaultRecordWithEmptyStrings) {
  LogBatch b;
  b.records.emplace_back();
  b.records.emplace_back();
  b.records[1].attributes = {{"", ""}};
  b.records[1].resource = {{"", ""}, {"k", ""}};
  expect_round_trip(b);
}

TEST(BatchCodecTest, UnicodeAndBinary) {
  LogBatch b;
  LogRecord r;
  r.body = "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80 \xE6\x97\xA5\xE6\x9C\xAC";
  r.body.push_back('\0');
  r.body += "\xff\xfe binary";
  r.severity_text = "\xD0\x9E\xD0\xA8\xD0\x98\xD0\x91\xD0\x9A\xD0\x90";
  r.attributes = {{"cl\xC3\xA9", "v\xC3\xA4lue"}, {"emoji \xF0\x9F\x94\xA5", "\xF0\x9F\x94\xA5"}};
  r.resource = {{"service.name", "\xE6\x9C\x8D\xE5\x8A\xA1"}};
  r.service_name = "\xE6\x9C\x8D\xE5\x8A\xA1";
  r.trace_id = "NOT-HEX-\xC3\xA9";
  r.span_id = "0123456789ABCDEF";  // upper case: stored as a string, kept as is
  r.timestamp_ns = -5;
  r.observed_timestamp_ns = INT64_MAX;
  r.severity_number = 255;
  r.trace_flags = UINT32_MAX;
  b.records.push_back(r);
  b.positions.push_back({"src \xC3\xA9", "dev:ino:\xF0\x9F\x98\x80", UINT64_MAX, "/var/log/\xC3\xA9.log"});
  expect_round_trip(b);
}

TEST(BatchCodecTest, ManyAttributesAndPositions) {
  LogBatch b;
  for (int i = 0; i < 50; ++i) {
    LogRecord r = make_record(static_cast<uint64_t>(i), 100 + static_cast<size_t>(i));
    for (int k = 0; k < 200; ++k) r.attributes.emplace_back("attr." + std::to_string(k), std::string(k % 7, 'x'));
    b.records.push_back(std::move(r));
  }
  for (int i = 0; i < 300; ++i) {
    b.positions.push_back({"source" + std::to_string(i % 3), "key" + std::to_string(i), static_cast<uint64_t>(i) << 40,
                           i % 2 ? "" : "/p/" + std::to_string(i)});
  }
  expect_round_trip(b);
}

TEST(BatchCodecTest, SharedAndChangingResourceScopeService) {
  LogBatch b;
  for (int i = 0; i < 20; ++i) {
    LogRecord r = make_record(static_cast<uint64_t>(i));
    // Change each shared field at different rates so every flag combination occurs.
    r.resource = {{"service.name", "svc" + std::to_string(i / 3)}};
    r.service_name = "svc" + std::to_string(i / 5);
    r.scope_name = "scope" + std::to_string(i / 2);
    r.scope_version = i % 7 == 0 ? "2" : "1";
    b.records.push_back(std::move(r));
  }
  expect_round_trip(b);
}

TEST(BatchCodecTest, PositionOnlyBatch) {
  LogBatch b;
  b.positions.push_back({"nginx", "1:2:abc", 12345, "/var/log/nginx/access.log"});
  expect_round_trip(b);
}

TEST(BatchCodecTest, TraceIdsAreCompactedWhenLowerHex) {
  LogBatch hex;
  LogRecord r;
  r.trace_id = "0123456789abcdef0123456789abcdef";
  r.span_id = "0123456789abcdef";
  hex.records.push_back(r);
  LogBatch text = hex;
  text.records[0].trace_id[0] = 'X';
  text.records[0].span_id[0] = 'X';
  std::string a, b;
  ASSERT_TRUE(encode_batch(hex, &a).ok());
  ASSERT_TRUE(encode_batch(text, &b).ok());
  EXPECT_EQ(a.size() + 24 + 2, b.size());
  expect_round_trip(hex);
  expect_round_trip(text);
}

TEST(BatchCodecTest, AppendsToExistingBuffer) {
  std::string out = "prefix";
  LogBatch b = make_batch(0, 3);
  ASSERT_TRUE(encode_batch(b, &out).ok());
  EXPECT_EQ(out.substr(0, 6), "prefix");
  auto dec = decode_batch(std::string_view(out).substr(6));
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(dec->records, b.records);
}

TEST(BatchCodecTest, EveryTruncationFailsCleanly) {
  std::string enc;
  ASSERT_TRUE(encode_batch(make_batch(7, 5), &enc).ok());
  for (size_t n = 0; n < enc.size(); ++n) {
    auto dec = decode_batch(std::string_view(enc).substr(0, n));
    ASSERT_FALSE(dec.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(dec.status().code(), StatusCode::kCorruption);
    EXPECT_NE(dec.status().message().find("batch payload byte"), std::string::npos) << dec.status().message();
    BatchSummary s;
    EXPECT_FALSE(summarize_batch(std::string_view(enc).substr(0, n), &s).ok());
  }
}

TEST(BatchCodecTest, TrailingBytesAreAnError) {
  std::string enc;
  ASSERT_TRUE(encode_batch(make_batch(0, 2), &enc).ok());
  enc += "x";  // read as a section of type 120
  auto dec = decode_batch(enc);
  ASSERT_FALSE(dec.ok());
  EXPECT_NE(dec.status().message().find("section type above 0 and at most 2, found 120"), std::string::npos)
      << dec.status().message();
  // A byte after a complete sample section must start a later section.
  LogBatch b;
  b.samples.push_back(MetricSample{1, "up", {}, 1, MetricKind::kGauge, {}});
  enc.clear();
  ASSERT_TRUE(encode_batch(b, &enc).ok());
  enc += "x";
  dec = decode_batch(enc);
  ASSERT_FALSE(dec.ok());
  EXPECT_NE(dec.status().message().find("section type above 1 and at most 2, found 120"), std::string::npos)
      << dec.status().message();
}

MetricSample make_sample(int64_t ts, std::string name, KeyValues labels, double v, MetricKind k) {
  MetricSample m;
  m.timestamp_ns = ts;
  m.name = std::move(name);
  m.labels = std::move(labels);
  m.value = v;
  m.kind = k;
  m.resource = {{"host.name", "h1"}};
  return m;
}

TEST(BatchCodecTest, SamplesRoundTripWithSharedLabelKeysAndResource) {
  LogBatch b;
  b.samples.push_back(
      make_sample(-1, "cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}, 12.5, MetricKind::kCounter));
  b.samples.push_back(make_sample(2, "cpu_seconds_total", {{"cpu", "1"}, {"mode", "user"}}, 0, MetricKind::kCounter));
  b.samples.push_back(make_sample(3, "req_bucket", {{"le", "+Inf"}}, std::numeric_limits<double>::infinity(),
                                  MetricKind::kHistogramBucket));
  b.samples.push_back(make_sample(4, "stale", {}, std::numeric_limits<double>::quiet_NaN(), MetricKind::kUnknown));
  b.samples.back().resource = {};
  b.samples.push_back(make_sample(INT64_MAX, "", {{"", ""}}, -0.0, MetricKind::kSummaryCount));
  b.positions.push_back({"prom", "k", 7, ""});
  expect_round_trip(b);
}

TEST(BatchCodecTest, RecordsAndSamplesInOneBatch) {
  LogBatch b = make_batch(3, 1);
  b.samples.push_back(make_sample(1, "up", {{"job", "x"}}, 1, MetricKind::kGauge));
  expect_round_trip(b);
  std::string enc;
  ASSERT_TRUE(encode_batch(b, &enc).ok());
  for (size_t n = 1; n < enc.size(); ++n) {
    auto dec = decode_batch(std::string_view(enc).substr(0, n));
    // A cut right after the records is itself a valid payload without
    // samples (a WAL entry's checksum and record count catch such a cut);
    // every other cut is corrupt.
    if (dec.ok()) {
      EXPECT_TRUE(dec->samples.empty());
      continue;
    }
    EXPECT_EQ(dec.status().code(), StatusCode::kCorruption);
  }
}

TEST(BatchCodecTest, BadSampleFieldsAreRejected) {
  LogBatch b;
  b.samples.push_back(make_sample(1, "up", {}, 1, MetricKind::kGauge));
  std::string enc;
  ASSERT_TRUE(encode_batch(b, &enc).ok());
  // payload: records 0, positions 0, section type 1, count 1, then flags at byte 4.
  std::string bad = enc;
  bad[4] = 0x21;
  auto dec = decode_batch(bad);
  ASSERT_FALSE(dec.ok());
  EXPECT_NE(dec.status().message().find("first sample refers to a previous sample"), std::string::npos);
  bad = enc;
  bad[4 + 1 + 16] = 9;  // kind
  dec = decode_batch(bad);
  ASSERT_FALSE(dec.ok());
  EXPECT_NE(dec.status().message().find("sample kind of at most 8"), std::string::npos) << dec.status().message();
  std::string zero = enc.substr(0, 3) + std::string(1, '\0');
  dec = decode_batch(zero);
  ASSERT_FALSE(dec.ok());
  EXPECT_NE(dec.status().message().find("sample count above 0"), std::string::npos) << dec.status().message();
}

TEST(BatchCodecTest, HugeCountsAreRejectedBeforeAllocating) {
  // record count 2^62 in a 12-byte payload.
  std::string enc(16, '\0');
  char* p = wal::put_varint64(enc.data(), 1ull << 62);
  p = wal::put_varint64(p, 0);
  enc.resize(static_cast<size_t>(p - enc.data()) + 2);
  auto dec = decode_batch(enc);
  ASSERT_FALSE(dec.ok());
  EXPECT_NE(dec.status().message().find("record count of at most"), std::string::npos) << dec.status().message();
}

TEST(BatchCodecTest, HugeStringLengthIsRejected) {
  std::string enc;
  LogBatch b;
  b.positions.push_back({"s", "k", 1, "p"});
  ASSERT_TRUE(encode_batch(b, &enc).ok());
  // enc = [0 records][1 position][len 1]["s"]...; make the source length huge.
  std::string bad = enc.substr(0, 2);
  char buf[10];
  char* e = wal::put_varint64(buf, 1ull << 40);
  bad.append(buf, static_cast<size_t>(e - buf));
  bad += enc.substr(3);
  auto dec = decode_batch(bad);
  ASSERT_FALSE(dec.ok());
  EXPECT_NE(dec.status().message().find("position source of 1099511627776 bytes"), std::string::npos)
      << dec.status().message();
}

TEST(BatchCodecTest, SameAsPreviousAmplificationIsCapped) {
  // One record with a 1 MiB resource, then records that repeat it: each
  // repeat costs 24 bytes encoded but 1 MiB decoded. A crafted payload of a
  // few MB would decode to terabytes without the footprint cap.
  LogRecord big;
  big.resource = {{"k", std::string(1 << 20, 'r')}};
  LogBatch one;
  one.records.push_back(big);
  std::string enc;
  ASSERT_TRUE(encode_batch(one, &enc).ok());
  LogRecord small = big;  // same resource => 24-byte encoding with kSameResource
  LogBatch two;
  two.records = {big, small};
  std::string enc2;
  ASSERT_TRUE(encode_batch(two, &enc2).ok());
  size_t repeat_bytes = enc2.size() - enc.size();
  ASSERT_LT(repeat_bytes, 30u);
  // Build: header with N records, the big record, then N-1 copies of the repeat.
  const uint64_t n = 2000;
  std::string body = enc.substr(2);  // enc = [varint 1][varint 0][record]
  std::string crafted;
  char buf[10];
  char* e = wal::put_varint64(buf, n);
  crafted.append(buf, static_cast<size_t>(e - buf));
  crafted.push_back(0);
  crafted += body;
  std::string repeat = enc2.substr(enc2.size() - repeat_bytes);
  for (uint64_t i = 1; i < n; ++i) crafted += repeat;
  auto dec = decode_batch(crafted);
  ASSERT_FALSE(dec.ok());
  EXPECT_NE(dec.status().message().find("footprint"), std::string::npos) << dec.status().message();
}

TEST(BatchCodecTest, UnknownFlagsAndDanglingReferencesAreRejected) {
  std::string enc;
  LogBatch b;
  b.records.emplace_back();
  ASSERT_TRUE(encode_batch(b, &enc).ok());
  std::string bad = enc;
  bad[2] = static_cast<char>(0x80);  // unknown flag bit
  EXPECT_FALSE(decode_batch(bad).ok());
  bad[2] = 0x01;  // first record says "same resource as previous"
  auto dec = decode_batch(bad);
  ASSERT_FALSE(dec.ok());
  EXPECT_NE(dec.status().message().find("previous record"), std::string::npos);
}

// Parsed records repeat their attribute keys; later records refer to the
// previous record's keys (same index, other index, or a new literal key).
TEST(BatchCodecTest, AttributeKeysReferToThePreviousRecord) {
  LogBatch b;
  for (int i = 0; i < 50; ++i) {
    LogRecord r;
    r.body = "line " + std::to_string(i);
    r.attributes = {
        {"http.request.method", "GET"}, {"url.path", "/p" + std::to_string(i)}, {"http.response.status_code", "200"}};
    if (i % 3 == 0) r.attributes.insert(r.attributes.begin(), {"url.query", "a=1"});  // shifts indexes
    if (i % 7 == 0) r.attributes.push_back({"only.here." + std::to_string(i), "x"});  // new key
    if (i % 11 == 0) r.attributes.clear();
    b.records.push_back(std::move(r));
  }
  std::string enc;
  ASSERT_TRUE(encode_batch(b, &enc).ok());
  LogBatch literal_only;  // the same records one per batch: no references possible
  size_t literal_bytes = 0;
  for (const auto& r : b.records) {
    literal_only.records = {r};
    std::string one;
    ASSERT_TRUE(encode_batch(literal_only, &one).ok());
    literal_bytes += one.size();
  }
  EXPECT_LT(enc.size() * 10, literal_bytes * 8) << "key references should save at least a fifth";
  auto dec = decode_batch(enc);
  ASSERT_TRUE(dec.ok()) << dec.status().to_string();
  EXPECT_EQ(dec->records, b.records);
  LogBatch reused;  // decoding twice into one batch overwrites in place
  ASSERT_TRUE(decode_batch(enc, &reused).ok());
  ASSERT_TRUE(decode_batch(enc, &reused).ok());
  EXPECT_EQ(reused.records, b.records);
  BatchSummary summary;
  EXPECT_TRUE(summarize_batch(enc, &summary).ok());
}

TEST(BatchCodecTest, EveryKeyOfThePreviousRecordIsReferredToWhereverItMoved) {
  // The encoder looks near a key's own place first, then from the first
  // key: keys in place, shifted by one or two, or in reverse order are all
  // references of one byte, so the encodings are the same size.
  std::vector<std::string> keys;
  for (int k = 0; k < 10; ++k) keys.push_back("key.number." + std::to_string(k));
  auto record = [](const std::vector<std::string>& ks) {
    LogRecord r;
    for (const auto& k : ks) r.attributes.emplace_back(k, "v");
    return r;
  };
  auto encoded_size = [&](const std::vector<std::string>& second) {
    LogBatch b;
    b.records = {record(keys), record(second)};
    std::string enc;
    EXPECT_TRUE(encode_batch(b, &enc).ok());
    auto dec = decode_batch(enc);
    EXPECT_TRUE(dec.ok());
    if (dec.ok()) {
      EXPECT_EQ(dec->records, b.records);
    }
    return enc.size();
  };
  const size_t in_place = encoded_size(keys);
  std::vector<std::string> by_one(keys.begin() + 1, keys.end()), by_two(keys.begin() + 2, keys.end());
  by_one.push_back(keys[0]);
  by_two.push_back(keys[0]);
  by_two.push_back(keys[1]);
  EXPECT_EQ(encoded_size(by_one), in_place);
  EXPECT_EQ(encoded_size(by_two), in_place);
  EXPECT_EQ(encoded_size(std::vector<std::string>(keys.rbegin(), keys.rend())), in_place);
}

TEST(BatchCodecTest, KeyReferencePastThePreviousRecordsKeysIsRejected) {
  LogBatch b;
  LogRecord a;
  a.attributes = {{"k", "v"}};
  b.records = {a, a};
  std::string enc;
  ASSERT_TRUE(encode_batch(b, &enc).ok());
  // The second record's single key is the tag 1 (index 0); make it index 5.
  size_t pos = enc.rfind(std::string("\x01\x01v", 3));
  ASSERT_NE(pos, std::string::npos);
  enc[pos] = static_cast<char>(5 * 2 + 1);
  auto dec = decode_batch(enc);
  ASSERT_FALSE(dec.ok());
  EXPECT_NE(dec.status().message().find("refers to key 5 of the previous record, which has 1"), std::string::npos)
      << dec.status().message();
  BatchSummary summary;
  EXPECT_FALSE(summarize_batch(enc, &summary).ok());
}

// 1000 ~200-byte records survive encode, decode into a reused batch, decode
// into a fresh batch and validation. (Speed is measured by
// bench/parse_regex_bench.cpp, never asserted in a test.)
TEST(BatchCodecTest, ManyRecordsRoundTripEveryWay) {
  constexpr size_t kRecordsPerBatch = 1000;
  LogBatch batch;
  for (size_t i = 0; i < kRecordsPerBatch; ++i) batch.records.push_back(make_record(i, 120));
  batch.positions.push_back({"src", "key", 1, "/p"});
  std::string enc;
  ASSERT_TRUE(encode_batch(batch, &enc).ok());
  LogBatch out;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(decode_batch(enc, &out).ok());  // reused: strings overwritten in place
  EXPECT_EQ(out.records, batch.records);
  EXPECT_EQ(out.positions, batch.positions);
  LogBatch fresh;
  ASSERT_TRUE(decode_batch(enc, &fresh).ok());
  EXPECT_EQ(fresh.records, batch.records);
  BatchSummary summary;
  ASSERT_TRUE(summarize_batch(enc, &summary).ok());
}

Span make_span(int i) {
  Span x;
  x.start_timestamp_ns = 1700000000000000000 + i;
  x.end_timestamp_ns = x.start_timestamp_ns + 1500;
  x.trace_id = "0123456789abcdef0123456789abcdef";
  x.span_id = i % 2 ? "0011223344556677" : "NOT-HEX";
  x.parent_span_id = i == 0 ? "" : "8899aabbccddeeff";
  x.trace_state = "vendor=x";
  x.name = "GET /api/" + std::to_string(i);
  x.kind = static_cast<uint8_t>(i % 6);
  x.status_code = static_cast<uint8_t>(i % 3);
  x.status_message = i % 3 == 2 ? "boom" : "";
  x.flags = 0x301;
  x.attributes = {{"http.request.method", "GET"}, {"http.route", "/api/" + std::to_string(i)}};
  x.resource = {{"service.name", "shop"}};
  x.service_name = "shop";
  x.scope_name = "lib";
  x.scope_version = "1.0";
  if (i % 2 == 0) x.events.push_back({x.start_timestamp_ns + 10, "exception", {{"exception.message", "x"}}});
  if (i == 3) x.links.push_back({"ffeeddccbbaa99887766554433221100", "0102030405060708", "", {{"k", "v"}}});
  return x;
}

TEST(BatchCodecTest, SpansRoundTripWithEventsLinksAndSharedContext) {
  LogBatch b;
  for (int i = 0; i < 6; ++i) b.spans.push_back(make_span(i));
  b.spans[4].resource = {{"service.name", "other"}};
  b.spans[4].service_name = "other";
  b.positions.push_back({"otlp", "k", 3, ""});
  expect_round_trip(b);
  std::string enc;
  ASSERT_TRUE(encode_batch(b, &enc).ok());
  for (size_t n = 0; n < enc.size(); ++n) {
    auto dec = decode_batch(std::string_view(enc).substr(0, n));
    EXPECT_TRUE(!dec.ok() || dec->spans.empty()) << "a cut payload of " << n << " bytes decoded with spans";
  }
}

TEST(BatchCodecTest, SamplesAndSpansSectionsInOrderOnly) {
  LogBatch b;
  b.samples.push_back(make_sample(1, "up", {}, 1, MetricKind::kGauge));
  b.spans.push_back(make_span(1));
  expect_round_trip(b);
  // Spans section followed by a samples section is out of order.
  LogBatch spans_only;
  spans_only.spans.push_back(make_span(0));
  LogBatch samples_only;
  samples_only.samples.push_back(make_sample(1, "up", {}, 1, MetricKind::kGauge));
  std::string a, c;
  ASSERT_TRUE(encode_batch(spans_only, &a).ok());
  ASSERT_TRUE(encode_batch(samples_only, &c).ok());
  std::string swapped = a + c.substr(2);  // spans section, then a samples section
  auto dec = decode_batch(swapped);
  ASSERT_FALSE(dec.ok());
  EXPECT_NE(dec.status().message().find("expected the end of the payload"), std::string::npos)
      << dec.status().message();
}

}  // namespace
}  // namespace sluice
