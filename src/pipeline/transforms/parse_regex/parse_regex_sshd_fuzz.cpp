// libFuzzer target parse_regex_sshd_fuzz: the sshd preset on an arbitrary
// line (the first 8 bytes, when present, are the observed time, for the
// syslog header's year inference). Checks that the hand-written scanner
// matches exactly what RE2 matches with the preset's pattern, that the body
// is kept, and that a match always names the event (else parse.error).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "pipeline/transforms/parse_regex/parse_regex.hpp"
#include "pipeline/transforms/parse_regex/presets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto transform = [] {
    sluice::ParseRegexOptions o;
    o.preset = "sshd";
    auto t = sluice::ParseRegex::create(o);
    if (!t.ok()) std::abort();
    return std::move(t).value();
  }();
  sluice::LogRecord rec;
  rec.observed_timestamp_ns = 1'795'273'200'000'000'000;
  if (size >= 8) {
    std::memcpy(&rec.observed_timestamp_ns, data, 8);
    data += 8;
    size -= 8;
  }
  rec.body.assign(reinterpret_cast<const char*>(data), size);
  const std::string line = rec.body;
  static const RE2 re(std::string(sluice::parse_regex_detail::kSshd.pattern),
                      sluice::parse_regex_detail::preset_re2_options());
  std::string diff = sluice::parse_regex_detail::compare_scan_with_re2(sluice::parse_regex_detail::kSshd, re, line);
  if (!diff.empty()) {
    std::fprintf(stderr, "scanner and RE2 disagree: %s\n", diff.c_str());
    std::abort();
  }
  transform->process_record(rec);
  if (rec.body != line) std::abort();
  if (sluice::find_key_value(rec.attributes, "sshd.event") == nullptr &&
      sluice::find_key_value(rec.attributes, "parse.error") == nullptr) {
    std::abort();
  }
  return 0;
}
