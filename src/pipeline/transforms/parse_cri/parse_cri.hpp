// parse_cri: parses the CRI container log format that kubelet and
// containerd/CRI-O write under /var/log/pods (Kubernetes CRI "logging"
// design, kubelet's pkg/kubelet/kuberuntime/logs parseCRILog):
//
//   2016-10-06T00:17:09.669794202Z stdout F the message
//   TIMESTAMP (RFC 3339, ns) SP STREAM (stdout|stderr) SP TAGS SP MESSAGE
//
// TAGS is ':'-separated; its first tag is "P" (partial: the runtime split
// a long line, more follows) or "F" (full: the line ends here). The record
// gets timestamp = TIMESTAMP, attributes["log.iostream"] = STREAM
// (OpenTelemetry semantic convention) and body = MESSAGE. A message may be
// empty ("... stdout F" with or without the final space).
//
// Partial lines are joined (partial_joiner.hpp): consecutive P pieces of
// the same file (attributes["log.file.path"], as the file source sets it)
// and stream are held, across batches, until the F piece; the joined
// record has the first piece's timestamp and attributes. A line held
// longer than partial_timeout without a new piece is emitted on its own,
// as is a line that reaches max_bytes, with attributes["log.split"] =
// "first" / "middle" / "last" on its parts.
//
// A line that is not in this format keeps its body and gets
// attributes["parse.error"], e.g. "parse_cri: expected stream stdout or
// stderr at byte 31, found \"stdin\""; it is passed on in order, and does
// not disturb a held line.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "config/options.hpp"
#include "pipeline/component.hpp"
#include "pipeline/transforms/parse_cri/partial_joiner.hpp"

namespace sluice {

/// Configuration of one parse_cri transform ([transforms.<name>] with
/// type = "parse_cri").
struct ParseCriOptions {
  /// How long a partial line is held without a new piece before it is
  /// emitted on its own.
  std::chrono::nanoseconds partial_timeout = std::chrono::seconds(5);
  /// Largest joined body; beyond it the held part is emitted with log.split.
  uint64_t max_bytes = 1 << 20;
};

/// The option table: partial_timeout, max_bytes (plus "type", "inputs").
const OptionTable<ParseCriOptions>& parse_cri_option_table();

/// How often a joining transform asks to be flushed: a fifth of the
/// timeout, within [10ms, 1s].
std::chrono::nanoseconds partial_flush_interval(std::chrono::nanoseconds timeout);

/// The transform. Built by make_parse_cri; owned by the pipeline;
/// process() and flush() are called by one thread at a time.
class ParseCri final : public Transform {
 public:
  /// `clock` (monotonic ns) is for tests; empty = steady_clock.
  explicit ParseCri(const ParseCriOptions& options, PartialJoiner::Clock clock = {});

  void process(LogBatch& batch) override;
  std::chrono::nanoseconds flush_interval() const override { return flush_interval_; }
  void flush(LogBatch& out, bool final) override;

  /// Parses one CRI line in place (timestamp, log.iostream, body) and says
  /// whether it is a partial or final piece; kOther with parse.error set
  /// when it is not a CRI line.
  static LinePiece parse_record(LogRecord& rec);

  const PartialJoiner& joiner() const { return joiner_; }

 private:
  PartialJoiner joiner_;
  std::chrono::nanoseconds flush_interval_;
};

/// Builds a parse_cri transform. InvalidArgument names the bad option.
Result<std::unique_ptr<Transform>> make_parse_cri(const ParseCriOptions& options);

}  // namespace sluice
