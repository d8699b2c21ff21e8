#include "pipeline/topology.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

ConfigFile parse(const std::string& text) {
  auto cf = parse_config(text, "t.toml");
  EXPECT_TRUE(cf.ok()) << cf.status().to_string();
  return std::move(cf).value();
}

constexpr const char* kRouted = R"(
[sources.app]
type = "file"
include = ["/x"]
[transforms.split]
type = "route"
inputs = ["app"]
route.errors = "true"
[sinks.alerts]
type = "stdout"
inputs = ["split.errors"]
[sinks.rest]
type = "stdout"
inputs = ["split._unmatched", "app"]
)";

std::vector<std::string> route_outputs(const std::string& c) {
  if (c == "split") return {"errors", "_unmatched"};
  return {};
}

TEST(Topology, ResolvesNamedOutputsAndOrdersComponents) {
  ConfigFile cf = parse(kRouted);
  auto t = resolve_topology(cf);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  ASSERT_EQ(t->order.size(), 4u);
  EXPECT_EQ(t->order[0]->name, "app");
  EXPECT_EQ(t->order[1]->name, "split");
  const auto& rest = t->inputs.at("rest");
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].component, "split");
  EXPECT_EQ(rest[0].output, "_unmatched");
  EXPECT_EQ(rest[1].component, "app");
  EXPECT_EQ(rest[1].output, "");
  EXPECT_TRUE(check_outputs(*t, route_outputs).ok());
}

TEST(Topology, AComponentNamedWithADotWinsOverAnOutput) {
  ConfigFile cf = parse(R"(
[sources.a]
type = "file"
include = ["/x"]
[sources."a.b"]
type = "file"
include = ["/y"]
[sinks.out]
type = "stdout"
inputs = ["a.b"]
)");
  auto t = resolve_topology(cf);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->inputs.at("out")[0].component, "a.b");
  EXPECT_EQ(t->inputs.at("out")[0].output, "");
}

TEST(Topology, UnknownOutputsNameTheComponentAndTheNearestOutput) {
  std::string text = kRouted;
  text.replace(text.find("split.errors"), 12, "split.erors");
  ConfigFile cf = parse(text);
  auto t = resolve_topology(cf);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(check_outputs(*t, route_outputs).message(),
            "t.toml:9:1: sinks.alerts.inputs: \"split.erors\": transforms.split has no output \"erors\"; did you "
            "mean \"split.errors\"? (outputs: \"split.errors\", \"split._unmatched\")");
}

TEST(Topology, ABareReferenceToARouteIsAnError) {
  std::string text = kRouted;
  text.replace(text.find("split.errors"), 12, "split");
  ConfigFile cf = parse(text);
  auto t = resolve_topology(cf);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(check_outputs(*t, route_outputs).message(),
            "t.toml:9:1: sinks.alerts.inputs: \"split\": transforms.split has named outputs; name one of "
            "\"split.errors\", \"split._unmatched\"");
}

TEST(Topology, AnOutputOfAComponentWithoutNamedOutputs) {
  std::string text = kRouted;
  text.replace(text.find("split.errors"), 12, "app.errors");
  ConfigFile cf = parse(text);
  auto t = resolve_topology(cf);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(check_outputs(*t, route_outputs).message(),
            "t.toml:9:1: sinks.alerts.inputs: unknown component \"app.errors\"; sources.app has no named outputs, "
            "did you mean \"app\"?");
}

TEST(Topology, UnknownInputsSinksAsInputsAndCycles) {
  EXPECT_EQ(resolve_topology(parse("[sources.app]\ntype = \"file\"\n[sinks.o]\ntype = \"stdout\"\ninputs = "
                                   "[\"ap\"]\n"))
                .status()
                .message(),
            "t.toml:3:1: sinks.o.inputs: unknown component \"ap\"; did you mean \"app\"?");
  EXPECT_EQ(resolve_topology(parse("[sources.app]\ntype = \"file\"\n[sinks.o]\ntype = \"stdout\"\ninputs = "
                                   "[\"app\"]\n[sinks.p]\ntype = \"stdout\"\ninputs = [\"o\"]\n"))
                .status()
                .message(),
            "t.toml:6:1: sinks.p.inputs: \"o\" is a sink and produces nothing");
  // Twice the same input would send each batch twice by one path, which
  // position marks (path_positions.hpp) cannot tell apart.
  EXPECT_EQ(resolve_topology(parse("[sources.app]\ntype = \"file\"\n[sinks.o]\ntype = \"stdout\"\ninputs = "
                                   "[\"app\", \"app\"]\n"))
                .status()
                .message(),
            "t.toml:3:1: sinks.o.inputs: input \"app\" is listed twice");
  EXPECT_EQ(resolve_topology(parse("[transforms.a]\ntype = \"set\"\ninputs = [\"b\"]\n[transforms.b]\ntype = "
                                   "\"set\"\ninputs = [\"a\"]\n"))
                .status()
                .message(),
            "t.toml: the pipeline has a cycle through: a, b");
}

}  // namespace
}  // namespace sluice
