// libFuzzer target parse_logfmt_fuzz: the logfmt decoder and the
// parse_logfmt transform on an arbitrary line. Checks that the record
// survives, that a failed parse leaves the body and adds only parse.error,
// and that decoding is deterministic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pipeline/transforms/parse_logfmt/logfmt.hpp"
#include "pipeline/transforms/parse_logfmt/parse_logfmt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sluice::ParseLogfmt transform{sluice::ParseLogfmtOptions{}};
  const std::string line(reinterpret_cast<const char*>(data), size);
  sluice::KeyValues a, b;
  sluice::Status sa = sluice::decode_logfmt(line, a);
  sluice::Status sb = sluice::decode_logfmt(line, b);
  if (sa.ok() != sb.ok() || a != b) std::abort();
  if (sa.ok()) {
    for (const auto& [k, v] : a) {
      if (k.empty()) std::abort();
    }
  }
  sluice::LogBatch batch;
  batch.records.resize(1);
  batch.records[0].body = line;
  transform.process(batch);
  if (batch.records.size() != 1) std::abort();
  const sluice::LogRecord& rec = batch.records[0];
  if (!sa.ok() && (rec.body != line || rec.attributes.size() != 1)) std::abort();
  return 0;
}
