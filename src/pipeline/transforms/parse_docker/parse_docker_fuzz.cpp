// libFuzzer target parse_docker_fuzz: the parse_docker transform over
// newline-separated input lines, all of one file, cut into batches at
// '\x01'. Checks that no byte of a "log" is lost or duplicated through
// joining and splitting, and that after the final flush nothing is held.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pipeline/transforms/parse_docker/parse_docker.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int64_t now = 0;
  sluice::ParseDockerOptions o;
  o.partial_timeout = std::chrono::milliseconds(100);
  o.max_bytes = 64;
  sluice::ParseDocker t(o, [&now] { return now; });
  static sluice::ParseDocker reference{sluice::ParseDockerOptions{}};
  std::string_view in(reinterpret_cast<const char*>(data), size);
  uint64_t expected = 0, got = 0;
  sluice::LogBatch batch;
  auto run = [&] {
    t.process(batch);
    for (const auto& r : batch.records) got += r.body.size();
    batch = sluice::LogBatch{};
    now += 60'000'000;
    sluice::LogBatch out;
    t.flush(out, false);
    for (const auto& r : out.records) got += r.body.size();
  };
  size_t p = 0;
  while (p <= in.size()) {
    size_t e = in.find_first_of("\n\x01", p);
    if (e == std::string_view::npos) e = in.size();
    sluice::LogRecord rec;
    rec.body.assign(in.substr(p, e - p));
    rec.attributes = {{"log.file.path", "/c.log"}};
    sluice::LogRecord copy = rec;
    (void)reference.parse_record(copy);
    expected += copy.body.size();
    batch.records.push_back(std::move(rec));
    if (e < in.size() && in[e] == '\x01') run();
    p = e + 1;
  }
  run();
  sluice::LogBatch out;
  t.flush(out, true);
  for (const auto& r : out.records) got += r.body.size();
  if (got != expected) std::abort();
  if (t.joiner().held_lines() != 0) std::abort();
  return 0;
}
