#include "pipeline/sinks/encoding.hpp"

#include "model/record_json.hpp"

namespace sluice {

void encode_batch(std::string& out, const LogBatch& batch, const std::string& encoding) {
  for (const LogRecord& r : batch.records) {
    if (encoding == "text") {
      out += r.body;
    } else {
      append_record_json(out, r);
    }
    out += '\n';
  }
  for (const MetricSample& m : batch.samples) {
    if (encoding == "text") {
      append_sample_text(out, m);
    } else {
      append_sample_json(out, m);
    }
    out += '\n';
  }
}

}  // namespace sluice
