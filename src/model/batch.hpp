// LogBatch: the unit that pipeline stages pass to each other and that the
// store appends as one WAL entry.
//
// A batch carries, besides its records, the source positions it advances:
// after the batch is durable, each listed file has been consumed up to
// `offset`. Positions are committed atomically with the data in the same WAL
// entry (ARCHITECTURE.md "End-to-end acknowledgement").
//
// Thread-safety: a plain value type; moved between stages, never shared.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/log_record.hpp"

namespace sluice {

/// How far a source has consumed one of its inputs.
struct SourcePosition {
  std::string source;   ///< component name, e.g. "nginx"
  std::string key;      ///< input identity, e.g. file "dev:inode:fingerprint"
  uint64_t offset = 0;  ///< bytes consumed (exclusive end)
  std::string path;     ///< last known path, for operators only

  bool operator==(const SourcePosition&) const = default;
};

struct LogBatch {
  std::vector<LogRecord> records;
  /// Positions reached once every record of this batch is stored.
  std::vector<SourcePosition> positions;

  bool empty() const { return records.empty() && positions.empty(); }
};

}  // namespace sluice
