// libFuzzer target parse_regex_nginx_fuzz: the nginx_combined preset on an
// arbitrary line, and a differential check that its hand-written scanner
// matches exactly what RE2 matches with the preset's pattern.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pipeline/transforms/parse_regex/parse_regex.hpp"
#include "pipeline/transforms/parse_regex/presets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sluice::parse_regex_detail::kNginxCombined;
  static const RE2 re(std::string(kNginxCombined.pattern), sluice::parse_regex_detail::preset_re2_options());
  static auto transform = [] {
    sluice::ParseRegexOptions o;
    o.preset = "nginx_combined";
    auto t = sluice::ParseRegex::create(o);
    if (!t.ok()) std::abort();
    return std::move(t).value();
  }();
  std::string line(reinterpret_cast<const char*>(data), size);
  std::string diff = sluice::parse_regex_detail::compare_scan_with_re2(kNginxCombined, re, line);
  if (!diff.empty()) {
    std::fprintf(stderr, "scanner and RE2 disagree: %s\n", diff.c_str());
    std::abort();
  }
  sluice::LogRecord rec;
  rec.body = line;
  transform->process_record(rec);
  // The body stays, or goes (keep_body unset) from a line parsed cleanly.
  const bool parsed = sluice::find_key_value(rec.attributes, "http.response.status_code") != nullptr &&
                      sluice::find_key_value(rec.attributes, "parse.error") == nullptr;
  if (rec.body != line && !(rec.body.empty() && parsed)) std::abort();
  return 0;
}
