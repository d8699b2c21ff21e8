#include "pipeline/transforms/filter/filter.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

LogBatch batch_of(std::initializer_list<std::pair<std::string, std::string>> body_status) {
  LogBatch b;
  for (const auto& [body, status] : body_status) {
    LogRecord r;
    r.body = body;
    if (!status.empty()) r.attributes = {{"http.response.status_code", status}};
    b.records.push_back(std::move(r));
  }
  b.positions.push_back(SourcePosition{"app", "k", 42, "/var/log/app.log"});
  b.acks.push_back(std::make_shared<Acknowledgement>([](DeliveryStatus, const std::string&) {}));
  return b;
}

TEST(Filter, KeepsMatchingRecordsAndCountsTheRest) {
  FilterOptions o;
  o.condition = R"(attributes."http.response.status_code" >= 500 and not (body =~ "healthz"))";
  auto f = Filter::create("filter_keep_test", o);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  LogBatch b = batch_of({{"GET /a", "200"}, {"GET /b", "502"}, {"GET /healthz", "503"}, {"no status", ""}});
  (*f)->process(b);
  ASSERT_EQ(b.records.size(), 1u);
  EXPECT_EQ(b.records[0].body, "GET /b");
  EXPECT_EQ(b.positions.size(), 1u);
  EXPECT_EQ(b.acks.size(), 1u);
  auto text = MetricsRegistry::global().render();
  EXPECT_NE(text.find("sluice_component_filtered_records_total{component=\"filter_keep_test\"} 3"), std::string::npos)
      << text;
}

TEST(Filter, DropConditionAndEmptyBatchesKeepPositions) {
  FilterOptions o;
  o.drop_condition = "exists(attributes.http.response.status_code)";
  auto f = Filter::create("filter_drop_test", o);
  ASSERT_TRUE(f.ok());
  LogBatch b = batch_of({{"a", "200"}, {"b", "500"}});
  (*f)->process(b);
  EXPECT_TRUE(b.records.empty());
  ASSERT_EQ(b.positions.size(), 1u);
  EXPECT_EQ(b.positions[0].offset, 42u);
  EXPECT_EQ(b.acks.size(), 1u);
}

TEST(Filter, RejectsBadOptions) {
  EXPECT_EQ(Filter::create("f", FilterOptions{}).status().message(),
            "filter: set exactly one of condition and drop_condition");
  EXPECT_EQ(Filter::create("f", FilterOptions{"a", "b"}).status().message(),
            "filter: set exactly one of condition and drop_condition");
  EXPECT_EQ(Filter::create("f", FilterOptions{"body ==", ""}).status().message(),
            "filter: condition: column 8: expected a value (a field path, a \"string\" or a number) after "
            "'==', found the end of the condition");
}

}  // namespace
}  // namespace sluice
