// The registry of pipeline component types: every source, transform and
// sink type sluice knows, with its option table and factory. Components are
// listed explicitly in registry.cpp (no static-initializer registration).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config_file.hpp"
#include "config/options.hpp"
#include "pipeline/component.hpp"

namespace sluice {

class Store;

/// What factories may use. Owned by the caller of build_pipeline.
struct PipelineContext {
  Store* store = nullptr;  ///< null under `sluice agent` (no store sinks)
  /// `sluice config check`: validate options only; sink factories return
  /// null instead of touching the store, and the pipeline is never started.
  bool check_only = false;
  /// Where sinks that cannot store source positions themselves keep their
  /// checkpoint files (`<state_dir>/checkpoints/<sink>.json`); empty: none
  /// (sources then restart from their start_at).
  std::string state_dir;
};

struct ComponentType {
  std::string kind;  ///< "sources", "transforms" or "sinks"
  std::string type;  ///< the `type = "..."` value
  std::string description;
  const OptionTableBase* options = nullptr;
  std::function<Result<std::unique_ptr<Source>>(const ComponentSpec&, const std::string& file)> make_source;
  std::function<Result<std::unique_ptr<Transform>>(const ComponentSpec&, const std::string& file)> make_transform;
  std::function<Result<std::unique_ptr<Sink>>(const ComponentSpec&, const std::string& file, PipelineContext&)>
      make_sink;
  /// Sources only: the source names a stream on each batch
  /// (LogBatch::stream). When no component lists such a source in its
  /// `inputs` and the process has a store, its batches go to the store
  /// through an implicit `store` sink, so that `[sources.loki] type =
  /// "loki"` alone is enough.
  bool names_streams = false;
};

/// Every component type, sources first, each kind sorted by type name.
const std::vector<ComponentType>& component_types();
/// The type, or nullptr.
const ComponentType* find_component_type(const std::string& kind, const std::string& type);

}  // namespace sluice
