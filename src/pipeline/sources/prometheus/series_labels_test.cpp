#include "pipeline/sources/prometheus/series_labels.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

Status normalize(KeyValues& labels, std::string* name, NameValidation v = NameValidation::kUtf8) {
  return normalize_series_labels(labels, v, name);
}

TEST(SeriesLabelsTest, ExtractsTheNameSortsAndDropsEmptyValues) {
  KeyValues labels = {{"job", "api"}, {"__name__", "up"}, {"instance", "a:1"}, {"zone", ""}};
  std::string name;
  ASSERT_TRUE(normalize(labels, &name).ok());
  EXPECT_EQ(name, "up");
  EXPECT_EQ(labels, (KeyValues{{"instance", "a:1"}, {"job", "api"}}));
}

TEST(SeriesLabelsTest, RepairsInvalidUtf8Values) {
  KeyValues labels = {{"__name__", "m"},
                      {"path",
                       "a\xff"
                       "b"}};
  std::string name;
  ASSERT_TRUE(normalize(labels, &name).ok());
  EXPECT_EQ(labels, (KeyValues{{"path",
                                "a\xEF\xBF\xBD"
                                "b"}}));
}

TEST(SeriesLabelsTest, Rejections) {
  std::string name;
  KeyValues no_name = {{"job", "x"}};
  Status st = normalize(no_name, &name);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("no __name__"), std::string::npos) << st.message();

  KeyValues empty_name_value = {{"__name__", ""}, {"job", "x"}};
  EXPECT_FALSE(normalize(empty_name_value, &name).ok());

  KeyValues dup = {{"__name__", "m"}, {"job", "a"}, {"job", "b"}};
  st = normalize(dup, &name);
  EXPECT_NE(st.message().find("label \"job\" appears twice"), std::string::npos) << st.message();

  KeyValues dup_empty = {{"__name__", "m"}, {"job", ""}, {"job", "b"}};
  EXPECT_FALSE(normalize(dup_empty, &name).ok());

  KeyValues empty_label_name = {{"__name__", "m"}, {"", "b"}};
  st = normalize(empty_label_name, &name);
  EXPECT_NE(st.message().find("label 1 has an empty name"), std::string::npos) << st.message();

  KeyValues bad_utf8_name = {{"__name__", "m"}, {"a\xc3", "b"}};
  st = normalize(bad_utf8_name, &name);
  EXPECT_NE(st.message().find("not valid UTF-8"), std::string::npos) << st.message();
}

TEST(SeriesLabelsTest, Utf8AndLegacyNames) {
  std::string name;
  KeyValues dotted = {{"__name__", "http.server.duration"}, {"service.name", "api"}};
  EXPECT_TRUE(normalize(dotted, &name).ok());
  EXPECT_EQ(name, "http.server.duration");

  KeyValues dotted_label = {{"__name__", "m"}, {"service.name", "api"}};
  Status st = normalize(dotted_label, &name, NameValidation::kLegacy);
  EXPECT_NE(st.message().find("label name \"service.name\" does not match"), std::string::npos) << st.message();

  KeyValues dotted_metric = {{"__name__", "a.b"}};
  st = normalize(dotted_metric, &name, NameValidation::kLegacy);
  EXPECT_NE(st.message().find("metric name \"a.b\" does not match"), std::string::npos) << st.message();

  KeyValues legacy = {{"__name__", "job:rate5m"}, {"_x9", "1"}};
  EXPECT_TRUE(normalize(legacy, &name, NameValidation::kLegacy).ok());
  EXPECT_EQ(name, "job:rate5m");

  EXPECT_TRUE(legacy_label_name("_"));
  EXPECT_FALSE(legacy_label_name("9a"));
  EXPECT_FALSE(legacy_label_name("a:b"));
  EXPECT_TRUE(legacy_metric_name(":a:b"));
  EXPECT_FALSE(legacy_metric_name("a-b"));
  EXPECT_FALSE(legacy_metric_name(""));
}

TEST(SeriesLabelsTest, FormatLabelSet) {
  EXPECT_EQ(format_label_set({{"a", "x\"y"}, {"b", "1\n"}}), "{a=\"x\\\"y\", b=\"1\\n\"}");
  KeyValues many;
  for (int i = 0; i < 100; ++i) many.emplace_back("label" + std::to_string(i), "value");
  std::string s = format_label_set(many, 64);
  EXPECT_LT(s.size(), 120u);
  EXPECT_NE(s.find(", ...}"), std::string::npos) << s;
}

}  // namespace
}  // namespace sluice
