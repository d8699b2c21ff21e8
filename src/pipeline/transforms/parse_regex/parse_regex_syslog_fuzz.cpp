// libFuzzer target parse_regex_syslog_fuzz: the syslog_rfc3164 preset on an
// arbitrary line. The first 8 bytes (when present) are the observed time,
// so that year inference is exercised too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "pipeline/transforms/parse_regex/parse_regex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto transform = [] {
    sluice::ParseRegexOptions o;
    o.preset = "syslog_rfc3164";
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
  std::string line = rec.body;
  transform->process_record(rec);
  if (rec.body != line) std::abort();
  return 0;
}
