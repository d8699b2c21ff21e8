#include "pipeline/sources/otlp/otlp_logs_wire_encode.hpp"

#include <gtest/gtest.h>

#include <random>

#include "pipeline/sources/otlp/otlp_logs_decode.hpp"
#include "pipeline/sources/otlp/otlp_logs_encode.hpp"

namespace sluice {
namespace {

LogRecord random_record(std::mt19937& rng) {
  static const char* kTexts[] = {"", "GET", "caf\xc3\xa9", "x", "a longer text of a few dozen bytes, say 60 bytes"};
  LogRecord r;
  r.timestamp_ns = rng() % 5 == 0 ? 0 : 1700000000000000000 + static_cast<int64_t>(rng());
  r.observed_timestamp_ns = rng() % 5 == 0 ? -1 : 1700000000000000000 + static_cast<int64_t>(rng());
  r.severity_number = static_cast<uint8_t>(rng() % 30);
  r.severity_text = kTexts[rng() % 5];
  r.body = std::string(rng() % 3 == 0 ? 300 : rng() % 50, 'b');  // lengths across the one/two-byte varint line
  for (int i = static_cast<int>(rng() % 14); i > 0; --i)
    r.attributes.emplace_back(kTexts[rng() % 5], kTexts[rng() % 5]);
  if (rng() % 2 == 0) r.resource = {{"service.name", "checkout"}, {"host.name", kTexts[rng() % 5]}};
  if (rng() % 3 == 0) r.resource.emplace_back("service.name", "dup");
  r.service_name = rng() % 3 == 0 ? "" : (rng() % 2 == 0 ? "checkout" : "other");
  if (rng() % 2 == 0) r.scope_name = kTexts[rng() % 5];
  if (rng() % 3 == 0) r.scope_version = "1.0";
  static const char* kTraces[] = {"", "5b8efff798038103d269b633813fc60c", "5B8EFFF798038103D269B633813FC60C", "xyz",
                                  "00000000000000000000000000000000"};
  r.trace_id = kTraces[rng() % 5];
  r.span_id = rng() % 2 == 0 ? "eee19b7ec3c1b174" : "";
  r.trace_flags = rng() % 2 == 0 ? 0 : static_cast<uint32_t>(rng() % 256);
  return r;
}

TEST(OtlpLogsWireEncode, WritesTheProtobufLibrarysBytes) {
  std::mt19937 rng(11);
  std::string reused = "left over from before";
  for (int i = 0; i < 2000; ++i) {
    std::vector<LogRecord> records;
    for (int n = static_cast<int>(rng() % 20); n > 0; --n) {
      // Runs of equal resources and scopes, as a source's batches have.
      if (!records.empty() && rng() % 3 != 0) {
        LogRecord r = random_record(rng);
        r.resource = records.back().resource;
        r.service_name = records.back().service_name;
        if (rng() % 2 == 0) {
          r.scope_name = records.back().scope_name;
          r.scope_version = records.back().scope_version;
        }
        records.push_back(std::move(r));
      } else {
        records.push_back(random_record(rng));
      }
    }
    std::string positions = i % 3 == 0 ? "" : R"({"access":{"1:2:abc":12345}})";
    auto fast = encode_otlp_logs_wire(records, positions);
    ASSERT_TRUE(fast.has_value());
    ASSERT_EQ(*fast, encode_otlp_logs_proto_reference(records, positions)) << i;
    // Into one buffer kept across the batches, larger and smaller in turn.
    ASSERT_TRUE(encode_otlp_logs_wire(records, positions, &reused));
    ASSERT_EQ(reused, *fast) << i;
    auto back = decode_otlp_logs_proto(*fast, 1);
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    EXPECT_EQ(back->sluice_positions, positions);
  }
}

TEST(OtlpLogsWireEncode, LeavesInvalidUtf8ToTheLibrary) {
  LogRecord r;
  r.body = "bad \xff byte";
  EXPECT_FALSE(encode_otlp_logs_wire(std::span<const LogRecord>(&r, 1), "").has_value());
  r.body = "ok";
  r.attributes = {{"k\xc3", "v"}};
  EXPECT_FALSE(encode_otlp_logs_wire(std::span<const LogRecord>(&r, 1), "").has_value());
}

}  // namespace
}  // namespace sluice
