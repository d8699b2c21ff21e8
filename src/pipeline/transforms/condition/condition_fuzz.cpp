// libFuzzer target condition_fuzz: Condition::parse on arbitrary text, and
// every expression that parses evaluated against a few records. Checks that
// nothing crashes or hangs, that errors name a column, and that evaluation
// is deterministic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pipeline/transforms/condition/condition.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = sluice::Condition::parse(text);
  if (!c.ok()) {
    if (c.status().message().rfind("column ", 0) != 0 && c.status().message().rfind("longer than", 0) != 0) {
      std::abort();
    }
    return 0;
  }
  static const sluice::LogRecord* records = [] {
    static sluice::LogRecord r[3];
    r[0].body = "GET /healthz 200";
    r[0].severity_number = 9;
    r[0].attributes = {{"http.response.status_code", "503"}, {"a", ""}, {"user name", "x"}};
    r[1].body = "12.5";
    r[1].severity_text = "ERROR";
    r[1].resource = {{"service.name", "api"}};
    return r;
  }();
  for (int i = 0; i < 3; ++i) {
    if (c->matches(records[i]) != c->matches(records[i])) std::abort();
  }
  return 0;
}
