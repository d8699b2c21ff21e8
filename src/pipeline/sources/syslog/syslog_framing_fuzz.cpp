// libFuzzer target syslog_framing_fuzz: the RFC 6587 frame decoder on an
// arbitrary byte stream. The first byte picks the framing and a small
// max_message_bytes; the rest is fed in chunks whose sizes come from the
// input. Checks: no crash; every frame fits max_message_bytes; the buffer
// stays bounded; the same stream fed in one piece gives the same frames.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "pipeline/sources/syslog/syslog_framing.hpp"

namespace {

struct Outcome {
  std::vector<std::string> frames;
  bool failed = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  auto framing = static_cast<sluice::SyslogFraming>(data[0] % 3);
  size_t max = 1 + (data[0] >> 2) * 4;  // 1..253
  size_t chunk = 1 + data[1] % 17;
  std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

  auto run = [&](size_t step) {
    Outcome out;
    sluice::SyslogFrameDecoder d(framing, max);
    auto fn = [&](const sluice::SyslogFrame& f) {
      if (f.text.size() > max) std::abort();
      out.frames.emplace_back(f.text);
      out.frames.back() += static_cast<char>('0' + static_cast<int>(f.part));
    };
    for (size_t p = 0; p < stream.size(); p += step) {
      if (!d.feed(stream.substr(p, step), fn).ok()) {
        out.failed = true;
        return out;
      }
      if (d.buffered_bytes() > max + 12 + step) std::abort();
    }
    out.failed = !d.finish(fn).ok();
    return out;
  };
  Outcome whole = run(stream.size() == 0 ? 1 : stream.size());
  Outcome pieces = run(chunk);
  if (whole.failed != pieces.failed || whole.frames != pieces.frames) std::abort();
  return 0;
}
