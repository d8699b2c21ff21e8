// The contracts between the pipeline engine and its components
// (STYLE.md "Interfaces with a contract").
//
// - A Source has `start / stop`. It produces batches by calling
//   SourceContext::emit, which blocks while downstream queues are full
//   (backpressure) and returns Cancelled once the pipeline is stopping.
// - A Transform has `process(batch)`, rewriting the batch in place, and
//   optionally `flush` for records it holds back (multiline).
// - A Sink has `write(batch) -> Ok | Retry | Fatal`; the engine owns retries.
//
// Components never retry, back off or acknowledge on their own.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.hpp"
#include "model/batch.hpp"

namespace sluice {

/// What a source gets from the engine. Owned by the engine; outlives the
/// source's start..stop interval.
struct SourceContext {
  /// Sends a batch downstream. Blocks while the next queue is full. Returns
  /// Cancelled when the pipeline is stopping (the batch is then not sent and
  /// the source must not advance past it). Thread-safe.
  std::function<Status(LogBatch&&)> emit;
  /// Durably committed positions of this source, by SourcePosition::key,
  /// as recovered from the store at start.
  std::unordered_map<std::string, uint64_t> committed;
  /// Per key, ascending offsets past `committed` where the copies on some
  /// paths to a sink had been committed (a sink reached by several paths
  /// keeps a position per path, pipeline/path_positions.hpp). A source that
  /// reads such a key again ends a batch at each of these offsets, so that
  /// a copy that was written already covers nothing new and its receiver
  /// can tell it for one (a sluice server drops it). Optional to honour.
  std::unordered_map<std::string, std::vector<uint64_t>> resume_cuts;
};

class Source {
 public:
  virtual ~Source() = default;
  /// Starts producing on the source's own thread(s); returns once started.
  virtual Status start(SourceContext* ctx) = 0;
  /// Stops producing and joins the source's threads. Idempotent.
  virtual void stop() = 0;
};

class Transform {
 public:
  virtual ~Transform() = default;
  /// Rewrites `batch` in place. Must keep batch.positions. Called by one
  /// thread at a time.
  virtual void process(LogBatch& batch) = 0;
  /// For transforms that hold records back across batches (multiline,
  /// partial container lines, dedupe windows): how often the engine calls
  /// flush() while no batch arrives. Zero (the default): never.
  virtual std::chrono::nanoseconds flush_interval() const { return std::chrono::nanoseconds(0); }
  /// True when what the transform emits for a batch depends on the batches
  /// before it (records held back, a dedupe window, a rate or a count): a
  /// batch read again after a restart may then come out with other records
  /// than before (SourcePosition::Replay::kMixed). Default: holds records
  /// back (a flush interval).
  virtual bool keeps_state() const { return flush_interval().count() > 0; }
  /// Moves held-back records that are due into `out`, with their
  /// acknowledgements and positions; with `final` (the pipeline is
  /// stopping) everything held. Called on the same thread as process().
  virtual void flush(LogBatch& out, bool final) {
    (void)out;
    (void) final;
  }
};

enum class SinkResult { kOk, kRetry, kFatal };

class Sink {
 public:
  virtual ~Sink() = default;
  /// Writes `batch` durably. kRetry: a passing failure, the engine retries
  /// with backoff; kFatal: the batch can never be written (logged, counted).
  /// `error` receives the reason when not kOk. The sink may normalize the
  /// batch in place (e.g. default timestamps) but must leave it retryable.
  /// Called by one thread at a time.
  virtual SinkResult write(LogBatch& batch, std::string* error) = 0;
  /// How many queued batches the engine may hand to write_group() at once;
  /// 1 (the default) means write() only.
  virtual size_t max_group() const { return 1; }
  /// Writes 2..max_group() `batches`, in queue order, as one unit where the
  /// sink can do better than one write() each (the store: one group commit,
  /// one fsync). Sets `(*results)[i]` and `(*errors)[i]` as write() would
  /// for `batches[i]` (both are sized by the caller); the engine retries a
  /// kRetry batch alone with write(). A sink fails a batch with kRetry
  /// while writing a later one only where the earlier can never be written
  /// as it is. Called by one thread at a time, instead of write(). Default:
  /// write() each in turn.
  virtual void write_group(std::span<LogBatch* const> batches, std::vector<SinkResult>* results,
                           std::vector<std::string>* errors) {
    for (size_t i = 0; i < batches.size(); ++i) (*results)[i] = write(*batches[i], &(*errors)[i]);
  }
  /// Called on the thread that queues `batch` for this sink (its source's
  /// or transform's), before write() sees it: the sink may do CPU work
  /// ahead there (e.g. encode and compress the request) and keep it in
  /// `batch.prepared` with `batch.prepared_for = this`, so that its own
  /// worker spends its time sending. Must not block, must leave the batch's
  /// data as it is, and may run on several threads at once. Default: nothing.
  virtual void prepare(LogBatch& batch) const { (void)batch; }
  /// True when the items of the batches this sink has written should be
  /// freed on the pipeline's background thread (item_releaser.hpp) instead
  /// of its worker: for a sink whose worker waits on a next hop with one
  /// request in flight, so that the next request leaves at once (the
  /// `sluice` sink: 2-7% more shipping throughput). Not for the store sink, whose
  /// CPU-bound ingest lost 2% and gained 100 MiB of RSS that way. Default:
  /// false.
  virtual bool free_written_items_in_background() const { return false; }
  /// True when the sink stores source positions itself, atomically with the
  /// data (the store sink). Otherwise the engine keeps them in a checkpoint
  /// file after each successful write (checkpoints.hpp).
  virtual bool commits_positions() const { return false; }
  /// The pipeline is stopping: a write() that waits (a full disk buffer, a
  /// server that is not answering) should give up soon with kRetry. Called
  /// from the stopping thread, possibly while write() runs. Default: nothing.
  virtual void stop() {}
  /// The positions this sink has durably committed for `source`, by key.
  virtual std::unordered_map<std::string, uint64_t> committed_positions(const std::string& source) {
    (void)source;
    return {};
  }
  /// For a sink whose positions the engine's checkpoint file keeps
  /// (commits_positions() false): called once when the sink is built
  /// (before any source starts; on reload, before the new sources start),
  /// with the checkpoint's positions
  /// that have this sink's own name as the source (`own`: positions a sink
  /// adds to the batches it accepts, to say how far the checkpoint got in
  /// what it holds). Returns the positions to commit to the checkpoint at
  /// once: those of a disk buffer's batches that the checkpoint does not
  /// cover (a crash came between the buffer's fsync and the checkpoint's
  /// write), with the sink's `own` entry moved past them; empty when none.
  /// nullopt (the default): the sink keeps no positions of its own, and
  /// the engine forgets any `own` entries (left by a disk buffer since
  /// turned off). Called from the pipeline's thread.
  virtual std::optional<std::vector<SourcePosition>> uncheckpointed_positions(
      const std::unordered_map<std::string, uint64_t>& own) {
    (void)own;
    return std::nullopt;
  }
};

}  // namespace sluice
