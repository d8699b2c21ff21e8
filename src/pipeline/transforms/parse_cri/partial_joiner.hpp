// PartialJoiner: joins the pieces of container log lines that a container
// runtime split, for parse_cri (CRI "P" lines) and parse_docker (json-file
// lines whose "log" lacks the final "\n"), across batches.
//
// A line's pieces are keyed by the caller (file path + stream) plus the
// batch's stream. Partial pieces are held; the final piece completes the
// line, which is emitted in the final piece's place: the first piece's
// record (timestamp, attributes) with the pieces' bodies concatenated.
// Held pieces are emitted on their own, with attributes["log.split"]:
//   - when a line would grow past max_bytes: what is held goes out as
//     "first" (or "middle" when an earlier part already went), and the line
//     continues in a new record; its final piece is then marked "last";
//   - when no piece arrived for `timeout` (flush()): as "first"/"middle";
//     a final piece arriving later for the same key is marked "last" (the
//     last 4096 such keys are remembered);
//   - when the pipeline stops (flush(final)).
//
// Acknowledgements and positions (component.hpp): a held piece keeps a
// reference to the acknowledgements of every batch it came from; they go
// with the batch that finally carries the joined record. A batch's source
// positions are withheld while a held piece came from the same input: a
// position is released, in the batch that carries the joined record (or a
// later one), once no held piece was read from that position's (source,
// key). A held piece blocks the positions of its own batches whose path is
// the piece's log.file.path, or every position of its batches when none
// matches (the input is unknown). So a crash never commits a file offset
// past a line that was not stored.
//
// Thread-safety: one thread at a time (the transform's); not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/batch.hpp"

namespace sluice {

/// What a transform's parser found in one record.
struct LinePiece {
  enum class Kind {
    kOther,    ///< not a piece of a split line (a whole line, a parse error): passes through
    kPartial,  ///< a piece to hold until the line's final piece
    kFinal,    ///< the last piece of a line (or a whole line)
  };
  Kind kind = Kind::kOther;
  /// Join key: pieces with equal keys (and batch streams) are one line.
  std::string key;
  /// The input the piece was read from (log.file.path), "" when unknown.
  std::string path;
};

class PartialJoiner {
 public:
  /// Monotonic time in ns.
  using Clock = std::function<int64_t()>;

  /// Keys remembered as "continued" after a split emission.
  static constexpr size_t kMaxContinued = 4096;

  /// `timeout` > 0, `max_bytes` > 0. `clock` defaults to steady_clock.
  PartialJoiner(std::chrono::nanoseconds timeout, uint64_t max_bytes, Clock clock = {});

  /// Runs `parse(LogRecord&) -> LinePiece` on every record of `batch`; the
  /// parser rewrites the record (body = the piece's text) and classifies it.
  /// Pieces are held or joined as described above; the batch ends up with
  /// its records in order (joined records in their final piece's place),
  /// the positions that may be committed and the acknowledgements of the
  /// lines it carries.
  template <class Parse>
  void process(LogBatch& batch, Parse&& parse) {
    std::vector<LogRecord> out;
    out.reserve(batch.records.size());
    for (LogRecord& rec : batch.records) {
      LinePiece piece = parse(rec);
      if (piece.kind == LinePiece::Kind::kOther) {
        out.push_back(std::move(rec));
      } else {
        add(batch, std::move(rec), std::move(piece), out);
      }
    }
    batch.records = std::move(out);
    settle_positions(batch);
  }

  /// Emits into `out` the held lines that waited `timeout` (all of them
  /// with `final`), their acknowledgements, and the withheld positions that
  /// are free (all with `final`). One call emits lines of one batch stream
  /// (out.stream), except with `final`.
  void flush(LogBatch& out, bool final);

  /// Lines currently held (with at least one piece).
  size_t held_lines() const;
  /// Positions currently withheld.
  size_t withheld_positions() const { return withheld_.size(); }

 private:
  struct Line {
    LogRecord rec;  // the first piece's record, body = pieces so far
    bool has_data = false;
    bool continued = false;  // an earlier part was emitted with log.split
    int64_t last_ns = 0;     // when the last piece arrived (or the split was emitted)
    std::string path;
    std::string stream;  // LogBatch::stream of its batches
    std::vector<std::shared_ptr<Acknowledgement>> acks;
    std::vector<std::pair<std::string, std::string>> blocks;  // (source, key) of positions to withhold
  };

  void add(LogBatch& batch, LogRecord&& rec, LinePiece&& piece, std::vector<LogRecord>& out);
  /// Moves `line`'s record into `out` with log.split = `part` ("" = whole)
  /// and its acknowledgements into `acks`; the line keeps only its
  /// continuation state.
  void emit(Line& line, std::string_view part, std::vector<LogRecord>& out,
            std::vector<std::shared_ptr<Acknowledgement>>& acks);
  /// Merges withheld positions with the batch's, keeps the blocked ones.
  void settle_positions(LogBatch& batch);
  bool blocked(const SourcePosition& p) const;
  /// Forgets the oldest continuation markers beyond kMaxContinued.
  void trim_continued();

  std::chrono::nanoseconds timeout_;
  uint64_t max_bytes_;
  Clock clock_;
  std::map<std::string, Line> lines_;  // by key + '\0' + batch stream
  std::vector<SourcePosition> withheld_;
  std::vector<std::shared_ptr<Acknowledgement>> pending_acks_;  // for the batch being processed
};

}  // namespace sluice
