// ItemReleaser: frees the records, samples and spans of batches a sink has
// written on a thread of its own, so that the sink's worker goes on to its
// next batch at once (for sinks that ask: Sink::free_written_items_in_background).
// Freeing 4,096 parsed records (~60,000 strings) takes about a
// millisecond (measured with tcmalloc, most of it returning memory another
// thread allocated); in the shipping benchmark it was 70% of the `sluice` sink's
// thread, time in which no request was in flight and the server idled.
// Interleaved runs of the shipping benchmark's agent and server (1M lines,
// old and new binary in turns): 11 of 15 pairs faster, by 2-7% on average,
// with 9% less agent CPU (docs/benchmarks.md).
//
// Only the items move: a batch's positions, acknowledgements and prepared
// work are released by the caller as before, so acknowledgements complete
// exactly when they did.
//
// Owner: the Pipeline (one for all its sinks). Thread-safety: release() from
// any thread; the thread starts at the first release(); the destructor
// frees what is pending and joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "model/batch.hpp"

namespace sluice {

class ItemReleaser {
 public:
  /// At most `max_pending` batches' items wait to be freed; release() frees
  /// further ones itself (memory stays bounded when this thread falls
  /// behind).
  /// `before_free` (tests) runs on the releaser's thread before each
  /// batch's items are freed there.
  explicit ItemReleaser(size_t max_pending = 2, std::function<void()> before_free = {});
  ~ItemReleaser();
  ItemReleaser(const ItemReleaser&) = delete;
  ItemReleaser& operator=(const ItemReleaser&) = delete;

  /// Moves the records, samples and spans out of each of `batches` (which
  /// keep their positions, acks and prepared work, now with no items) and
  /// frees them on the releaser's thread. Batches without items are left
  /// alone.
  void release(std::vector<LogBatch>& batches);
  /// Batches whose items were freed so far (by either thread): for tests.
  size_t freed() const;

 private:
  struct Items {
    std::vector<LogRecord> records;
    std::vector<MetricSample> samples;
    std::vector<Span> spans;
  };
  void run();

  const size_t max_pending_;
  const std::function<void()> before_free_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Items> pending_;
  size_t freed_ = 0;
  bool stopping_ = false;
  std::thread thread_;  ///< started by the first release(), under mu_
};

}  // namespace sluice
