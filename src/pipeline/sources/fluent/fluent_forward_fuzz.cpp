// libFuzzer target: arbitrary bytes as a Fluent Forward connection stream.
// The decoder must never crash, hang or allocate past its limits, and
// splitting the stream at any point must not change what it decodes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/assert.hpp"
#include "pipeline/sources/fluent/fluent_record.hpp"
#include "pipeline/sources/fluent/forward_decoder.hpp"

namespace {

// Decodes `stream` fed in two parts split at `split`; returns a digest of
// everything decoded (or of the error) for comparison.
std::string run(std::string_view stream, size_t split) {
  sluice::ForwardDecoderLimits limits;
  limits.max_frame_bytes = 64 * 1024;
  limits.max_decompressed_bytes = 256 * 1024;
  sluice::ForwardDecoder d(limits);
  std::string digest;
  for (std::string_view part : {stream.substr(0, split), stream.substr(split)}) {
    sluice::Status st = d.feed(part);
    if (!st.ok()) return digest + "|error";
    while (true) {
      auto m = d.next();
      if (!m.ok()) return digest + "|error";
      if (!m->has_value()) break;
      sluice::ForwardMessage& msg = **m;
      digest += "|m" + std::to_string(static_cast<int>(msg.kind())) + msg.tag() + msg.chunk();
      (void)msg.check_remaining();
      sluice::ForwardEvent e;
      while (true) {
        auto more = msg.next_event(&e);
        if (!more.ok()) return digest + "|event error";
        if (!*more) break;
        sluice::LogRecord r = sluice::fluent_log_record(msg.tag(), std::move(e), {}, 1);
        digest += "|e" + std::to_string(r.timestamp_ns) + r.body + std::to_string(r.attributes.size());
      }
    }
  }
  return digest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  std::string whole = run(stream, size);
  size_t split = size == 0 ? 0 : data[0] % (size + 1);
  std::string parts = run(stream, split);
  SLUICE_ASSERT(whole == parts, "splitting the stream changed the decoded result");
  return 0;
}
