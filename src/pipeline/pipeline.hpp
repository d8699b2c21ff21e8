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
// Named outputs: a transform with several outputs (route,
// transforms/route/named_outputs.hpp) is read as "<component>.<output>";
// each output's consumers get that output's batch, and every output's batch
// carries the positions and acknowledgements of the batch it came from, so
// each sink commits the source's positions as before (topology.hpp).
//
// Under `sluice run`, a network source that no component lists in `inputs`
// writes to the store through an implicit sink "<source>.store" that
// follows each batch's stream (LogBatch::stream).
//
// At start, each source gets its committed positions: per key, the minimum
// over the sinks it reaches (a key missing in one of them counts as 0). A
// sink that a source reaches by more than one path holds a position per
// path, and counts once per path; a sink (or path) that was ahead skips the
// batches read again up to where it was (path_positions.hpp).
//
// Reload (reload()): components declared the same as before keep running;
// the others are replaced without losing or repeating data
// (pipeline_reload.cpp explains how).
//
// Thread-safety: every public function may be called from any thread; they
// are serialized.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config_file.hpp"
#include "pipeline/component.hpp"
#include "pipeline/item_releaser.hpp"
#include "pipeline/queue.hpp"
#include "pipeline/registry.hpp"

namespace sluice {

class Pipeline {
 public:
  /// Validates the topology (unknown types, unknown or self inputs, unknown
  /// named outputs, cycles, sinks used as inputs) and builds every
  /// component. Errors name the component and its file location.
  static Result<std::unique_ptr<Pipeline>> build(const ConfigFile& config, PipelineContext ctx);
  ~Pipeline();

  Status start();
  /// Applies `config` to the running pipeline. The whole config is
  /// validated and the new components built first; on any error nothing
  /// changes and the error (InvalidArgument, naming file and line) is
  /// returned. Then components whose declaration is unchanged keep running;
  /// changed and removed ones are drained and stopped, their upstream
  /// paused meanwhile; new ones start, sources from their committed
  /// positions. Blocks until done: while a component being replaced cannot
  /// write what it holds (a sink retrying), the reload waits. Internal when
  /// applied but a new source failed to start (it is retried by the next
  /// reload); Unavailable when the pipeline is not running; Cancelled when
  /// stop() interrupted it. On success, what changed (ReloadPlan::summary:
  /// "1 changed (transforms.tag), 0 added, 0 removed, 4 kept").
  Result<std::string> reload(const ConfigFile& config);
  /// Stops sources, drains queues in topological order, joins workers.
  void stop();

  size_t component_count() const;

 private:
  struct Node;
  struct Edge;
  struct Graph;
  struct CheckpointFile;
  /// Returns the running node to keep for `spec`, or null to build one.
  using Reuse = std::function<Node*(const ComponentSpec& spec)>;
  /// Returns a running sink's checkpoint file to share with its
  /// replacement, or null to open one.
  using SharedCheckpoints = std::function<std::shared_ptr<CheckpointFile>(const std::string& sink)>;

  Pipeline() = default;
  /// Resolves and checks the topology of `config`, builds every component
  /// that `reuse` does not return, and wires them (plus implicit store sinks).
  static Result<Graph> make_graph(const ConfigFile& config, PipelineContext& ctx, const Reuse& reuse,
                                  const SharedCheckpoints& shared);
  /// Marks the edges of every node whose outputs meet again downstream
  /// (Edge::via, path_positions.hpp).
  static void mark_converging_edges(Graph& g);
  /// Logs the components (and named outputs) whose output nobody consumes.
  static void warn_unconsumed(const Graph& g);
  static Result<std::unique_ptr<Node>> make_node(const ComponentSpec& spec, const std::string& file,
                                                 PipelineContext& ctx, const SharedCheckpoints& shared);
  /// Starts the worker of a transform or sink and publishes its queue gauge.
  void activate(Node* n);
  /// Computes a source's committed positions from the sinks it reaches and
  /// starts it.
  Status start_source(Node* n);
  void run_worker(Node* n);
  /// Pushes `batch` to the consumers of `from`'s output `port`.
  static Status emit(Node* from, size_t port, LogBatch&& batch);
  /// Removes the metric series of a node that is gone, except those a node
  /// in `live` still uses.
  static void forget_series(const Node& gone, const std::vector<Node*>& live);

  PipelineContext ctx_;
  std::shared_ptr<toml::table> config_root_;  ///< keeps the running specs' tables alive
  std::vector<std::unique_ptr<Node>> nodes_;  ///< topological order
  mutable std::mutex mu_;                     ///< serializes the public functions
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  /// Frees the items of the batches sinks have written (item_releaser.hpp).
  /// Declared last: destroyed first, after ~Pipeline has joined the workers.
  ItemReleaser releaser_;
};

}  // namespace sluice
