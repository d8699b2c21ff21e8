// libFuzzer target parse_regex_kernel_fuzz: the linux_kernel preset on an
// arbitrary line (the first 8 bytes, when present, are the observed time).
// Checks that the body is kept and that netfilter and OOM fields come
// complete.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "pipeline/transforms/parse_regex/parse_regex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto transform = [] {
    sluice::ParseRegexOptions o;
    o.preset = "linux_kernel";
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
  transform->process_record(rec);
  if (rec.body != line) std::abort();
  const std::string* event = sluice::find_key_value(rec.attributes, "linux.kernel.event");
  if (event != nullptr && *event == "netfilter" &&
      (sluice::find_key_value(rec.attributes, "source.address") == nullptr ||
       sluice::find_key_value(rec.attributes, "network.transport") == nullptr)) {
    std::abort();
  }
  if (event != nullptr && *event == "oom_kill" && sluice::find_key_value(rec.attributes, "process.pid") == nullptr) {
    std::abort();
  }
  return 0;
}
