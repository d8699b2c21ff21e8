#include "config/options.hpp"

#include <gtest/gtest.h>

#include "config/config_file.hpp"
#include "config/units.hpp"

namespace sluice {
namespace {

TEST(Units, ParsesSizes) {
  EXPECT_EQ(*parse_size("64MiB"), 64ULL << 20);
  EXPECT_EQ(*parse_size("10GiB"), 10ULL << 30);
  EXPECT_EQ(*parse_size("10GB"), 10000000000ULL);
  EXPECT_EQ(*parse_size("1.5KiB"), 1536U);
  EXPECT_EQ(*parse_size("123"), 123U);
  EXPECT_FALSE(parse_size("12 parsecs").ok());
  EXPECT_FALSE(parse_size("MiB").ok());
  EXPECT_FALSE(parse_size("0.5B").ok());
}

TEST(Units, ParsesDurations) {
  using namespace std::chrono;
  EXPECT_EQ(*parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(*parse_duration("7d"), hours(24 * 7));
  EXPECT_EQ(*parse_duration("1h30m"), minutes(90));
  EXPECT_EQ(*parse_duration("0"), nanoseconds(0));
  EXPECT_FALSE(parse_duration("7 days").ok());
  EXPECT_FALSE(parse_duration("ms").ok());
  EXPECT_EQ(format_duration(minutes(90)), "1h30m");
  EXPECT_EQ(format_size(64ULL << 20), "64MiB");
}

struct Opts {
  std::string listen;
  uint64_t max = 0;
  std::chrono::nanoseconds every{};
  std::vector<std::string> include;
  std::string mode;
  bool on = false;
  int64_t n = 0;
};

OptionTable<Opts> table() {
  OptionTable<Opts> t;
  t.add_string("listen", &Opts::listen, "127.0.0.1:1", "where")
      .add_size("max_bytes", &Opts::max, "1MiB", "1KiB", "1GiB", "cap")
      .add_duration("interval", &Opts::every, "1s", "1ms", "1h", "period")
      .add_string_list("include", &Opts::include, {}, "globs", true)
      .add_enum("mode", &Opts::mode, "a", {"a", "b"}, "mode")
      .add_bool("on", &Opts::on, true, "switch")
      .add_integer("n", &Opts::n, 3, 1, 10, "count");
  return t;
}

toml::table parse(std::string_view s) { return toml::parse(s, std::string_view("test.toml")); }

TEST(OptionTable, AppliesDefaultsAndValues) {
  Opts o;
  ASSERT_TRUE(table()
                  .apply(parse("include = ['/a']\nmax_bytes = '2MiB'\ninterval = '250ms'\nn = 5"), &o, "x", "test.toml")
                  .ok());
  EXPECT_EQ(o.listen, "127.0.0.1:1");
  EXPECT_EQ(o.max, 2ULL << 20);
  EXPECT_EQ(o.every, std::chrono::milliseconds(250));
  EXPECT_EQ(o.include, std::vector<std::string>{"/a"});
  EXPECT_TRUE(o.on);
  EXPECT_EQ(o.n, 5);
}

TEST(OptionTable, UnknownKeyNamesFileLineAndNearestKey) {
  Opts o;
  Status st = table().apply(parse("include = ['/a']\n\nlisten_addr = 'x'\n"), &o, "api", "test.toml");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("test.toml:3:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("unknown key \"listen_addr\""), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("did you mean \"listen\""), std::string::npos) << st.message();
}

TEST(OptionTable, RejectsWrongTypesBoundsAndMissingRequired) {
  Opts o;
  auto t = table();
  EXPECT_FALSE(t.apply(parse("include = ['/a']\nmax_bytes = '2TiB'"), &o, "x", "f").ok());
  EXPECT_FALSE(t.apply(parse("include = ['/a']\nn = 11"), &o, "x", "f").ok());
  EXPECT_FALSE(t.apply(parse("include = '/a'"), &o, "x", "f").ok());
  EXPECT_FALSE(t.apply(parse("include = ['/a']\nmode = 'c'"), &o, "x", "f").ok());
  EXPECT_FALSE(t.apply(parse("include = ['/a']\non = 'yes'"), &o, "x", "f").ok());
  Status st = t.apply(parse("n = 2"), &o, "sources.x", "f");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("needs the key \"include\""), std::string::npos) << st.message();
}

TEST(ConfigFile, ParsesComponentsAndRejectsBadShapes) {
  auto cf = parse_config(R"(
[api]
listen = "127.0.0.1:7070"
[sources.nginx]
type = "file"
include = ["/var/log/nginx/*.log"]
[transforms.parsed]
type = "parse_regex"
inputs = ["nginx"]
[sinks.store]
type = "store"
inputs = ["parsed"]
stream = "nginx"
)",
                         "x.toml");
  ASSERT_TRUE(cf.ok()) << cf.status().to_string();
  ASSERT_EQ(cf->components.size(), 3U);
  for (const auto& c : cf->components) {
    if (c.name == "parsed") EXPECT_EQ(c.inputs, std::vector<std::string>{"nginx"});
    if (c.name == "nginx") EXPECT_TRUE(c.inputs.empty());
  }

  auto bad = parse_config("[stroe]\ndata_dir = 'x'\n", "x.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("x.toml:1:"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("did you mean \"store\""), std::string::npos);

  EXPECT_FALSE(parse_config("[sinks.s]\ntype = 'store'\n", "x.toml").ok());     // no inputs
  EXPECT_FALSE(parse_config("[sources.s]\ninputs = ['a']\n", "x.toml").ok());   // no type
  EXPECT_FALSE(parse_config("[sources.Bad]\ntype = 'file'\n", "x.toml").ok());  // bad name
  auto syntax = parse_config("[api\n", "x.toml");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("x.toml:1:"), std::string::npos) << syntax.status().message();
}

}  // namespace
}  // namespace sluice
