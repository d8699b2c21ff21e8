#include "pipeline/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>

#include "common/env.hpp"
#include "common/metrics.hpp"
#include "pipeline/checkpoints.hpp"
#include "pipeline/sinks/store/store_sink.hpp"

namespace sluice {

struct Pipeline::Node {
  ComponentSpec spec;
  std::unique_ptr<Source> source;
  std::unique_ptr<Transform> transform;
  std::unique_ptr<Sink> sink;
  std::unique_ptr<Checkpoints> checkpoints;  ///< sinks that do not commit positions themselves
  std::vector<Node*> outputs;
  std::unique_ptr<BoundedQueue<LogBatch>> queue;  ///< null for sources
  std::thread worker;
  SourceContext ctx;
  Counter* received = nullptr;
  Counter* sent = nullptr;
  Counter* errors = nullptr;
  Counter* discarded = nullptr;
  Counter* sent_bytes = nullptr;
};

namespace {
constexpr size_t kQueueBatches = 8;
}

Result<std::unique_ptr<Pipeline>> Pipeline::build(const ConfigFile& config, PipelineContext ctx) {
  std::unique_ptr<Pipeline> p(new Pipeline());  // NOLINT: private constructor
  std::map<std::string, const ComponentSpec*> by_name;
  for (const auto& c : config.components) {
    if (by_name.count(c.name)) {
      return Status::InvalidArgument(c.location + ": component name \"" + c.name +
                                     "\" is used twice (names are shared by sources, transforms and sinks)");
    }
    by_name[c.name] = &c;
  }
  // Check inputs and order components topologically (Kahn's algorithm).
  std::map<std::string, int> indegree;
  std::map<std::string, std::vector<std::string>> consumers;
  for (const auto& c : config.components) {
    indegree[c.name] += 0;
    for (const auto& in : c.inputs) {
      auto it = by_name.find(in);
      if (it == by_name.end()) {
        std::vector<std::string> names;
        for (const auto& [n, s] : by_name) names.push_back(n);
        std::string msg = c.location + ": " + c.kind + "." + c.name + ".inputs: unknown component \"" + in + "\"";
        std::string near = nearest_word(in, names);
        if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
        return Status::InvalidArgument(msg);
      }
      if (it->second->kind == "sinks") {
        return Status::InvalidArgument(c.location + ": " + c.kind + "." + c.name + ".inputs: \"" + in +
                                       "\" is a sink and produces nothing");
      }
      indegree[c.name]++;
      consumers[in].push_back(c.name);
    }
  }
  std::vector<std::string> order;
  std::vector<std::string> ready;
  for (const auto& c : config.components) {
    if (indegree[c.name] == 0) ready.push_back(c.name);
  }
  while (!ready.empty()) {
    std::string n = ready.back();
    ready.pop_back();
    order.push_back(n);
    for (const auto& m : consumers[n]) {
      if (--indegree[m] == 0) ready.push_back(m);
    }
  }
  if (order.size() != config.components.size()) {
    std::string cyc;
    for (const auto& [n, d] : indegree) {
      if (d > 0) cyc += (cyc.empty() ? "" : ", ") + n;
    }
    return Status::InvalidArgument(config.path + ": the pipeline has a cycle through: " + cyc);
  }
  std::map<std::string, Node*> nodes;
  for (const auto& name : order) {
    const ComponentSpec& spec = *by_name[name];
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
    auto node = std::make_unique<Node>();
    node->spec = spec;
    if (spec.kind == "sources") {
      SLUICE_ASSIGN_OR_RETURN(node->source, type->make_source(spec, config.path));
    } else if (spec.kind == "transforms") {
      SLUICE_ASSIGN_OR_RETURN(node->transform, type->make_transform(spec, config.path));
    } else {
      SLUICE_ASSIGN_OR_RETURN(node->sink, type->make_sink(spec, config.path, ctx));
      if (node->sink && !node->sink->commits_positions() && !ctx.state_dir.empty()) {
        SLUICE_ASSIGN_OR_RETURN(node->checkpoints,
                                Checkpoints::open(Env::posix(), ctx.state_dir + "/checkpoints/" + spec.name + ".json"));
      }
    }
    register_metrics(node.get());
    nodes[name] = node.get();
    p->nodes_.push_back(std::move(node));
  }
  for (auto& n : p->nodes_) {
    for (const auto& in : n->spec.inputs) nodes[in]->outputs.push_back(n.get());
  }
  SLUICE_RETURN_IF_ERROR(p->add_implicit_store_sinks(ctx));
  for (auto& n : p->nodes_) {
    if (n->spec.kind != "sinks" && n->outputs.empty()) {
      spdlog::warn("pipeline: {}.{} has no consumers; what it produces is discarded", n->spec.kind, n->spec.name);
    }
  }
  return p;
}

void Pipeline::register_metrics(Node* node) {
  auto& m = MetricsRegistry::global();
  const ComponentSpec& spec = node->spec;
  if (spec.kind != "sources") node->queue = std::make_unique<BoundedQueue<LogBatch>>(kQueueBatches);
  Labels l{{"component", spec.name}, {"kind", spec.kind.substr(0, spec.kind.size() - 1)}, {"type", spec.type}};
  node->received = &m.counter("sluice_component_received_records_total", "Records a component received.", l);
  node->sent = &m.counter("sluice_component_sent_records_total", "Records a component passed on or wrote.", l);
  node->errors = &m.counter("sluice_component_errors_total", "Failed sink writes (each retry counts).", l);
  node->discarded =
      &m.counter("sluice_component_discarded_records_total", "Records dropped after a fatal sink error.", l);
  node->sent_bytes =
      &m.counter("sluice_component_sent_bytes_total", "Body bytes of the records a component passed on or wrote.", l);
  if (node->queue) {
    auto* q = node->queue.get();
    m.gauge_fn("sluice_component_queue_batches", "Batches waiting in a component's input queue.", l,
               [q] { return static_cast<double>(q->size()); });
  }
}

Status Pipeline::add_implicit_store_sinks(PipelineContext& ctx) {
  if (ctx.store == nullptr || ctx.check_only) return Status::Ok();
  std::vector<std::unique_ptr<Node>> added;
  for (auto& n : nodes_) {
    if (!n->source || !n->outputs.empty()) continue;
    const ComponentType* type = find_component_type(n->spec.kind, n->spec.type);
    if (type == nullptr || !type->names_streams) continue;
    auto sink = std::make_unique<Node>();
    sink->spec.kind = "sinks";
    sink->spec.type = "store";
    sink->spec.name = n->spec.name + ".store";
    sink->spec.location = n->spec.location;
    sink->spec.inputs = {n->spec.name};
    SLUICE_ASSIGN_OR_RETURN(sink->sink, make_store_sink(ctx.store, StoreSinkOptions{}));
    register_metrics(sink.get());
    n->outputs.push_back(sink.get());
    added.push_back(std::move(sink));
  }
  for (auto& a : added) nodes_.push_back(std::move(a));
  return Status::Ok();
}

Pipeline::~Pipeline() {
  stop();
  auto& m = MetricsRegistry::global();
  for (auto& n : nodes_) {
    if (n->queue) {
      m.remove("sluice_component_queue_batches", {{"component", n->spec.name},
                                                  {"kind", n->spec.kind.substr(0, n->spec.kind.size() - 1)},
                                                  {"type", n->spec.type}});
    }
  }
}

size_t Pipeline::component_count() const { return nodes_.size(); }

Status Pipeline::emit_to(const std::vector<Node*>& outputs, LogBatch&& batch) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    LogBatch copy;
    LogBatch& b = (i + 1 == outputs.size()) ? batch : (copy = batch);
    if (!outputs[i]->queue->push(b)) {
      b.fail_acks(DeliveryStatus::kErrored, "the pipeline is stopping");
      return Status::Cancelled("pipeline is stopping");
    }
  }
  return Status::Ok();
}

Status Pipeline::start() {
  if (started_) return Status::Ok();
  started_ = true;
  for (auto& n : nodes_) {
    if (!n->queue) continue;
    Node* raw = n.get();
    n->worker = std::thread([this, raw] { run_worker(raw); });
  }
  for (auto& n : nodes_) {
    if (!n->source) continue;
    // Positions to resume from: per key the minimum over every sink
    // reachable from this source.
    std::vector<Node*> sinks;
    std::vector<Node*> stack = n->outputs;
    std::set<Node*> seen;
    while (!stack.empty()) {
      Node* x = stack.back();
      stack.pop_back();
      if (!seen.insert(x).second) continue;
      if (x->sink) sinks.push_back(x);
      for (Node* o : x->outputs) stack.push_back(o);
    }
    std::map<std::string, uint64_t> merged;
    std::map<std::string, size_t> present;
    for (Node* s : sinks) {
      auto committed =
          s->checkpoints ? s->checkpoints->positions(n->spec.name) : s->sink->committed_positions(n->spec.name);
      for (const auto& [k, off] : committed) {
        auto it = merged.find(k);
        merged[k] = it == merged.end() ? off : std::min(it->second, off);
        present[k]++;
      }
    }
    n->ctx.committed.clear();
    for (const auto& [k, off] : merged) n->ctx.committed[k] = present[k] == sinks.size() ? off : 0;
    Node* raw = n.get();
    n->ctx.emit = [this, raw](LogBatch&& b) -> Status {
      uint64_t bytes = 0;
      for (const auto& r : b.records) bytes += r.body.size();
      raw->sent->inc(b.size());
      raw->sent_bytes->inc(bytes);
      return emit_to(raw->outputs, std::move(b));
    };
    SLUICE_RETURN_IF_ERROR(n->source->start(&n->ctx).with_context("starting sources." + n->spec.name));
  }
  return Status::Ok();
}

void Pipeline::run_worker(Node* n) {
  std::mt19937_64 rng(std::random_device{}());
  // After a batch is abandoned at shutdown nothing behind it may be written:
  // a later batch would commit source positions past the lost one.
  bool abandoned = false;
  const auto flush_every = n->transform ? n->transform->flush_interval() : std::chrono::nanoseconds(0);
  auto flush_into_outputs = [&](bool final) {
    LogBatch held;
    n->transform->flush(held, final);
    if (held.empty() && held.acks.empty()) return;
    n->sent->inc(held.size());
    if (!n->outputs.empty()) (void)emit_to(n->outputs, std::move(held));
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
    LogBatch& batch = *item;
    if (abandoned) {
      batch.fail_acks(DeliveryStatus::kErrored, "the pipeline stopped before sinks." + n->spec.name + " wrote it");
      continue;
    }
    n->received->inc(batch.size());
    if (n->transform) {
      n->transform->process(batch);
      n->sent->inc(batch.size());
      if (!n->outputs.empty()) (void)emit_to(n->outputs, std::move(batch));
      if (flush_every.count() > 0) flush_into_outputs(false);
      continue;
    }
    auto backoff = std::chrono::milliseconds(100);
    while (true) {
      std::string err;
      SinkResult r = n->sink->write(batch, &err);
      if (r == SinkResult::kOk) {
        n->sent->inc(batch.size());
        if (n->checkpoints && !batch.positions.empty()) {
          // The next hop has the data; failing to note it only means the
          // batch is sent again after a restart (never lost).
          Status cs = n->checkpoints->commit(batch.positions);
          if (!cs.ok()) spdlog::error("pipeline: sinks.{}: saving the checkpoint: {}", n->spec.name, cs.to_string());
        }
        break;
      }
      n->errors->inc();
      if (r == SinkResult::kFatal) {
        n->discarded->inc(batch.size());
        batch.fail_acks(DeliveryStatus::kRejected, "sinks." + n->spec.name + ": " + err);
        spdlog::error("pipeline: sinks.{} dropped {} records: {}", n->spec.name, batch.size(), err);
        break;
      }
      if (stopping_) {
        spdlog::warn("pipeline: sinks.{} gave up its queue at shutdown; those positions stay uncommitted: {}",
                     n->spec.name, err);
        abandoned = true;
        batch.fail_acks(DeliveryStatus::kErrored, "sinks." + n->spec.name + " gave up at shutdown: " + err);
        break;
      }
      auto jitter = std::chrono::milliseconds(rng() % static_cast<uint64_t>(backoff.count() / 2 + 1));
      spdlog::warn("pipeline: sinks.{} will retry in {} ms: {}", n->spec.name, (backoff + jitter).count(), err);
      std::this_thread::sleep_for(backoff + jitter);
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(30));
    }
  }
  if (n->transform) flush_into_outputs(true);
}

void Pipeline::stop() {
  if (!started_) return;
  started_ = false;
  // Sinks stop retrying (their batches' positions stay uncommitted, so the
  // data is read again after restart); sources stop, so nothing new enters;
  // then queues drain stage by stage.
  stopping_ = true;
  for (auto& n : nodes_) {
    if (n->source) n->source->stop();
  }
  for (auto& n : nodes_) {
    if (!n->queue) continue;
    n->queue->close();
    if (n->worker.joinable()) n->worker.join();
  }
}

}  // namespace sluice
