// JournalProgress: how far the journald source has read, kept as source
// positions so that a restart — after a clean stop or kill -9 — emits every
// entry exactly once.
//
// The store keeps positions as uint64 offsets under string keys, committed
// atomically with the data of the batch that advances them; when a source
// feeds several sinks, the engine hands back the smallest offset of each
// key. A journal cursor is a string, so it is not stored whole. Instead:
//
//   key "seqnum:<seqnum id>"  offset = the next seqnum to emit in that
//                             sequence (the last emitted + 1)
//   key "start_realtime_usec" offset = when the source first started with
//                             start_at = "end" (entries of sequences it has
//                             never emitted from and that are older than
//                             this were "already there" and are skipped)
//
// An entry (id, n) is emitted iff n >= next[id]; after that next[id] = n + 1.
// Seqnums only grow within a sequence and the journal returns a sequence's
// entries in seqnum order, so this is exact for any number of sequences and
// files. Each key's offset only grows, so the engine's minimum over several
// sinks is a consistent older position (the sink that was ahead then gets
// again what the one behind had not stored, as with every source). The
// number of keys is the number of sequences ever read: one per boot for a
// volatile journal, about one in total for a persistent one.
//
// Resuming: the reader seeks to "s=<id>;i=<next[id]>" for the sequence of
// the journal's last entry when it has a position (entries of other
// sequences are then read from their beginning and filtered), else to the
// head; see journald_source.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/batch.hpp"
#include "pipeline/sources/journald/journal_entry.hpp"

namespace sluice {

/// Position key of a sequence: "seqnum:<32 hex digits>".
std::string journal_sequence_key(std::string_view seqnum_id);
/// Position key of the start_at = "end" instant.
inline constexpr std::string_view kJournalStartKey = "start_realtime_usec";

/// Owner: the journald source's reader thread; one thread at a time.
/// Invariant: next(id) never decreases.
class JournalProgress {
 public:
  /// From the committed positions of the source (SourceContext::committed);
  /// keys that are neither sequence keys nor kJournalStartKey are ignored.
  explicit JournalProgress(const std::unordered_map<std::string, uint64_t>& committed);

  /// True when nothing was ever committed: the first start, where
  /// start_at applies.
  bool first_start() const { return next_.empty() && start_usec_ == 0; }
  /// The next seqnum to emit in `seqnum_id`, if the sequence is known.
  std::optional<uint64_t> next(std::string_view seqnum_id) const;
  /// 0 when start_at = "end" never applied.
  uint64_t start_usec() const { return start_usec_; }
  void set_start_usec(uint64_t usec) { start_usec_ = usec; }

  /// Whether the entry at `at`, received at `realtime_usec`, is to be
  /// emitted: not already emitted, and not older than start_usec() in a
  /// sequence never emitted from.
  bool should_emit(const JournalSeqnum& at, uint64_t realtime_usec) const;
  /// Records that the entry at `at` was emitted (next = seqnum + 1).
  void advance(const JournalSeqnum& at);

  /// The positions to attach to a batch: one per sequence in `ids` (those
  /// advanced by the batch), `source` and `path` as given.
  std::vector<SourcePosition> positions(const std::string& source, const std::vector<std::string>& ids,
                                        const std::string& path) const;

 private:
  std::unordered_map<std::string, uint64_t> next_;  ///< seqnum id -> next seqnum
  uint64_t start_usec_ = 0;
};

}  // namespace sluice
