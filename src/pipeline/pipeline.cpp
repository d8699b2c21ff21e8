#include "pipeline/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "common/env.hpp"
#include "common/thread_name.hpp"
#include "pipeline/path_positions.hpp"
#include "pipeline/pipeline_node.hpp"
#include "pipeline/sink_writer.hpp"
#include "pipeline/sinks/store/store_sink.hpp"
#include "pipeline/topology.hpp"

namespace sluice {

namespace {
constexpr size_t kQueueBatches = 8;
}  // namespace

Result<std::unique_ptr<Pipeline::Node>> Pipeline::make_node(const ComponentSpec& spec, const std::string& file,
                                                            PipelineContext& ctx, const SharedCheckpoints& shared) {
  auto node = std::make_unique<Node>();
  node->spec = spec;
  if (spec.table == nullptr) {  // an implicit store sink
    SLUICE_ASSIGN_OR_RETURN(node->sink, make_store_sink(ctx.store, StoreSinkOptions{}));
  } else {
    const ComponentType* type = find_component_type(spec.kind, spec.type);
    if (type == nullptr) {
      std::vector<std::string> types;
      for (const auto& t : component_types()) {
        if (t.kind == spec.kind) types.push_back(t.type);
      }
      std::string msg = spec.location + ": " + spec.kind + "." + spec.name + ": unknown type \"" + spec.type + "\"";
      std::string near = nearest_word(spec.type, types);
      if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
      return Status::InvalidArgument(msg + " (valid: " + option_detail::list_text(types) + ")");
    }
    if (spec.kind == "sources") {
      SLUICE_ASSIGN_OR_RETURN(node->source, type->make_source(spec, file));
    } else if (spec.kind == "transforms") {
      SLUICE_ASSIGN_OR_RETURN(node->transform, type->make_transform(spec, file));
      node->router = dynamic_cast<MultiOutputTransform*>(node->transform.get());
      if (node->router) node->output_names = node->router->outputs();
    } else {
      SLUICE_ASSIGN_OR_RETURN(node->sink, type->make_sink(spec, file, ctx));
    }
  }
  if (node->sink && !node->sink->commits_positions() && !ctx.state_dir.empty()) {
    node->checkpoints = shared ? shared(spec.name) : nullptr;
    if (!node->checkpoints) {
      node->checkpoints = std::make_shared<CheckpointFile>();
      SLUICE_ASSIGN_OR_RETURN(node->checkpoints->file,
                              Checkpoints::open(Env::posix(), ctx.state_dir + "/checkpoints/" + spec.name + ".json"));
    }
    // What the sink holds durably beyond the checkpoint (a disk buffer's
    // batches after a crash before the checkpoint's write) goes into the
    // checkpoint before a source reads it. Failing to write it is logged,
    // as a failed commit after a batch is: the positions are taken in
    // memory, and the next commit writes them (a crash before that reads
    // some lines again, never skips any).
    std::lock_guard<std::mutex> l(node->checkpoints->mu);
    Checkpoints& file = *node->checkpoints->file;
    auto own = node->sink->uncheckpointed_positions(file.positions(spec.name));
    Status st = own ? file.commit(*own) : file.erase(spec.name);
    if (!st.ok()) {
      spdlog::error("pipeline: sinks.{}: {} the checkpoint: {}", spec.name,
                    own ? "writing the disk buffer's positions to" : "removing the disk buffer's entry from",
                    st.to_string());
    }
  }
  if (spec.kind != "sources") node->queue = std::make_unique<BoundedQueue<LogBatch>>(kQueueBatches);
  auto& m = MetricsRegistry::global();
  Labels l = node->labels();
  node->received = &m.counter(kComponentCounters[0], "Records a component received.", l);
  node->sent = &m.counter(kComponentCounters[1], "Records a component passed on or wrote.", l);
  node->errors = &m.counter(kComponentCounters[2], "Failed sink writes (each retry counts).", l);
  node->discarded = &m.counter(kComponentCounters[3], "Records dropped after a fatal sink error.", l);
  node->sent_bytes = &m.counter(kComponentCounters[4], "Body bytes of the records a component passed on or wrote.", l);
  return node;
}

Result<Pipeline::Graph> Pipeline::make_graph(const ConfigFile& config, PipelineContext& ctx, const Reuse& reuse,
                                             const SharedCheckpoints& shared) {
  SLUICE_ASSIGN_OR_RETURN(Topology topo, resolve_topology(config));
  Graph g;
  std::map<std::string, Node*> by_name;
  auto add = [&](const ComponentSpec& spec) -> Result<Node*> {
    Node* n = reuse ? reuse(spec) : nullptr;
    if (n == nullptr) {
      SLUICE_ASSIGN_OR_RETURN(auto made, make_node(spec, config.path, ctx, shared));
      n = made.get();
      g.created.push_back(std::move(made));
    }
    g.order.push_back(n);
    g.specs.push_back(spec);
    g.wiring[n].assign(std::max<size_t>(1, n->output_names.size()), {});
    by_name[spec.name] = n;
    return n;
  };
  for (const ComponentSpec* spec : topo.order) SLUICE_RETURN_IF_ERROR(add(*spec).status());
  SLUICE_RETURN_IF_ERROR(check_outputs(topo, [&](const std::string& c) { return by_name.at(c)->output_names; }));
  for (const ComponentSpec* spec : topo.order) {
    for (const InputRef& ref : topo.inputs.at(spec->name)) {
      Node* from = by_name.at(ref.component);
      size_t port = 0;
      if (!ref.output.empty()) {
        const auto& names = from->output_names;
        port = static_cast<size_t>(std::find(names.begin(), names.end(), ref.output) - names.begin());
      }
      g.wiring[from][port].push_back(Edge{by_name.at(spec->name), ""});
    }
  }
  // A stream-naming source that feeds nothing writes to the store through
  // an implicit sink "<source>.store".
  if (ctx.store != nullptr && !ctx.check_only) {
    const size_t declared = g.order.size();
    for (size_t i = 0; i < declared; ++i) {
      Node* src = g.order[i];
      if (!src->source || !g.wiring[src][0].empty()) continue;
      const ComponentType* type = find_component_type(src->spec.kind, src->spec.type);
      if (type == nullptr || !type->names_streams) continue;
      ComponentSpec spec;
      spec.kind = "sinks";
      spec.type = "store";
      spec.name = src->spec.name + ".store";
      spec.location = src->spec.location;
      spec.inputs = {src->spec.name};
      SLUICE_ASSIGN_OR_RETURN(Node * sink, add(spec));
      g.wiring[src][0].push_back(Edge{sink, ""});
    }
  }
  mark_converging_edges(g);
  return g;
}

void Pipeline::mark_converging_edges(Graph& g) {
  std::map<Node*, std::set<Node*>> below;                         // each node and what it reaches
  for (auto it = g.order.rbegin(); it != g.order.rend(); ++it) {  // consumers first
    std::set<Node*>& r = below[*it];
    r.insert(*it);
    for (const auto& port : g.wiring[*it]) {
      for (const Edge& e : port) r.insert(below[e.to].begin(), below[e.to].end());
    }
  }
  for (Node* n : g.order) {
    auto& ports = g.wiring[n];
    std::vector<Edge*> edges;
    std::vector<std::string> from;
    std::vector<size_t> port_of;
    for (size_t p = 0; p < ports.size(); ++p) {
      for (Edge& e : ports[p]) {
        edges.push_back(&e);
        port_of.push_back(p);
        from.push_back(n->output_names.empty() ? n->spec.name : n->spec.name + "." + n->output_names[p]);
      }
    }
    for (size_t i = 0; i < edges.size(); ++i) {
      const std::set<Node*>& mine = below[edges[i]->to];
      bool meets = false;
      for (size_t j = 0; j < edges.size() && !meets; ++j) {
        if (j == i) continue;
        for (Node* x : below[edges[j]->to]) {
          if (mine.count(x)) {
            meets = true;
            break;
          }
        }
      }
      // A named output with one consumer is named alone, so that the mark
      // stays when what follows it is reordered.
      const bool alone = !n->output_names.empty() && ports[port_of[i]].size() == 1;
      edges[i]->via = meets ? path_suffix(from[i], alone ? "" : edges[i]->to->spec.name) : "";
    }
  }
}

void Pipeline::warn_unconsumed(const Graph& g) {
  for (size_t i = 0; i < g.order.size(); ++i) {
    const Node* n = g.order[i];
    const auto& ports = g.wiring.at(g.order[i]);
    if (n->spec.kind == "sinks") continue;
    for (size_t p = 0; p < ports.size(); ++p) {
      if (!ports[p].empty()) continue;
      const ComponentSpec& s = g.specs[i];
      if (n->output_names.empty()) {
        spdlog::warn("pipeline: {}.{} has no consumers; what it produces is discarded", s.kind, s.name);
      } else {
        spdlog::info("pipeline: output {}.{} has no consumers; what it routes there is discarded", s.name,
                     n->output_names[p]);
      }
    }
  }
}

Result<std::unique_ptr<Pipeline>> Pipeline::build(const ConfigFile& config, PipelineContext ctx) {
  std::unique_ptr<Pipeline> p(new Pipeline());  // NOLINT: private constructor
  SLUICE_ASSIGN_OR_RETURN(Graph g, make_graph(config, ctx, nullptr, nullptr));
  warn_unconsumed(g);
  for (auto& n : g.created) {
    n->outputs = g.wiring[n.get()];
    p->nodes_.push_back(std::move(n));
  }
  p->ctx_ = std::move(ctx);
  p->config_root_ = config.root;
  return p;
}

Pipeline::~Pipeline() { stop(); }

size_t Pipeline::component_count() const {
  std::lock_guard<std::mutex> guard(mu_);
  return nodes_.size();
}

namespace {

// Drops the batches of `taken` that were read again after a restart and
// that `n` (a sink) had written before (SourcePosition::Replay::kWhole):
// every position read again, at or below the offset the sink had committed
// for it. Their acknowledgements complete as delivered. From the others it
// removes the positions read again at or below that offset (committed
// already; a `sluice` server would take the batch for a retry and drop
// records the sink never had). An entry goes once a batch of its key comes
// unflagged: the source has read past what it read again.
void skip_replayed(std::map<std::pair<std::string, std::string>, uint64_t>& replayed, std::vector<LogBatch>& taken) {
  using Replay = SourcePosition::Replay;
  auto covered = [&](const SourcePosition& p) {
    auto it = replayed.find({p.source, p.key});
    return it != replayed.end() && p.replay != Replay::kNo && p.offset <= it->second;
  };
  std::erase_if(taken, [&](LogBatch& b) {
    bool skip = !b.positions.empty();
    for (const SourcePosition& p : b.positions) {
      if (p.replay == Replay::kNo) {
        replayed.erase({p.source, p.key});
        skip = false;
      } else if (p.replay != Replay::kWhole || !covered(p)) {
        skip = false;
      }
    }
    if (!skip) std::erase_if(b.positions, covered);
    return skip;
  });
}

// Pushes `batch` to every queue of `to`, copying for all but the last; a
// copy on a marked edge gets its position keys marked. Cancelled when one
// is closed (the pipeline is stopping).
template <class EdgeT>
Status push_all(const std::vector<EdgeT>& to, LogBatch&& batch) {
  for (size_t i = 0; i < to.size(); ++i) {
    LogBatch copy;
    LogBatch& b = (i + 1 == to.size()) ? batch : (copy = batch);
    if (!to[i].via.empty()) {
      for (SourcePosition& p : b.positions) p.key += to[i].via;
    }
    if (to[i].to->sink) to[i].to->sink->prepare(b);  // on this (the producer's) thread
    if (!to[i].to->queue->push(b)) {
      b.fail_acks(DeliveryStatus::kErrored, "the pipeline is stopping");
      return Status::Cancelled("pipeline is stopping");
    }
  }
  return Status::Ok();
}

}  // namespace

Status Pipeline::emit(Node* from, size_t port, LogBatch&& batch) {
  std::shared_lock<OutputsGate> l(from->outputs_mu);
  return push_all(from->outputs[port], std::move(batch));
}

void Pipeline::activate(Node* n) {
  auto* q = n->queue.get();
  MetricsRegistry::global().gauge_fn(kQueueGauge, "Batches waiting in a component's input queue.", n->labels(),
                                     [q] { return static_cast<double>(q->size()); });
  n->worker = std::thread([this, n] { run_worker(n); });
  n->running = true;
}

Status Pipeline::start_source(Node* n) {
  // Positions to resume from: per key the minimum over every sink
  // reachable from this source, and over every path to it.
  std::map<Node*, std::set<std::string>> paths;  // sink -> position-key suffix of each path
  std::vector<std::pair<Node*, std::string>> stack{{n, ""}};
  while (!stack.empty()) {
    auto [x, suffix] = std::move(stack.back());
    stack.pop_back();
    if (x->sink) paths[x].insert(suffix);
    for (const auto& port : x->outputs) {
      for (const Edge& e : port) stack.emplace_back(e.to, suffix + e.via);
    }
  }
  std::vector<SinkPathPositions> sinks;
  std::vector<Node*> sink_nodes;
  for (const auto& [s, suffixes] : paths) {
    sink_nodes.push_back(s);
    SinkPathPositions& sp = sinks.emplace_back();
    sp.suffixes.assign(suffixes.begin(), suffixes.end());
    if (s->checkpoints) {
      std::lock_guard<std::mutex> l(s->checkpoints->mu);
      sp.committed = s->checkpoints->file->positions(n->spec.name);
    } else {
      sp.committed = s->sink->committed_positions(n->spec.name);
    }
  }
  ResumePlan plan = plan_resume(sinks);
  n->ctx.committed = std::move(plan.committed);
  n->ctx.resume_cuts = std::move(plan.cuts);
  for (size_t i = 0; i < sink_nodes.size(); ++i) {
    Node* s = sink_nodes[i];
    std::lock_guard<std::mutex> l(s->replayed_mu);
    std::erase_if(s->replayed, [&](const auto& e) { return e.first.first == n->spec.name; });
    for (auto& [key, offset] : plan.ahead[i]) s->replayed[{n->spec.name, key}] = offset;
    s->has_replayed = !s->replayed.empty();
  }
  n->ctx.emit = [n](LogBatch&& b) -> Status {
    uint64_t bytes = 0;
    for (const auto& r : b.records) bytes += r.body.size();
    n->sent->inc(b.size());
    n->sent_bytes->inc(bytes);
    return emit(n, 0, std::move(b));
  };
  SLUICE_RETURN_IF_ERROR(n->source->start(&n->ctx).with_context("starting sources." + n->spec.name));
  n->running = true;
  return Status::Ok();
}

Status Pipeline::start() {
  std::lock_guard<std::mutex> guard(mu_);
  if (started_ || stopping_) return Status::Ok();
  started_ = true;
  for (auto& n : nodes_) {
    if (n->queue) activate(n.get());
  }
  for (auto& n : nodes_) {
    if (n->source) SLUICE_RETURN_IF_ERROR(start_source(n.get()));
  }
  return Status::Ok();
}

void Pipeline::run_worker(Node* n) {
  set_thread_name(n->spec.name);
  std::optional<SinkWriter> writer;
  if (n->sink) {
    writer.emplace(
        n->sink.get(), n->spec.name, SinkCounters{n->received, n->sent, n->errors, n->discarded}, &stopping_,
        [n](const LogBatch& batch) {
          if (!n->checkpoints || batch.positions.empty()) return;
          // The next hop has the data; failing to note it only means the
          // batch is sent again after a restart (never lost).
          std::lock_guard<std::mutex> l(n->checkpoints->mu);
          Status cs = n->checkpoints->file->commit(batch.positions);
          if (!cs.ok()) spdlog::error("pipeline: sinks.{}: saving the checkpoint: {}", n->spec.name, cs.to_string());
        },
        [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); });
  }
  const auto flush_every = n->transform ? n->transform->flush_interval() : std::chrono::nanoseconds(0);
  const bool keeps_state = n->transform && n->transform->keeps_state();
  auto pass_on = [&](LogBatch&& batch) {
    // A transform that keeps state across batches may send a batch read
    // again with other records than before (multiline: a held batch's
    // positions with records completed by later lines; dedupe: the record
    // another copy had): a sink that was ahead writes it.
    if (keeps_state) {
      for (SourcePosition& p : batch.positions) {
        if (p.replay == SourcePosition::Replay::kWhole) p.replay = SourcePosition::Replay::kMixed;
      }
    }
    if (n->router) {
      std::vector<LogBatch> parts;
      n->router->split(batch, parts);
      std::shared_lock<OutputsGate> l(n->outputs_mu);
      for (size_t i = 0; i < parts.size() && i < n->outputs.size(); ++i) {
        n->sent->inc(parts[i].size());
        if (!n->outputs[i].empty()) (void)push_all(n->outputs[i], std::move(parts[i]));
      }
      return;
    }
    n->sent->inc(batch.size());
    (void)emit(n, 0, std::move(batch));
  };
  auto flush_into_outputs = [&](bool final) {
    LogBatch held;
    n->transform->flush(held, final);
    if (held.empty() && held.acks.empty()) return;
    pass_on(std::move(held));
  };
  while (true) {
    std::optional<LogBatch> item;
    if (flush_every.count() > 0) {
      bool closed = false;
      item = n->queue->pop_for(flush_every, &closed);
      if (!item) {
        if (closed) break;
        flush_into_outputs(false);
        continue;
      }
    } else {
      item = n->queue->pop();
      if (!item) break;
    }
    if (n->transform) {
      LogBatch& batch = *item;
      n->received->inc(batch.size());
      n->transform->process(batch);
      pass_on(std::move(batch));
      if (flush_every.count() > 0) flush_into_outputs(false);
      continue;
    }
    // A sink takes what its queue holds, up to its group size, at once.
    std::vector<LogBatch> taken;
    taken.push_back(std::move(*item));
    while (taken.size() < n->sink->max_group()) {
      std::optional<LogBatch> more = n->queue->try_pop();
      if (!more) break;
      taken.push_back(std::move(*more));
    }
    if (n->has_replayed.load(std::memory_order_relaxed)) {
      std::lock_guard<std::mutex> l(n->replayed_mu);
      skip_replayed(n->replayed, taken);
      n->has_replayed = !n->replayed.empty();
      if (taken.empty()) continue;
    }
    writer->write(taken);
    // The items may go to the releaser's thread; the rest of each batch
    // (acknowledgements) is released here either way.
    if (n->sink->free_written_items_in_background()) releaser_.release(taken);
  }
  if (n->transform) flush_into_outputs(true);
}

void Pipeline::stop() {
  stopping_ = true;  // before the lock: a reload waiting for a drain gives up
  std::lock_guard<std::mutex> guard(mu_);
  if (!started_) return;
  started_ = false;
  // Sinks stop retrying (their batches' positions stay uncommitted, so the
  // data is read again after restart); sources stop, so nothing new enters;
  // then queues drain stage by stage.
  for (auto& n : nodes_) {
    if (n->sink) n->sink->stop();
  }
  for (auto& n : nodes_) {
    if (n->source) n->source->stop();
  }
  auto& m = MetricsRegistry::global();
  for (auto& n : nodes_) {
    if (!n->queue) continue;
    n->queue->close();
    if (n->worker.joinable()) n->worker.join();
    if (n->running) m.remove(kQueueGauge, n->labels());
    n->running = false;
  }
}

void Pipeline::forget_series(const Node& gone, const std::vector<Node*>& live) {
  auto& m = MetricsRegistry::global();
  const Labels labels = gone.labels();
  const Node* same_name = nullptr;
  bool same_labels = false;
  for (const Node* n : live) {
    if (n->spec.name != gone.spec.name) continue;
    same_name = n;
    same_labels = n->labels() == labels;
  }
  if (!same_labels) {
    for (const char* name : kComponentCounters) m.remove(name, labels);
    m.remove(kQueueGauge, labels);
  }
  if (same_name == nullptr) m.remove("sluice_component_filtered_records_total", {{"component", gone.spec.name}});
  for (const auto& out : gone.output_names) {
    if (same_name && std::count(same_name->output_names.begin(), same_name->output_names.end(), out)) continue;
    m.remove("sluice_route_records_total", {{"component", gone.spec.name}, {"output", out}});
  }
}

}  // namespace sluice
