// Topology: the checked shape of a pipeline config, before any component is
// built: every `inputs` entry resolved to the component (and, for
// "<component>.<output>", the named output) it reads from, and an order in
// which every component comes after all of its inputs.
//
// Input references: "app" names the component app; "split.errors" names
// the output `errors` of split when no component is called "split.errors"
// (component names may contain dots; output names may not, so the text is
// split at its last dot). Which outputs a component has is only known once
// it is built; check_outputs() checks the references afterwards.
//
// Thread-safety: plain values; the functions are pure.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/config_file.hpp"

namespace sluice {

/// One entry of a component's `inputs`, resolved.
struct InputRef {
  std::string component;  ///< the producing component
  std::string output;     ///< a named output ("errors" of "split.errors"); "" for the default output
  std::string text;       ///< as written in the config
};

struct Topology {
  /// Every component, each after all of its inputs (Kahn's algorithm).
  std::vector<const ComponentSpec*> order;
  /// Resolved `inputs` by component name (sources: empty).
  std::map<std::string, std::vector<InputRef>> inputs;
  std::map<std::string, const ComponentSpec*> by_name;
};

/// Resolves the inputs of `config`'s components and orders them.
/// InvalidArgument naming the component and its file location for: a name
/// used twice, an unknown input (with the nearest name as a hint), a sink
/// used as an input, a cycle (naming the components on it).
Result<Topology> resolve_topology(const ConfigFile& config);

/// Checks every input reference against the outputs of the component it
/// names; `outputs_of(name)` gives a built component's named outputs (empty:
/// it has one default output). InvalidArgument for an output name the
/// component does not have (with the nearest name and the list), a named
/// output of a component without named outputs, and a bare reference to a
/// component that has named outputs.
Status check_outputs(const Topology& topology,
                     const std::function<std::vector<std::string>(const std::string& component)>& outputs_of);

}  // namespace sluice
