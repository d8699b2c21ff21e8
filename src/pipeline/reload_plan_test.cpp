#include "pipeline/reload_plan.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

ConfigFile parse(const std::string& text) {
  auto cf = parse_config(text, "t.toml");
  EXPECT_TRUE(cf.ok()) << cf.status().to_string();
  return std::move(cf).value();
}

constexpr const char* kBase = R"(
[sources.app]
type = "file"
include = ["/var/log/app.log"]

[transforms.tag]
type = "set"
inputs = ["app"]
fields = { "attributes.env" = "prod" }

[sinks.out]
type = "store"
inputs = ["tag"]
stream = "app"
)";

TEST(ReloadPlan, TheSameFileKeepsEverything) {
  ConfigFile a = parse(kBase), b = parse(kBase);
  ReloadPlan p = plan_reload(a.components, b.components);
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.kept.size(), 3u);
  EXPECT_EQ(p.summary(), "0 changed, 0 added, 0 removed, 3 kept");
}

TEST(ReloadPlan, FormattingCommentsAndKeyOrderDoNotCount) {
  ConfigFile a = parse(kBase);
  ConfigFile b = parse(R"(
# reformatted
[sinks.out]
stream = "app"     # same stream
inputs = [ "tag" ]
type = "store"

[sources.app]
include = ['/var/log/app.log']
type = "file"

[transforms.tag]
fields.'attributes.env' = "prod"
inputs = ["app"]
type = "set"
)");
  EXPECT_TRUE(plan_reload(a.components, b.components).empty());
}

TEST(ReloadPlan, AnOptionValueChangesOnlyThatComponent) {
  std::string text = kBase;
  text.replace(text.find("\"prod\""), 6, "\"staging\"");
  ConfigFile a = parse(kBase), b = parse(text);
  ReloadPlan p = plan_reload(a.components, b.components);
  EXPECT_EQ(p.changed, std::vector<std::string>{"transforms.tag"});
  EXPECT_EQ(p.kept, (std::vector<std::string>{"sources.app", "sinks.out"}));
  EXPECT_EQ(p.summary(), "1 changed (transforms.tag), 0 added, 0 removed, 2 kept");
}

TEST(ReloadPlan, TypeAndInputsCount) {
  ConfigFile a = parse(kBase);
  std::string other_type = kBase;
  other_type.replace(other_type.find("type = \"set\""), 12, "type = \"rename\"");
  EXPECT_EQ(plan_reload(a.components, parse(other_type).components).changed,
            std::vector<std::string>{"transforms.tag"});
  std::string other_inputs = kBase;
  other_inputs.replace(other_inputs.find("inputs = [\"tag\"]"), 16, "inputs = [\"app\"]");
  EXPECT_EQ(plan_reload(a.components, parse(other_inputs).components).changed, std::vector<std::string>{"sinks.out"});
}

TEST(ReloadPlan, AddedRemovedAndRestarted) {
  ConfigFile a = parse(kBase);
  ConfigFile b = parse(R"(
[sources.app]
type = "file"
include = ["/var/log/app.log"]

[sinks.out]
type = "store"
inputs = ["app"]
stream = "app"

[sinks.copy]
type = "file"
inputs = ["app"]
path = "/tmp/copy"
)");
  ReloadPlan p = plan_reload(a.components, b.components, {"app"});
  EXPECT_EQ(p.changed, (std::vector<std::string>{"sources.app", "sinks.out"}));
  EXPECT_EQ(p.added, std::vector<std::string>{"sinks.copy"});
  EXPECT_EQ(p.removed, std::vector<std::string>{"transforms.tag"});
  EXPECT_TRUE(p.kept.empty());
}

TEST(ReloadPlan, SameComponentComparesTables) {
  ConfigFile a = parse(kBase), b = parse(kBase);
  EXPECT_TRUE(same_component(a.components[0], b.components[0]));
  EXPECT_FALSE(same_component(a.components[0], b.components[1]));
  ComponentSpec implicit_a{"sinks", "loki.store", "store", {"loki"}, nullptr, "t.toml:1:1"};
  ComponentSpec implicit_b = implicit_a;
  EXPECT_TRUE(same_component(implicit_a, implicit_b));
  implicit_b.inputs = {"other"};
  EXPECT_FALSE(same_component(implicit_a, implicit_b));
  EXPECT_FALSE(same_component(implicit_a, a.components[2]));
}

}  // namespace
}  // namespace sluice
