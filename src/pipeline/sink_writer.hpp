// SinkWriter: how a sink's worker writes the batches it took from its
// queue. Consecutive non-empty batches go to the sink together
// (Sink::write_group, so that the store pays one WAL fsync for all of
// them); a batch that fails is retried alone with exponential backoff and
// jitter until it is written, found unwritable (counted, its
// acknowledgements rejected) or given up at shutdown. Empty batches (a
// reload's barriers) are released in their turn.
//
// Ownership: one per sink worker thread; borrows the sink and counters.
// Threads: write() runs on that worker only; `stopping` may be set by any.
// Invariant: batches are settled in queue order, and after a batch is
// given up at shutdown no later batch's positions are committed (they are
// past the lost one's): later batches fail, or, if the sink already took
// them in the same group, count as sent without `written`.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "common/metrics.hpp"
#include "model/batch.hpp"
#include "pipeline/component.hpp"

namespace sluice {

/// The sink's sluice_component_* counters (records).
struct SinkCounters {
  Counter* received;
  Counter* sent;
  Counter* errors;
  Counter* discarded;
};

class SinkWriter {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  /// `name` is the sink's component name (for messages); `written` runs
  /// after each batch the sink has durably taken (the engine commits its
  /// checkpoint there); `sleep` waits out a retry's backoff.
  SinkWriter(Sink* sink, std::string name, SinkCounters counters, const std::atomic<bool>* stopping,
             std::function<void(const LogBatch&)> written, Sleep sleep);

  /// Settles every batch of `taken` (in queue order), leaving them to be
  /// released by the caller; blocks through retries.
  void write(std::vector<LogBatch>& taken);
  /// True once a batch was given up at shutdown; later batches then fail.
  bool abandoned() const { return abandoned_; }

 private:
  void settle(LogBatch& batch, SinkResult first, std::string error);
  void abandon(LogBatch& batch) const;

  Sink* sink_;
  std::string name_;
  SinkCounters counters_;
  const std::atomic<bool>* stopping_;
  std::function<void(const LogBatch&)> written_;
  Sleep sleep_;
  std::mt19937_64 rng_{std::random_device{}()};
  bool abandoned_ = false;
};

}  // namespace sluice
