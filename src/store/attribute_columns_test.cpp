#include "store/attribute_columns.hpp"

#include <gtest/gtest.h>

#include "store/catalog.hpp"

namespace sluice {
namespace {

LogRecord with(KeyValues attributes) {
  LogRecord r;
  r.attributes = std::move(attributes);
  return r;
}

TEST(AttributeColumnsTest, AdmitsOnlyUnambiguousNestedNames) {
  std::vector<std::string> promoted = {"http.response.status_code", "level"};
  EXPECT_TRUE(attribute_column_admissible(promoted, "http.request.method"));
  EXPECT_TRUE(attribute_column_admissible(promoted, "url.path"));
  EXPECT_TRUE(attribute_column_admissible(promoted, "a key with spaces.and \"quotes\""));
  // Equal, or one a prefix path of the other (case-insensitively).
  EXPECT_FALSE(attribute_column_admissible(promoted, "http.response.status_code"));
  EXPECT_FALSE(attribute_column_admissible(promoted, "HTTP.Response.Status_Code"));
  EXPECT_FALSE(attribute_column_admissible(promoted, "http.response"));
  EXPECT_FALSE(attribute_column_admissible(promoted, "http"));
  EXPECT_FALSE(attribute_column_admissible(promoted, "level.detail"));
  EXPECT_FALSE(attribute_column_admissible(promoted, "Level"));
  // Not a prefix path: "http.res" is not a part of "http.response".
  EXPECT_TRUE(attribute_column_admissible(promoted, "http.res"));
  // Log columns cannot be shadowed.
  EXPECT_FALSE(attribute_column_admissible({}, "body"));
  EXPECT_FALSE(attribute_column_admissible({}, "Timestamp"));
  EXPECT_FALSE(attribute_column_admissible({}, "attributes.x"));
  EXPECT_FALSE(attribute_column_admissible({}, "_offset"));
  // Empty parts, control characters, invalid UTF-8, too long.
  for (const std::string& bad : std::vector<std::string>{"", ".a", "a.", "a..b", "a\nb", std::string("a\0b", 3),
                                                         std::string("k\xc3"), std::string(257, 'x')}) {
    EXPECT_FALSE(attribute_column_admissible({}, bad)) << bad;
  }
}

TEST(AttributeColumnsTest, SamplerSeesFirstAndLastRecordOfEachBatch) {
  AttributeKeySampler s;
  std::vector<LogRecord> batch;
  batch.push_back(with({{"first", "1"}}));
  for (int i = 0; i < 98; ++i) batch.push_back(with({{"middle", "1"}}));
  batch.push_back(with({{"last", "1"}}));
  s.sample(batch);
  EXPECT_EQ(s.samples(), AttributeKeySampler::kPerBatch);
  EXPECT_EQ(s.counts().at("first"), 1U);
  EXPECT_EQ(s.counts().at("last"), 1U);
  EXPECT_EQ(s.counts().at("middle"), AttributeKeySampler::kPerBatch - 2);
  s.sample({with({{"first", "2"}})});
  EXPECT_EQ(s.samples(), AttributeKeySampler::kPerBatch + 1);
  EXPECT_EQ(s.counts().at("first"), 2U);
  s.sample({});
  EXPECT_EQ(s.samples(), AttributeKeySampler::kPerBatch + 1);
}

TEST(AttributeColumnsTest, SamplerCountsABoundedNumberOfKeys) {
  AttributeKeySampler s;
  KeyValues many;
  for (size_t i = 0; i < AttributeKeySampler::kMaxKeys + 10; ++i) many.emplace_back("k" + std::to_string(i), "v");
  s.sample({with(many)});
  EXPECT_EQ(s.counts().size(), AttributeKeySampler::kMaxKeys);
}

TEST(AttributeColumnsTest, ExtendsWithKeysInAtLeastHalfOfTheSamplesMostFrequentFirst) {
  AttributeKeySampler s;
  std::vector<LogRecord> batch;
  batch.push_back(with({{"a", "1"}, {"b", "1"}, {"rare", "1"}, {"body", "1"}}));
  batch.push_back(with({{"a", "1"}, {"b", "1"}, {"c", "1"}, {"body", "1"}}));
  batch.push_back(with({{"a", "1"}, {"c", "1"}, {"body", "1"}}));
  batch.push_back(with({{"a", "1"}}));
  s.sample(batch);
  // a: 4/4, b: 2/4, c: 2/4, body: 3/4 but a log column, rare: 1/4.
  EXPECT_EQ(extend_attribute_columns({}, s, 32), (std::vector<std::string>{"a", "b", "c"}));
  // Existing keys stay first and are not repeated; the cap holds.
  EXPECT_EQ(extend_attribute_columns({"c", "z"}, s, 32), (std::vector<std::string>{"c", "z", "a", "b"}));
  EXPECT_EQ(extend_attribute_columns({"z"}, s, 2), (std::vector<std::string>{"z", "a"}));
  EXPECT_EQ(extend_attribute_columns({"z"}, s, 0), (std::vector<std::string>{"z"}));
  EXPECT_EQ(extend_attribute_columns({"z"}, AttributeKeySampler{}, 32), (std::vector<std::string>{"z"}));
}

TEST(AttributeColumnsTest, StructColumnsNestByDots) {
  EXPECT_EQ(attribute_struct_columns_sql({}), "");
  EXPECT_EQ(attribute_struct_columns_sql({"level"}), "\"attributes.level\" AS \"level\"");
  EXPECT_EQ(attribute_struct_columns_sql({"http.response.status_code", "url.path", "http.request.method"}),
            "struct_pack(\"response\" := struct_pack(\"status_code\" := \"attributes.http.response.status_code\"), "
            "\"request\" := struct_pack(\"method\" := \"attributes.http.request.method\")) AS \"http\", "
            "struct_pack(\"path\" := \"attributes.url.path\") AS \"url\"");
  EXPECT_EQ(attribute_struct_columns_sql({"say \"hi\""}), "\"attributes.say \"\"hi\"\"\" AS \"say \"\"hi\"\"\"");
}

TEST(AttributeColumnsTest, CatalogKeepsTheKeysAndEachSegmentsCount) {
  Catalog c;
  c.attribute_columns = {"http.response.status_code", "level"};
  SegmentInfo s;
  s.path = "date=2025-11-21/hour=14/a.parquet";
  c.segments.push_back(s);
  s.path = "date=2025-11-21/hour=15/b.parquet";
  s.attribute_columns = 2;
  s.attributes_split = true;
  c.segments.push_back(s);
  auto back = decode_catalog(encode_catalog(c), "catalog.json");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, c);
  // A catalog without the fields (written before they existed) has none.
  auto old = decode_catalog(R"({"version":1,"compacted_offset":0,"segments":[],"positions":[]})", "c.json");
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->attribute_columns.empty());
}

TEST(AttributeColumnsTest, CatalogRejectsInconsistentAttributeColumns) {
  auto too_many = decode_catalog(
      R"({"compacted_offset":0,"attribute_columns":["a"],"segments":[{"path":"x.parquet","first_offset":0,)"
      R"("last_offset":0,"min_timestamp_ns":0,"max_timestamp_ns":0,"rows":1,"bytes":1,"attribute_columns":2}],)"
      R"("positions":[]})",
      "c.json");
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("has 2 attribute columns but the catalog lists 1"), std::string::npos)
      << too_many.status().to_string();
  auto clash = decode_catalog(R"({"compacted_offset":0,"attribute_columns":["a.b","A"],"segments":[],"positions":[]})",
                              "c.json");
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.status().message().find("\"A\""), std::string::npos) << clash.status().to_string();
  auto not_strings =
      decode_catalog(R"({"compacted_offset":0,"attribute_columns":[1],"segments":[],"positions":[]})", "c.json");
  EXPECT_FALSE(not_strings.ok());
  auto split_not_bool = decode_catalog(
      R"({"compacted_offset":0,"segments":[{"path":"x.parquet","first_offset":0,"last_offset":0,)"
      R"("min_timestamp_ns":0,"max_timestamp_ns":0,"rows":1,"bytes":1,"attributes_split":"yes"}],"positions":[]})",
      "c.json");
  ASSERT_FALSE(split_not_bool.ok());
  EXPECT_NE(split_not_bool.status().message().find("attributes_split"), std::string::npos);
}

}  // namespace
}  // namespace sluice
