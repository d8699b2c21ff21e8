// LineGrouper: the batch-free core of the multiline transform. It runs a
// MultilineProgram (rules.hpp) over the lines of each key (a file) and
// emits joined records.
//
// Every line fed in comes out exactly once, in order per key, inside
// exactly one emitted record; a record's body is its lines joined with
// "\n". The record keeps the first line's other fields (timestamps,
// attributes, resource). Each emitted record lists the sequence numbers of
// the batches its lines came from (`seqs`, one entry per line), so the
// caller can hold back positions and acknowledgements.
//
// Limits: a group that would grow past max_lines lines or max_bytes body
// bytes is emitted first and the line continues in a new group of the same
// state; the pieces carry attributes["log.split"] = "first", "middle", ...,
// "last". A single line longer than max_bytes is never cut.
//
// Owner: the Multiline transform. Threads: one at a time. Invariant: every
// held group has at least one committed line (its head).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/log_record.hpp"
#include "pipeline/transforms/multiline/rules.hpp"

namespace sluice {

/// One record the grouper emits.
struct GroupedRecord {
  LogRecord record;
  std::vector<uint64_t> seqs;  ///< the batch sequence number of each line
  std::string tag;             ///< the tag of the group's key (the stream)
};

class LineGrouper {
 public:
  struct Limits {
    uint64_t max_lines = 1000;
    uint64_t max_bytes = 1 << 20;
    int64_t timeout_ns = 1'000'000'000;
  };

  LineGrouper(std::shared_ptr<const MultilineProgram> program, Limits limits)
      : program_(std::move(program)), limits_(limits) {}

  /// Handles one line of `key` (lines of different keys never join). `tag`
  /// is remembered with a group and returned with its record; `seq` names
  /// the batch the line came from; `now_ns` is monotonic time. Appends what
  /// is complete to `out`.
  void feed(const std::string& key, const std::string& tag, LogRecord&& line, uint64_t seq, int64_t now_ns,
            std::vector<GroupedRecord>& out);

  /// The tag of the first group that has had no line for timeout_ns, or
  /// nullopt when none is due.
  std::optional<std::string> due_tag(int64_t now_ns) const;
  /// Emits the groups with tag `tag` that have had no line for timeout_ns.
  /// Their tentative lines are handled afresh (and may be held again).
  void flush_due(const std::string& tag, int64_t now_ns, std::vector<GroupedRecord>& out);
  /// Emits everything held.
  void flush_all(std::vector<GroupedRecord>& out);

  size_t held_groups() const { return groups_.size(); }

 private:
  struct Line {
    LogRecord record;
    uint64_t seq = 0;
  };
  struct Group {
    std::string tag;
    LogRecord head;               // committed lines, joined into head.body
    std::vector<uint64_t> seqs;   // of the committed lines
    std::vector<Line> tentative;  // provisional lines, in order
    uint64_t lines = 0;           // committed + tentative
    uint64_t bytes = 0;           // joined body size incl. tentative lines
    int state = 0;
    int piece = 0;  // 0: not split (yet); n: the n+1-th piece of a split group
    int64_t last_ns = 0;
  };

  // Runs the lines queued in work_ for `key`.
  void run(const std::string& key, const std::string& tag, int64_t now_ns, std::vector<GroupedRecord>& out);
  void begin(const std::string& key, const std::string& tag, Line&& line, int state, int64_t now_ns);
  void join(Group& g, Line&& line, bool tentative, std::vector<GroupedRecord>& out);
  void commit_tentative(Group& g);
  // Emits the committed part of `g` (the piece flag set from `last`); its
  // tentative lines go to the front of work_.
  void emit(Group& g, bool last, std::vector<GroupedRecord>& out);

  std::shared_ptr<const MultilineProgram> program_;
  Limits limits_;
  std::unordered_map<std::string, Group> groups_;
  std::deque<Line> work_;  // lines waiting to be handled for the current key
};

}  // namespace sluice
