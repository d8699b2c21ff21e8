// Pipeline: the running topology of sources, transforms and sinks declared
// in a config file, connected by bounded queues.
//
// Each transform and sink has one worker thread and one input queue; a
// source's emit() pushes into the queues of the components that list it in
// `inputs` (copying for fan-out), blocking while one is full, so a slow sink
// slows its inputs down to the file source, which stops reading
// (backpressure). Sinks are retried with exponential backoff and jitter
// (100 ms .. 30 s) until they succeed; a fatal outcome drops the batch and
// counts it in sluice_component_discarded_records_total.
//
// Under `sluice run`, a network source that no component lists in `inputs`
// writes to the store through an implicit sink "<source>.store" that
// follows each batch's stream (LogBatch::stream).
//
// At start, each source gets its committed positions: per key, the minimum
// over the sinks it reaches (a key missing in one of them counts as 0).
//
// Thread-safety: build/start/stop from one thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/config_file.hpp"
#include "pipeline/component.hpp"
#include "pipeline/queue.hpp"
#include "pipeline/registry.hpp"

namespace sluice {

class Pipeline {
 public:
  /// Validates the topology (unknown types, unknown or self inputs, cycles,
  /// sinks used as inputs) and builds every component. Errors name the
  /// component and its file location.
  static Result<std::unique_ptr<Pipeline>> build(const ConfigFile& config, PipelineContext ctx);
  ~Pipeline();

  Status start();
  /// Stops sources, drains queues in topological order, joins workers.
  void stop();

  size_t component_count() const;

 private:
  struct Node;
  Pipeline() = default;
  void run_worker(Node* n);
  /// Creates `n`'s queue (not for sources) and its sluice_component_* metrics.
  static void register_metrics(Node* n);
  /// Gives every stream-naming source (ComponentType::names_streams) that
  /// feeds nothing a store sink "<source>.store" following LogBatch::stream.
  Status add_implicit_store_sinks(PipelineContext& ctx);
  Status emit_to(const std::vector<Node*>& outputs, LogBatch&& batch);

  std::vector<std::unique_ptr<Node>> nodes_;  ///< topological order
  std::atomic<bool> stopping_{false};
  bool started_ = false;
};

}  // namespace sluice
