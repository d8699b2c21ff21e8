// Source positions of batches that reach one sink by more than one path.
//
// A sink commits a batch's positions once it has written the batch. When a
// source's batches reach the same sink twice (a route with two outputs into
// one sink, or a diamond: `parse_a` and `parse_b` both reading `app`, both
// read by `out`), each copy must be committed apart: committing the first
// copy's positions would let a restart skip the second copy's records, and a
// `sluice` server, which takes a batch whose positions are already committed
// for a retry, would drop the second copy even without a restart.
//
// So at a component whose outputs meet again downstream, each copy's
// position keys get a suffix naming the edge it took, appended in path
// order: "#via:<component>><consumer>", or "#via:<component>.<output>" for
// a named output with one consumer (which keeps its name when the
// transforms after it are reordered). A sink then holds one position per
// path and key ("9:12:ab#via:app>parse_a", "9:12:ab#via:app>parse_b").
// Edges that lead to no shared component get no suffix, so a topology
// without such paths keeps the position keys it always had.
//
// A source resumes from the smallest position over every sink and path
// (plan_resume), so what the others had got is read again: the source
// ends a batch at each of their positions (SourceContext::resume_cuts) and
// flags what it reads again (SourcePosition::replay), and a sink skips a
// flagged batch it had written (ResumePlan::ahead, Pipeline). The same
// holds for several sinks with one path each.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace sluice {

/// The suffix that marks positions that took the edge from `from` (a
/// component, or "<component>.<output>") to the component `to` (empty: the
/// output's only consumer, left unnamed).
std::string path_suffix(const std::string& from, const std::string& to);

/// One sink's committed positions for a source, and the position-key
/// suffixes of the paths by which the source reaches it ({""} for one path
/// with no marked edge).
struct SinkPathPositions {
  std::unordered_map<std::string, uint64_t> committed;  ///< key (with suffix) -> offset
  std::vector<std::string> suffixes;                    ///< one per path, distinct
};

/// Where a source resumes, and what is read again.
struct ResumePlan {
  /// Per input key, the smallest offset over every (sink, path) pair, or 0
  /// when a pair has none for it (a new sink or path reads the key from its
  /// start): SourceContext::committed.
  std::unordered_map<std::string, uint64_t> committed;
  /// Per input key, the pairs' other offsets above it, ascending: where the
  /// source ends a batch as it reads the key again
  /// (SourceContext::resume_cuts).
  std::unordered_map<std::string, std::vector<uint64_t>> cuts;
  /// Per sink (in the order given), its keys (as it gets them now, with
  /// their marks) whose offset is above `committed`: the batches read
  /// again up to it were written by that sink before, which skips them.
  std::vector<std::unordered_map<std::string, uint64_t>> ahead;
};

/// Plans a source's resumption from its sinks' positions. A committed key
/// is matched to the longest of its sink's suffixes that ends it, and
/// counts for that pair under the key before the suffix. A key that no
/// suffix ends (marked for paths of an earlier topology) counts for no
/// pair, except for a sink with one path that is marked: there a key
/// without that path's suffix, whose marked form the sink lacks, counts
/// for it (the sink had one path before an edge above it was marked). A
/// marked key of a sink with one unmarked path counts under its whole key
/// (a sluice server holds its agents' marked keys). Either way
/// its part before the first mark gets at least an offset of 0: its input
/// was read before, so it is read again rather than taken for a new one
/// (which `start_at = "end"` would skip).
ResumePlan plan_resume(const std::vector<SinkPathPositions>& sinks);

}  // namespace sluice
