// libFuzzer target parse_cri_fuzz: the parse_cri transform over a stream of
// lines cut into batches by the input. Each line is "F", "f" (two files)
// plus the rest of the line; '\x01' in the input ends a batch, '\x02'
// advances the clock past the timeout. Checks that no byte is lost or
// duplicated (the bodies that leave equal the messages of the CRI lines
// plus the bodies of the other lines), and that after the final flush
// nothing is held or withheld.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pipeline/transforms/parse_cri/parse_cri.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int64_t now = 0;
  sluice::ParseCriOptions o;
  o.partial_timeout = std::chrono::milliseconds(100);
  o.max_bytes = 64;
  sluice::ParseCri t(o, [&now] { return now; });
  std::string_view in(reinterpret_cast<const char*>(data), size);
  uint64_t expected = 0, got = 0;
  sluice::LogBatch batch;
  uint64_t offset = 0;
  auto run = [&] {
    t.process(batch);
    for (const auto& r : batch.records) got += r.body.size();
    batch = sluice::LogBatch{};
    sluice::LogBatch out;
    t.flush(out, false);
    for (const auto& r : out.records) got += r.body.size();
  };
  size_t p = 0;
  while (p < in.size()) {
    size_t e = in.find_first_of("\n\x01\x02", p);
    if (e == std::string_view::npos) e = in.size();
    std::string_view text = in.substr(p, e - p);
    if (!text.empty()) {
      sluice::LogRecord rec;
      rec.body.assign(text.substr(1));
      rec.attributes = {{"log.file.path", text[0] == 'f' ? "/f" : "/F"}};
      sluice::LogRecord copy = rec;
      (void)sluice::ParseCri::parse_record(copy);
      expected += copy.body.size();
      batch.records.push_back(std::move(rec));
      offset += text.size() + 1;
      batch.positions = {{"src", text[0] == 'f' ? "kf" : "kF", offset, text[0] == 'f' ? "/f" : "/F"}};
    }
    if (e < in.size() && in[e] == '\x01') run();
    if (e < in.size() && in[e] == '\x02') {
      run();
      now += 200'000'000;
    }
    p = e + 1;
  }
  run();
  sluice::LogBatch out;
  t.flush(out, true);
  for (const auto& r : out.records) got += r.body.size();
  if (got != expected) std::abort();
  if (t.joiner().held_lines() != 0 || t.joiner().withheld_positions() != 0) std::abort();
  return 0;
}
