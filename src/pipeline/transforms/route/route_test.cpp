#include "pipeline/transforms/route/route.hpp"

#include <gtest/gtest.h>

#include "config/config_file.hpp"

namespace sluice {
namespace {

LogRecord rec(std::string body, int severity, std::string duration) {
  LogRecord r;
  r.body = std::move(body);
  r.severity_number = severity;
  if (!duration.empty()) r.attributes = {{"http.duration_ms", std::move(duration)}};
  return r;
}

RouteOptions two_routes() {
  RouteOptions o;
  o.routes = {{"errors", "severity_number >= 17"}, {"slow", R"(attributes."http.duration_ms" > 500)"}};
  return o;
}

std::vector<std::string> bodies(const LogBatch& b) {
  std::vector<std::string> v;
  for (const auto& r : b.records) v.push_back(r.body);
  return v;
}

TEST(Route, SendsEachRecordToEveryMatchingRouteAndTheRestToUnmatched) {
  auto r = Route::create("route_test_split", two_routes());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ((*r)->outputs(), (std::vector<std::string>{"errors", "slow", "_unmatched"}));
  int acked = 0;
  LogBatch in;
  in.records = {rec("slow error", 17, "900"), rec("fast ok", 9, "20"), rec("slow ok", 9, "700"), rec("error", 21, ""),
                rec("plain", 0, "")};
  in.samples.resize(2);
  in.spans.resize(1);
  in.positions = {SourcePosition{"app", "k", 77, "/var/log/app.log"}};
  in.stream = "web";
  in.acks.push_back(std::make_shared<Acknowledgement>([&](DeliveryStatus, const std::string&) { ++acked; }));
  std::vector<LogBatch> out;
  (*r)->split(in, out);
  in = LogBatch{};
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(bodies(out[0]), (std::vector<std::string>{"slow error", "error"}));
  EXPECT_EQ(bodies(out[1]), (std::vector<std::string>{"slow error", "slow ok"}));
  EXPECT_EQ(bodies(out[2]), (std::vector<std::string>{"fast ok", "plain"}));
  EXPECT_TRUE(out[0].samples.empty());
  EXPECT_EQ(out[2].samples.size(), 2u);
  EXPECT_EQ(out[2].spans.size(), 1u);
  for (const auto& b : out) {
    ASSERT_EQ(b.positions.size(), 1u);
    EXPECT_EQ(b.positions[0].offset, 77u);
    EXPECT_EQ(b.stream, "web");
    EXPECT_EQ(b.acks.size(), 1u);
  }
  // The acknowledgement completes only when every output's copy is gone.
  out[0] = LogBatch{};
  out[2] = LogBatch{};
  EXPECT_EQ(acked, 0);
  out.clear();
  EXPECT_EQ(acked, 1);
  auto text = MetricsRegistry::global().render();
  EXPECT_NE(text.find(R"(sluice_route_records_total{component="route_test_split",output="_unmatched"} 5)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(sluice_route_records_total{component="route_test_split",output="errors"} 2)"),
            std::string::npos);
}

TEST(Route, AnEmptyBatchStillCarriesPositionsToEveryOutput) {
  auto r = Route::create("route_test_empty", two_routes());
  ASSERT_TRUE(r.ok());
  LogBatch in;
  in.positions = {SourcePosition{"app", "k", 5, ""}};
  std::vector<LogBatch> out;
  (*r)->split(in, out);
  ASSERT_EQ(out.size(), 3u);
  for (const auto& b : out) {
    EXPECT_TRUE(b.records.empty());
    EXPECT_EQ(b.positions.size(), 1u);
  }
}

TEST(Route, ReadsTheRouteTableFromToml) {
  auto cf = parse_config(R"(
[sources.app]
type = "file"
include = ["/x"]
[transforms.split]
type = "route"
inputs = ["app"]
route.slow = 'attributes."http.duration_ms" > 500'
route.errors = 'severity_number >= 17'
)",
                         "t.toml");
  ASSERT_TRUE(cf.ok()) << cf.status().to_string();
  RouteOptions o;
  Status st =
      route_option_table().apply(*cf->components[1].table, &o, "transforms.split", "t.toml", {"type", "inputs"});
  ASSERT_TRUE(st.ok()) << st.to_string();
  ASSERT_EQ(o.routes.size(), 2u);
  EXPECT_EQ(o.routes[0].first, "errors");  // key order
  EXPECT_EQ(o.routes[1].second, R"(attributes."http.duration_ms" > 500)");
}

TEST(Route, RejectsBadRoutes) {
  EXPECT_EQ(Route::create("r", RouteOptions{}).status().message(),
            "route: route needs at least one route, e.g. route.errors = 'severity_number >= 17'");
  RouteOptions reserved;
  reserved.routes = {{"_unmatched", "true"}};
  EXPECT_NE(Route::create("r", reserved).status().message().find("route._unmatched: a route name must match"),
            std::string::npos);
  RouteOptions dotted;
  dotted.routes = {{"a.b", "true"}};
  EXPECT_FALSE(Route::create("r", dotted).ok());
  RouteOptions bad;
  bad.routes = {{"errors", "severity_number >="}};
  EXPECT_NE(Route::create("r", bad).status().message().find("route: route.errors: column"), std::string::npos);

  auto cf = parse_config("[transforms.split]\ntype = \"route\"\ninputs = [\"a\"]\nroute = \"x\"\n", "t.toml");
  ASSERT_TRUE(cf.ok());
  RouteOptions o;
  Status st =
      route_option_table().apply(*cf->components[0].table, &o, "transforms.split", "t.toml", {"type", "inputs"});
  EXPECT_NE(st.message().find("t.toml:4:9: transforms.split.route: expected a table"), std::string::npos)
      << st.message();
}

}  // namespace
}  // namespace sluice
