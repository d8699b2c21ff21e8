#include "pipeline/transforms/throttle/throttle.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

LogBatch batch(std::initializer_list<std::string> clients) {
  LogBatch b;
  for (const auto& c : clients) {
    LogRecord r;
    r.body = c;
    if (!c.empty()) r.attributes = {{"client.address", c}};
    b.records.push_back(std::move(r));
  }
  b.positions.push_back(SourcePosition{"s", "k", 7, ""});
  return b;
}

TEST(Throttle, AtMostThresholdPerWindowPerKey) {
  int64_t now = 1'000'000'000;
  ThrottleOptions o;
  o.threshold = 2;
  o.window = std::chrono::seconds(10);
  o.key_field = "attributes.client.address";
  auto t = Throttle::create("throttle_key_test", o, [&] { return now; });
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  LogBatch b = batch({"a", "a", "b", "a", "b", "b", "c", ""});
  (*t)->process(b);
  std::string kept;
  for (const auto& r : b.records) kept += r.body.empty() ? "_" : r.body;
  EXPECT_EQ(kept, "aabbc_");
  EXPECT_EQ(b.positions.size(), 1u);

  now += 9'000'000'000;  // same window
  LogBatch b2 = batch({"a", "c"});
  (*t)->process(b2);
  ASSERT_EQ(b2.records.size(), 1u);
  EXPECT_EQ(b2.records[0].body, "c");

  now += 1'000'000'000;  // a's window (opened at t=1s) has closed
  LogBatch b3 = batch({"a", "a", "a"});
  (*t)->process(b3);
  EXPECT_EQ(b3.records.size(), 2u);
  EXPECT_NE(MetricsRegistry::global().render().find(
                "sluice_component_filtered_records_total{component=\"throttle_key_test\"} 4"),
            std::string::npos);
}

TEST(Throttle, OneBucketWithoutKeyAndExclude) {
  int64_t now = 0;
  ThrottleOptions o;
  o.threshold = 1;
  o.exclude = "body == \"vip\"";
  auto t = Throttle::create("throttle_global_test", o, [&] { return now; });
  ASSERT_TRUE(t.ok());
  LogBatch b = batch({"a", "vip", "b", "vip"});
  (*t)->process(b);
  ASSERT_EQ(b.records.size(), 3u);
  EXPECT_EQ(b.records[0].body, "a");
  EXPECT_EQ(b.records[2].body, "vip");
}

TEST(Throttle, KeysAreBounded) {
  int64_t now = 0;
  ThrottleOptions o;
  o.threshold = 1;
  o.max_keys = 3;
  o.key_field = "body";
  auto t = Throttle::create("throttle_bound_test", o, [&] { return now; });
  ASSERT_TRUE(t.ok());
  LogBatch b = batch({"a", "b", "c", "d", "e"});
  (*t)->process(b);
  EXPECT_EQ(b.records.size(), 5u);
  EXPECT_EQ((*t)->bucket_count(), 3u);
  now += 2'000'000'000;
  LogBatch b2 = batch({"f"});
  (*t)->process(b2);
  EXPECT_EQ((*t)->bucket_count(), 1u);  // the expired ones were forgotten
}

}  // namespace
}  // namespace sluice
