// DiskBufferSink: `buffer.type = "disk"` in front of a network sink (Vector's
// disk buffer). The buffer becomes the durable next hop:
//
// - write(batch) appends the batch to a DiskBuffer (fsynced) and answers
//   kOk, so the engine commits the batch's source positions to the sink's
//   checkpoint file (pipeline/checkpoints.hpp); commits_positions() stays
//   false. The buffered batches keep their positions, so a source resumes
//   after them even when the agent died before the checkpoint was written
//   (uncheckpointed_positions()). While the buffer holds max_size bytes,
//   write() blocks (the backpressure reaches the sources; the file source
//   stops reading) for at
//   most `full_wait`, then answers kRetry, so the engine's own backoff takes
//   over and a stopping pipeline is never held up for longer. Nothing is
//   dropped.
// - A drain thread hands the buffered batches, in order, to the inner sink,
//   retrying kRetry with exponential backoff and jitter (100 ms .. 30 s). A
//   batch leaves the buffer only after the inner sink answered kOk, or
//   kFatal (then it is logged and counted as discarded, like the engine
//   does). Before handing a batch over, the drain replaces its positions
//   with the single position {source: <sink name>, key: "buffer", offset:
//   <sequence>}: a receiver that de-duplicates by positions (the `sluice`
//   sink's server) stores a batch resent after a crash once.
//
// Metrics (label component=<sink name>): sluice_buffer_bytes,
// sluice_buffer_max_bytes, sluice_buffer_batches, sluice_buffer_events
// (gauges), sluice_buffer_corrupt_records_total,
// sluice_buffer_sent_records_total, sluice_buffer_write_blocked_seconds
// (histogram; _sum is the total time writes were blocked by a full buffer),
// and the inner sink's failures in sluice_component_errors_total /
// sluice_component_discarded_records_total.
//
// One sink per buffer directory at a time, in this process: when a config
// reload replaces the sink, the new one is built while the old one still
// drains, so the new one opens the directory (and registers the gauges) only
// once the old one is destroyed; until then its writes wait as if the buffer
// were full.
//
// Ownership: the pipeline owns it; it owns the inner sink and the buffer.
// Thread-safety: write() from the sink's worker thread; stop() from any
// thread; the inner sink is called only by the drain thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/env.hpp"
#include "common/metrics.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sinks/buffer/disk_buffer.hpp"

namespace sluice {

struct DiskBufferSinkConfig {
  std::string name;  ///< the sink's component name
  std::string type;  ///< the inner sink's type ("http"), for metric labels
  std::string dir;   ///< <state_dir>/buffers/<name>
  uint64_t max_bytes = 256ull << 20;
  uint64_t file_bytes = 0;  ///< see DiskBufferConfig::file_bytes
  /// Longest a write() waits for space before answering kRetry.
  std::chrono::nanoseconds full_wait = std::chrono::seconds(5);
  std::chrono::nanoseconds min_backoff = std::chrono::milliseconds(100);
  std::chrono::nanoseconds max_backoff = std::chrono::seconds(30);
};

class DiskBufferSink final : public Sink {
 public:
  /// Opens the buffer (recovering what a previous run left; later, when the
  /// directory is still held by the sink this one replaces) and starts the
  /// drain. Errors: those of DiskBuffer::open.
  static Result<std::unique_ptr<DiskBufferSink>> open(Env* env, DiskBufferSinkConfig config,
                                                      std::unique_ptr<Sink> inner);
  ~DiskBufferSink() override;

  SinkResult write(LogBatch& batch, std::string* error) override;
  /// The pipeline is stopping: a write() blocked on a full buffer answers
  /// kRetry at once, later ones do not wait. The drain goes on until the
  /// sink is destroyed.
  void stop() override;

  /// The positions of the batches the buffer took after the last one the
  /// checkpoint covers (DiskBuffer::positions_after), and `own`'s
  /// kCoveredKey moved to the newest of them: `own` holds, under
  /// kCoveredKey, the sequence write() added to the last batch with
  /// positions. Empty without it (a checkpoint deleted to read the inputs
  /// again, or written before the key was added: the checkpoint's stand),
  /// or while the buffer is not open yet (a predecessor holds it).
  std::optional<std::vector<SourcePosition>> uncheckpointed_positions(
      const std::unordered_map<std::string, uint64_t>& own) override;

  /// The key of the position write() adds, with the sink's name as the
  /// source and the batch's buffer sequence as the offset, to every batch
  /// with positions it accepted, so that the checkpoint says which
  /// batches it covers.
  static constexpr const char* kCoveredKey = "buffer.appended";

  /// The buffer, once open (at once unless a predecessor held it); null
  /// before.
  const DiskBuffer* buffer() const;

 private:
  DiskBufferSink(Env* env, DiskBufferSinkConfig config, std::unique_ptr<Sink> inner);
  /// Opens the buffer (the directory lease is held) and publishes it.
  Status open_buffer();
  /// The drain thread: opens the buffer first when open() could not.
  void run();
  void drain();
  /// The open buffer, waiting at most `max_wait` for it; null when it is
  /// not open by then or the sink is stopping.
  DiskBuffer* wait_open(std::chrono::nanoseconds max_wait);
  /// Sleeps `d` unless the sink is being destroyed; false then.
  bool pause(std::chrono::nanoseconds d);

  Env* env_;
  DiskBufferSinkConfig config_;
  std::unique_ptr<Sink> inner_;
  bool leased_ = false;                 ///< holds the directory; set before the drain starts or by it
  std::unique_ptr<DiskBuffer> buffer_;  ///< set once under mu_, then read-only
  bool stopping_ = false;               ///< guarded by mu_
  Labels labels_;                       ///< {component}
  Counter* corrupt_ = nullptr;
  Counter* sent_ = nullptr;
  Counter* errors_ = nullptr;
  Counter* discarded_ = nullptr;
  Histogram* blocked_ = nullptr;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<bool> closing_{false};
  std::thread drainer_;
};

}  // namespace sluice
