// libFuzzer target: the config loader. Any bytes must give a config or an
// error naming the place; binding the sections must never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config_file.hpp"
#include "config/options.hpp"

namespace {
struct Section {
  std::string listen;
  uint64_t size = 0;
  std::chrono::nanoseconds every{};
  std::vector<std::string> list;
  std::string mode;
  bool flag = false;
  int64_t n = 0;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cf = sluice::parse_config(text, "fuzz.toml");
  if (!cf.ok()) return 0;
  static const sluice::OptionTable<Section> kTable = [] {
    sluice::OptionTable<Section> t;
    t.add_string("listen", &Section::listen, "x", "d")
        .add_size("max_bytes", &Section::size, "1MiB", "0", "1TiB", "d")
        .add_duration("interval", &Section::every, "1s", "0", "1d", "d")
        .add_string_list("include", &Section::list, {}, "d")
        .add_enum("mode", &Section::mode, "a", {"a", "b"}, "d")
        .add_bool("on", &Section::flag, false, "d")
        .add_integer("n", &Section::n, 1, 0, 10, "d");
    return t;
  }();
  Section s;
  (void)kTable.apply(cf->section("api"), &s, "api", "fuzz.toml");
  for (const auto& c : cf->components) {
    (void)kTable.apply(*c.table, &s, c.kind + "." + c.name, "fuzz.toml", {"type", "inputs"});
  }
  return 0;
}
