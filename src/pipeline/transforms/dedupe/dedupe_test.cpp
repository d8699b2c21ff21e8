#include "pipeline/transforms/dedupe/dedupe.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

LogRecord rec(std::string body, KeyValues attrs = {}) {
  LogRecord r;
  r.body = std::move(body);
  r.attributes = std::move(attrs);
  return r;
}

TEST(Dedupe, DropsRepeatsOfBodyAndAttributes) {
  auto d = Dedupe::create("dedupe_default_test", DedupeOptions{});
  ASSERT_TRUE(d.ok());
  LogBatch b;
  b.records = {rec("a", {{"k", "1"}}),
               rec("a", {{"k", "1"}}),
               rec("a", {{"k", "2"}}),
               rec("b"),
               rec("a", {{"k", "1"}, {"j", "0"}}),
               rec("a", {{"j", "0"}, {"k", "1"}})};
  b.positions.push_back(SourcePosition{"s", "k", 3, ""});
  (*d)->process(b);
  ASSERT_EQ(b.records.size(), 4u);
  EXPECT_EQ(b.records[1].attributes, (KeyValues{{"k", "2"}}));
  EXPECT_EQ(b.positions.size(), 1u);
  EXPECT_NE(MetricsRegistry::global().render().find(
                "sluice_component_filtered_records_total{component=\"dedupe_default_test\"} 2"),
            std::string::npos);
}

TEST(Dedupe, FieldsIgnoreAndMissingVersusEmpty) {
  DedupeOptions o;
  o.fields = {"body", "attributes"};
  o.ignore_fields = {"attributes.log.file.name"};
  auto d = Dedupe::create("dedupe_ignore_test", o);
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  EXPECT_FALSE((*d)->seen(rec("x", {{"log.file.name", "a.log"}})));
  EXPECT_TRUE((*d)->seen(rec("x", {{"log.file.name", "b.log"}})));

  DedupeOptions by_attr;
  by_attr.fields = {"attributes.user"};
  auto e = Dedupe::create("dedupe_attr_test", by_attr);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE((*e)->seen(rec("1")));                  // missing
  EXPECT_FALSE((*e)->seen(rec("2", {{"user", ""}})));  // empty is not missing
  EXPECT_TRUE((*e)->seen(rec("3")));                   // missing again
  EXPECT_TRUE((*e)->seen(rec("4", {{"user", ""}})));
  EXPECT_EQ(Dedupe::create("x", DedupeOptions{{"body"}, {"body"}, 5}).status().message(),
            "dedupe: ignore_fields: \"body\" is not an attributes.<key> or resource.<key> path");
}

TEST(Dedupe, CacheIsAnLruOfCacheSize) {
  DedupeOptions o;
  o.fields = {"body"};
  o.cache_size = 2;
  auto d = Dedupe::create("dedupe_lru_test", o);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE((*d)->seen(rec("a")));
  EXPECT_FALSE((*d)->seen(rec("b")));
  EXPECT_TRUE((*d)->seen(rec("a")));   // refreshes a
  EXPECT_FALSE((*d)->seen(rec("c")));  // evicts b
  EXPECT_TRUE((*d)->seen(rec("a")));
  EXPECT_FALSE((*d)->seen(rec("b")));
}

}  // namespace
}  // namespace sluice
