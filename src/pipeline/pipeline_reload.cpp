// Pipeline::reload: applies a new config to a running pipeline without
// losing or repeating data (docs/user-guide.md "Reloading the
// configuration").
//
// 1. Validate: the new config's whole graph is built once with
//    check_only (nothing opened), then for real: every component that
//    reload_plan.hpp does not call kept is built anew. Any error returns
//    here, with nothing running touched, except what building a sink does
//    at once: a new disk buffer opens (and starts to drain), and a
//    checkpoint file shared with a running predecessor gets what the new
//    sink's buffer holds beyond it, or loses a disk buffer's entry
//    (Sink::uncheckpointed_positions); neither moves a position back.
// 2. The retirees are the running nodes not kept (changed or removed). The
//    region is the retirees plus every kept node on a path between two of
//    them (it sits between replaced parts, so it must be empty when they are
//    swapped). The ingress nodes are the running nodes outside the region
//    that feed it; none of them is downstream of the region.
// 3. Pause: lock each ingress node's outputs_mu exclusively, in topological
//    order (an ingress node's in-flight emit only waits for nodes after it,
//    none of them locked yet, so this cannot deadlock). Stop the retired
//    sources.
// 4. Drain: send a barrier, an empty batch with one shared
//    Acknowledgement, down every edge into the region (from the paused
//    ingress nodes and the stopped sources) and wait for it to complete.
//    Queues are FIFO and each stage passes a batch's acknowledgements on
//    only after everything before it (multiline holds them with the records
//    it holds), and sinks release a batch after writing it, so once the
//    acknowledgement completes everything that entered the region before
//    the pause is written and its positions committed. Nothing the barrier
//    passes waits on a paused node: paused nodes are not downstream of the
//    region.
// 5. Swap: start the new transforms and sinks; re-wire the paused and
//    in-region kept nodes to the new graph; resume the ingress; re-wire the
//    other kept nodes that gained consumers; close and join the retired
//    workers (empty by now) in topological order; start the new sources,
//    which resume from the positions committed in step 4.
// 6. Forget the metric series of what is gone.
//
// The marks of a node's edges (Edge::via, path_positions.hpp) follow the
// new graph: a kept node whose marks change is re-wired like one whose
// consumers change, and its copies' keys change from then on.
//
// Order is kept: a paused node's new consumers get its data only after its
// old ones have written everything earlier. While a sink in the region
// cannot write (retrying), step 4 waits; stop() interrupts it.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <set>

#include "pipeline/pipeline.hpp"
#include "pipeline/pipeline_node.hpp"
#include "pipeline/reload_plan.hpp"

namespace sluice {
namespace {

/// The completion of a reload's barrier.
struct Barrier {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
};

}  // namespace

Result<std::string> Pipeline::reload(const ConfigFile& config) {
  std::lock_guard<std::mutex> guard(mu_);
  if (!started_ || stopping_) return Status::Unavailable("the pipeline is not running");
  std::map<std::string, Node*> running;
  std::vector<ComponentSpec> running_specs;
  std::set<std::string> failed;
  for (auto& n : nodes_) {
    running[n->spec.name] = n.get();
    if (n->spec.table) running_specs.push_back(n->spec);
    if (n->failed) failed.insert(n->spec.name);
  }
  Reuse reuse = [&](const ComponentSpec& spec) -> Node* {
    auto it = running.find(spec.name);
    if (it == running.end() || it->second->failed || !same_component(it->second->spec, spec)) return nullptr;
    return it->second;
  };
  SharedCheckpoints shared = [&](const std::string& sink) -> std::shared_ptr<CheckpointFile> {
    auto it = running.find(sink);
    return it == running.end() ? nullptr : it->second->checkpoints;
  };
  const ReloadPlan plan = plan_reload(running_specs, config.components, failed);

  // 1. Validate.
  auto forget_attempt = [&] {
    // Series registered by components built for a config that was refused.
    auto& m = MetricsRegistry::global();
    for (const auto& spec : config.components) {
      Node probe;
      probe.spec = spec;
      auto it = running.find(spec.name);
      if (it == running.end() || it->second->labels() != probe.labels()) {
        for (const char* name : kComponentCounters) m.remove(name, probe.labels());
      }
      if (it == running.end()) m.remove("sluice_component_filtered_records_total", {{"component", spec.name}});
    }
  };
  Status checked = [&] {
    PipelineContext check = ctx_;
    check.check_only = true;
    return make_graph(config, check, reuse, nullptr).status();
  }();
  if (!checked.ok()) {
    forget_attempt();
    return checked;
  }
  // Components built for a failed graph are destroyed before make_graph returns.
  Result<Graph> built = make_graph(config, ctx_, reuse, shared);
  if (!built.ok()) {
    forget_attempt();
    return built.status();
  }
  Graph next = std::move(built).value();
  spdlog::info("reload: {}: {}", config.path, plan.summary());

  // 2. Retirees, region, ingress.
  std::set<Node*> kept;  // running nodes the new graph keeps
  std::vector<Node*> retirees;
  {
    const std::set<Node*> next_nodes(next.order.begin(), next.order.end());
    for (auto& n : nodes_) {
      if (next_nodes.count(n.get())) {
        kept.insert(n.get());
      } else {
        retirees.push_back(n.get());
      }
    }
  }
  std::map<Node*, std::vector<Node*>> feeders;
  for (auto& n : nodes_) {
    for (const auto& port : n->outputs) {
      for (const Edge& e : port) feeders[e.to].push_back(n.get());
    }
  }
  auto closure = [&](bool downstream) {
    std::set<Node*> seen;
    std::vector<Node*> stack(retirees.begin(), retirees.end());
    while (!stack.empty()) {
      Node* x = stack.back();
      stack.pop_back();
      if (!seen.insert(x).second) continue;
      if (downstream) {
        for (const auto& port : x->outputs) {
          for (const Edge& e : port) stack.push_back(e.to);
        }
      } else {
        stack.insert(stack.end(), feeders[x].begin(), feeders[x].end());
      }
    }
    return seen;
  };
  const std::set<Node*> below = closure(true), above = closure(false);
  std::set<Node*> region(retirees.begin(), retirees.end());
  for (Node* x : below) {
    if (above.count(x)) region.insert(x);
  }
  std::set<Node*> ingress;
  for (auto& n : nodes_) {
    if (region.count(n.get()) || !n->running) continue;
    for (const auto& port : n->outputs) {
      for (const Edge& e : port) {
        if (region.count(e.to)) ingress.insert(n.get());
      }
    }
  }

  // 3. Pause.
  std::vector<std::unique_lock<OutputsGate>> paused;
  for (auto& n : nodes_) {
    if (ingress.count(n.get())) paused.emplace_back(n->outputs_mu);
  }
  for (Node* r : retirees) {
    if (r->source && r->running) {
      r->source->stop();
      r->running = false;
    }
  }

  // 4. Drain.
  auto barrier = std::make_shared<Barrier>();
  {
    auto ack = std::make_shared<Acknowledgement>([barrier](DeliveryStatus, const std::string&) {
      std::lock_guard<std::mutex> l(barrier->mu);
      barrier->done = true;
      barrier->cv.notify_all();
    });
    auto send = [&](Node* to) {
      LogBatch b;
      b.acks.push_back(ack);
      (void)to->queue->push(b);
    };
    // Into the region from the paused nodes; everywhere from the stopped
    // sources (a replacement resumes from what their sinks committed).
    for (auto& n : nodes_) {
      const bool stopped_source = n->source && !kept.count(n.get());
      if (!ingress.count(n.get()) && !stopped_source) continue;
      for (const auto& port : n->outputs) {
        for (const Edge& e : port) {
          if (stopped_source || region.count(e.to)) send(e.to);
        }
      }
    }
  }
  {
    std::unique_lock<std::mutex> l(barrier->mu);
    auto waited = std::chrono::steady_clock::now();
    while (!barrier->done) {
      barrier->cv.wait_for(l, std::chrono::milliseconds(100));
      if (stopping_) {
        spdlog::warn("reload: interrupted by shutdown while draining the components being replaced");
        return Status::Cancelled("the pipeline is stopping");
      }
      if (std::chrono::steady_clock::now() - waited > std::chrono::seconds(10)) {
        spdlog::warn("reload: still waiting for the components being replaced to write what they hold");
        waited = std::chrono::steady_clock::now();
      }
    }
  }

  // 5. Swap.
  for (auto& c : next.created) c->outputs = next.wiring[c.get()];
  for (auto& c : next.created) {
    if (c->queue) activate(c.get());
  }
  std::set<Node*> rewired;
  for (Node* n : next.order) {
    if (!kept.count(n) || n->outputs == next.wiring[n]) continue;
    if (ingress.count(n)) {
      n->outputs = next.wiring[n];  // its lock is held
      rewired.insert(n);
    } else if (region.count(n)) {
      std::unique_lock<OutputsGate> l(n->outputs_mu);
      n->outputs = next.wiring[n];
      rewired.insert(n);
    }
  }
  paused.clear();
  for (Node* n : next.order) {
    if (!kept.count(n) || rewired.count(n) || n->outputs == next.wiring[n]) continue;
    std::unique_lock<OutputsGate> l(n->outputs_mu);
    n->outputs = next.wiring[n];
  }
  for (Node* r : retirees) {
    if (!r->queue) continue;
    r->queue->close();
    if (r->worker.joinable()) r->worker.join();
    r->running = false;
  }
  std::map<Node*, std::unique_ptr<Node>> owned;
  for (auto& n : nodes_) owned[n.get()] = std::move(n);
  for (auto& c : next.created) owned[c.get()] = std::move(c);
  nodes_.clear();
  for (size_t i = 0; i < next.order.size(); ++i) {
    Node* n = next.order[i];
    n->spec = next.specs[i];  // kept nodes: the same declaration, in the new file
    nodes_.push_back(std::move(owned[n]));
  }
  config_root_ = config.root;
  std::string failures;
  for (auto& n : nodes_) {
    if (!n->source || kept.count(n.get())) continue;
    Status st = start_source(n.get());
    if (!st.ok()) {
      n->failed = true;
      spdlog::error("reload: {}", st.to_string());
      failures += (failures.empty() ? "" : "; ") + st.to_string();
    }
  }

  // 6. Forget what is gone.
  std::vector<Node*> live;
  for (auto& n : nodes_) live.push_back(n.get());
  for (Node* r : retirees) {
    std::unique_ptr<Node> gone = std::move(owned[r]);
    gone->source.reset();  // the component first: it may hold its series
    gone->transform.reset();
    gone->sink.reset();
    forget_series(*gone, live);
  }
  if (!failures.empty()) return Status::Internal("reload applied, but " + failures);
  return plan.summary();
}

}  // namespace sluice
