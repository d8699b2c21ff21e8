// How the file, stdout and http sinks turn a batch into bytes.
//   ndjson: one OpenTelemetry-shaped JSON object per line (record_json.hpp),
//           which `POST /api/v1/streams/{s}/records` reads back unchanged;
//   text:   the body of each record, one per line.
// Metric samples follow the records: in ndjson as sample objects
// (append_sample_json), in text as Prometheus exposition lines.
#pragma once

#include <string>

#include "config/options.hpp"
#include "model/batch.hpp"

namespace sluice {

/// Names accepted by the `encoding` option.
inline const std::vector<std::string>& sink_encodings() {
  static const std::vector<std::string> kNames = {"ndjson", "text"};
  return kNames;
}

/// Appends every record of `batch` to `out` in `encoding` ("ndjson" or
/// "text"), each line ending in '\n'.
void encode_batch(std::string& out, const LogBatch& batch, const std::string& encoding);

}  // namespace sluice
