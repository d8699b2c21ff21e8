// ReloadPlan: what a configuration reload does with each pipeline component
// (docs/user-guide.md "Reloading the configuration"). A component is kept
// running, untouched, when the new file declares it with the same kind,
// type, options and inputs (the same TOML table, compared by value, so
// comments, key order and formatting do not matter); otherwise it is
// changed (stopped after draining, and started anew), added or removed.
// Its consumers do not count: a kept component whose consumers change keeps
// running and is only re-wired.
//
// Thread-safety: plain values; the functions are pure.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "config/config_file.hpp"

namespace sluice {

struct ReloadPlan {
  std::vector<std::string> kept;     ///< same declaration: keeps running untouched
  std::vector<std::string> changed;  ///< declared differently: replaced
  std::vector<std::string> added;
  std::vector<std::string> removed;

  bool empty() const { return changed.empty() && added.empty() && removed.empty(); }
  /// "2 changed (transforms.tag, sinks.out), 1 added (...), 0 removed, 3 kept".
  std::string summary() const;
};

/// True when `a` and `b` declare the same component: name, kind, type and
/// inputs, and equal TOML tables (both null for the implicit store sinks).
bool same_component(const ComponentSpec& a, const ComponentSpec& b);

/// Compares the running components with the next ones, by name; each list
/// holds "kind.name" labels, sources first, then transforms, then sinks,
/// by name within a kind. Names in
/// `restart` (components that failed to start at an earlier reload) count
/// as changed even when declared the same.
ReloadPlan plan_reload(const std::vector<ComponentSpec>& running, const std::vector<ComponentSpec>& next,
                       const std::set<std::string>& restart = {});

}  // namespace sluice
