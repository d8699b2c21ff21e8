// The pieces of a running Pipeline, shared by pipeline.cpp (build, start,
// workers, stop) and pipeline_reload.cpp. Internal to the pipeline layer.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "pipeline/checkpoints.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/transforms/route/named_outputs.hpp"

namespace sluice {

/// The series every component has, labelled by Node::labels().
inline constexpr const char* kComponentCounters[] = {
    "sluice_component_received_records_total", "sluice_component_sent_records_total", "sluice_component_errors_total",
    "sluice_component_discarded_records_total", "sluice_component_sent_bytes_total"};
inline constexpr const char* kQueueGauge = "sluice_component_queue_batches";

/// The lock that pauses a node's emission: emitters hold it shared, a
/// reload holds it exclusively. Unlike std::shared_mutex on glibc (whose
/// rwlock prefers readers), a waiting exclusive locker cannot be starved by
/// emitters that keep overlapping (a listener with many connections): they
/// pass `turn_` first, which the exclusive locker holds while it waits.
class OutputsGate {
 public:
  void lock_shared() {
    std::lock_guard<std::mutex> t(turn_);
    mu_.lock_shared();
  }
  void unlock_shared() { mu_.unlock_shared(); }
  void lock() {
    turn_.lock();
    mu_.lock();
  }
  void unlock() {
    mu_.unlock();
    turn_.unlock();
  }

 private:
  std::mutex turn_;
  std::shared_mutex mu_;
};

/// A sink's checkpoint file, shared by a sink and its replacement during a
/// reload (both may commit until the old one has stopped).
struct Pipeline::CheckpointFile {
  std::mutex mu;  ///< guards `file`: sink workers commit, the reload thread reads positions
  std::unique_ptr<Checkpoints> file;
};

/// One consumer of a node's output port. `via` is the suffix its copies'
/// position keys get (path_positions.hpp), empty unless the node's outputs
/// meet again downstream.
struct Pipeline::Edge {
  Node* to = nullptr;
  std::string via;
  bool operator==(const Edge&) const = default;
};

/// One component. Owned by Pipeline::nodes_ (or by a Graph being built).
/// `outputs` is written only by the thread running start/reload, under an
/// exclusive `outputs_mu`; emitting threads (source threads, this node's
/// worker) read it under a shared lock, so holding `outputs_mu` exclusively
/// pauses the node's emission.
struct Pipeline::Node {
  ComponentSpec spec;  ///< table: in config_root_, or null for an implicit store sink
  std::unique_ptr<Source> source;
  std::unique_ptr<Transform> transform;
  MultiOutputTransform* router = nullptr;  ///< `transform` when it has named outputs
  std::vector<std::string> output_names;   ///< router's outputs; empty: one default output
  std::unique_ptr<Sink> sink;
  std::shared_ptr<CheckpointFile> checkpoints;  ///< sinks that do not commit positions themselves
  /// Sinks: per (source, key as this sink gets it), the offset it had
  /// committed above where the source last resumed (ResumePlan::ahead).
  /// Batches read again up to it (SourcePosition::Replay::kWhole) are
  /// skipped; positions read again up to it are removed from the others.
  /// Written by start_source, read by the worker, under `replayed_mu`.
  std::map<std::pair<std::string, std::string>, uint64_t> replayed;
  std::mutex replayed_mu;
  std::atomic<bool> has_replayed{false};
  OutputsGate outputs_mu;
  std::vector<std::vector<Edge>> outputs;         ///< per output port (one unless named outputs)
  std::unique_ptr<BoundedQueue<LogBatch>> queue;  ///< null for sources
  std::thread worker;
  SourceContext ctx;
  bool running = false;  ///< worker or source started (start/reload thread only)
  bool failed = false;   ///< failed to start at a reload; the next reload replaces it
  Counter* received = nullptr;
  Counter* sent = nullptr;
  Counter* errors = nullptr;
  Counter* discarded = nullptr;
  Counter* sent_bytes = nullptr;

  /// The labels of the sluice_component_* series.
  Labels labels() const {
    return {{"component", spec.name}, {"kind", spec.kind.substr(0, spec.kind.size() - 1)}, {"type", spec.type}};
  }
};

/// A topology being built: existing nodes it keeps plus nodes made for it,
/// and the wiring it wants. Nothing in it runs until committed.
struct Pipeline::Graph {
  std::vector<Node*> order;                                ///< topological; implicit sinks last
  std::vector<ComponentSpec> specs;                        ///< parallel to order
  std::vector<std::unique_ptr<Node>> created;              ///< nodes made for this graph
  std::map<Node*, std::vector<std::vector<Edge>>> wiring;  ///< outputs per node, per port
};

}  // namespace sluice
