// multiline: joins consecutive lines into one record (stack traces, wrapped
// messages), per file: lines with different `group_by` values (by default
// the file source's log.file.path) never join.
//
// Configure either a preset (java, python, go: rules.cpp) or Vector's
// model: `start_pattern` begins a record when none is held, then `mode`
// applies `condition_pattern` to each following line:
//   continue_through  matching lines join; the first other line ends it
//   continue_past     matching lines join, plus the first other line
//   halt_before       other lines join; a matching line ends it and
//                     begins the next (default; condition_pattern defaults
//                     to start_pattern, so start_pattern alone means "a
//                     line matching this starts a new record")
//   halt_with         other lines join, up to and including a matching one
// A held record is emitted after `timeout` without a line for its key
// (Transform::flush), and at shutdown. max_lines / max_bytes cut a record
// into pieces flagged attributes["log.split"] (line_grouper.hpp).
//
// Positions and acknowledgements (LogBatch): a batch whose lines are held
// must not commit its source positions before those lines are written, or a
// crash would lose them. So each batch's positions and acks wait, in batch
// order, until none of its lines is held any more, and go out with the
// batch that carries the last of them; an output batch also carries the
// acks of every batch whose lines it contains.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/options.hpp"
#include "pipeline/component.hpp"
#include "pipeline/transforms/condition/field_path.hpp"
#include "pipeline/transforms/multiline/line_grouper.hpp"

namespace sluice {

/// [transforms.<name>] type = "multiline".
struct MultilineOptions {
  std::string preset;             ///< "java", "python", "go"; or the patterns below
  std::string start_pattern;      ///< RE2
  std::string condition_pattern;  ///< RE2; default start_pattern (halt_before only)
  std::string mode = "halt_before";
  std::chrono::nanoseconds timeout = std::chrono::seconds(1);
  int64_t max_lines = 1000;
  uint64_t max_bytes = 1 << 20;
  std::vector<std::string> group_by = {"attributes.log.file.path"};
};

const OptionTable<MultilineOptions>& multiline_option_table();

/// The transform. Owned by the pipeline; process() and flush() are called
/// by one thread. Invariant: pending_[i] belongs to batch base_seq_ + i and
/// its `held` counts that batch's lines still inside the grouper.
class Multiline final : public Transform {
 public:
  /// Monotonic time in nanoseconds; tests inject a fake.
  using Clock = std::function<int64_t()>;

  /// InvalidArgument when neither or both of preset and start_pattern are
  /// set, a pattern does not compile, the mode or preset is unknown, or a
  /// group_by path is invalid.
  static Result<std::unique_ptr<Multiline>> create(const MultilineOptions& options, Clock clock = nullptr);

  /// Use create(), or this with a program compiled once (fuzzing, tests):
  /// lines whose `group_by` values differ never join.
  Multiline(std::shared_ptr<const MultilineProgram> program, LineGrouper::Limits limits,
            std::vector<FieldPath> group_by, Clock clock)
      : grouper_(std::move(program), limits),
        timeout_(limits.timeout_ns),
        clock_(std::move(clock)),
        group_by_(std::move(group_by)) {}

  void process(LogBatch& batch) override;
  /// A quarter of the timeout, between 1ms and 250ms.
  std::chrono::nanoseconds flush_interval() const override;
  void flush(LogBatch& out, bool final) override;

  /// Batches whose positions are still held back (for tests).
  size_t held_batches() const { return pending_.size(); }

 private:
  struct Pending {
    std::vector<SourcePosition> positions;
    std::vector<std::shared_ptr<Acknowledgement>> acks;
    uint64_t held = 0;
  };
  std::string key_of(const LogRecord& rec, const std::string& stream) const;
  // Moves `emitted_` into `out`, with the acks of the batches of its lines.
  void deliver(LogBatch& out);
  // Moves the positions and acks of the leading batches with nothing held.
  void release(LogBatch& out);

  LineGrouper grouper_;
  int64_t timeout_;
  Clock clock_;
  std::vector<FieldPath> group_by_;
  std::deque<Pending> pending_;
  uint64_t base_seq_ = 0;
  std::vector<GroupedRecord> emitted_;  // reused
  std::string scratch_;
};

Result<std::unique_ptr<Transform>> make_multiline(const MultilineOptions& options);

}  // namespace sluice
