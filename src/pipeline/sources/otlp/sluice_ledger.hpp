// SluiceLedger: the `otlp` source's view of which agent positions are
// durable, for exactly-once delivery from `sluice` sinks (sluice_protocol.hpp).
//
// It holds, per server key "<agent>/<source>/<key>", the highest offset whose
// batch is durable: loaded from the source's committed positions at start
// (recovered from the store, where each batch's positions sit in the same WAL
// entry as its records) and raised by commit() once a batch is delivered. A
// request whose every position is at or below the committed one is a
// duplicate (a retry after a lost answer, or an agent that restarted behind
// the server): it is answered success without storing. A position marked
// `reset` (its key's offset went back, sluice_protocol.hpp) is committed only
// when equal to the committed offset, and commit() replaces the offset.
//
// Requests of one agent are serialized by turns: a turn is taken before the
// duplicate check and released only when the batch's delivery has ended
// (the acknowledgement fired), not when the request was answered, so a retry
// that follows a time-out (503) waits for the first attempt's outcome instead
// of storing the batch a second time. The positions endpoint takes a turn too,
// so an agent that restarts reads positions that include its last batch.
//
// Ownership: a handle; copies share one state, which lives as long as the
// last copy or Turn (acknowledgement callbacks may outlive a request).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {

class SluiceLedger {
 public:
  SluiceLedger();

  /// Raises the committed offsets to `committed` (server keys, as in
  /// SourceContext::committed).
  void load(const std::unordered_map<std::string, uint64_t>& committed);

  /// An agent's exclusive turn; released when destroyed.
  class Turn {
   public:
    ~Turn();
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;

   private:
    friend class SluiceLedger;
    struct State;
    Turn(std::shared_ptr<State> state, std::string agent) : state_(std::move(state)), agent_(std::move(agent)) {}
    std::shared_ptr<State> state_;
    std::string agent_;
  };

  /// Waits up to `timeout` until no other Turn of `agent` exists and returns
  /// one. Unavailable when the time-out passes.
  Result<std::shared_ptr<Turn>> take_turn(const std::string& agent, std::chrono::nanoseconds timeout);

  /// True when `positions` (server keys) is not empty and every offset is
  /// at or below the committed offset of its key (equal to it for a reset).
  bool all_committed(const std::vector<SluicePosition>& positions) const;

  /// Raises the committed offsets of `positions` (server keys) to theirs;
  /// a reset position sets its offset, lower or not.
  void commit(const std::vector<SluicePosition>& positions);

  /// Agent `agent`'s committed positions of its source `source`, keyed by
  /// the agent's own keys (the "<agent>/<source>/" prefix removed), sorted.
  std::vector<std::pair<std::string, uint64_t>> committed_for(const std::string& agent,
                                                              const std::string& source) const;

 private:
  std::shared_ptr<Turn::State> state_;
};

}  // namespace sluice
