#include "pipeline/transforms/sample/sample.hpp"

#include <gtest/gtest.h>

#include <map>

namespace sluice {
namespace {

LogRecord rec(std::string body, std::string trace = "", uint8_t severity = 9) {
  LogRecord r;
  r.body = std::move(body);
  r.trace_id = std::move(trace);
  r.severity_number = severity;
  return r;
}

TEST(Sample, KeepsEveryRateThRecordWithoutKey) {
  SampleOptions o;
  o.rate = 3;
  o.rate_attribute = "sample.rate";
  auto s = Sample::create("sample_counter_test", o);
  ASSERT_TRUE(s.ok());
  LogBatch b;
  for (int i = 0; i < 10; ++i) b.records.push_back(rec(std::to_string(i)));
  b.positions.push_back(SourcePosition{"s", "k", 1, ""});
  (*s)->process(b);
  ASSERT_EQ(b.records.size(), 4u);
  EXPECT_EQ(b.records[0].body, "0");
  EXPECT_EQ(b.records[1].body, "3");
  EXPECT_EQ(b.records[3].body, "9");
  EXPECT_EQ(*find_key_value(b.records[0].attributes, "sample.rate"), "3");
  EXPECT_EQ(b.positions.size(), 1u);
  EXPECT_NE(MetricsRegistry::global().render().find(
                "sluice_component_filtered_records_total{component=\"sample_counter_test\"} 6"),
            std::string::npos);
}

TEST(Sample, KeyFieldKeepsAllOrNoneOfAKey) {
  SampleOptions o;
  o.rate = 4;
  o.key_field = "trace_id";
  auto s = Sample::create("sample_key_test", o);
  ASSERT_TRUE(s.ok());
  std::map<std::string, std::pair<int, int>> kept_of;  // trace -> (kept, total)
  for (int round = 0; round < 5; ++round) {
    for (int t = 0; t < 200; ++t) {
      std::string trace = "trace-" + std::to_string(t);
      bool kept = (*s)->keep(rec("x", trace));
      kept_of[trace].first += kept;
      kept_of[trace].second += 1;
    }
  }
  int kept_traces = 0;
  for (const auto& [trace, kt] : kept_of) {
    EXPECT_TRUE(kt.first == 0 || kt.first == kt.second) << trace;
    kept_traces += kt.first > 0;
  }
  EXPECT_GT(kept_traces, 20);  // about 50 of 200
  EXPECT_LT(kept_traces, 90);
}

TEST(Sample, ExcludedRecordsAlwaysPass) {
  SampleOptions o;
  o.rate = 1000;
  o.exclude = "severity_number >= 17";
  auto s = Sample::create("sample_exclude_test", o);
  ASSERT_TRUE(s.ok());
  LogBatch b;
  b.records = {rec("info-0"), rec("err", "", 17), rec("info-1"), rec("fatal", "", 21)};
  (*s)->process(b);
  ASSERT_EQ(b.records.size(), 3u);
  EXPECT_EQ(b.records[0].body, "info-0");
  EXPECT_EQ(b.records[1].body, "err");
  EXPECT_EQ(b.records[2].body, "fatal");
  o.exclude = "severity_number >=";
  EXPECT_EQ(Sample::create("x", o).status().message(),
            "sample: exclude: column 19: expected a value (a field path, a \"string\" or a number) after "
            "'>=', found the end of the condition");
}

}  // namespace
}  // namespace sluice
