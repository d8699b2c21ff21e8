#include "pipeline/topology.hpp"

#include <algorithm>

#include "config/options.hpp"

namespace sluice {
namespace {

std::string where(const ComponentSpec& c) { return c.location + ": " + c.kind + "." + c.name + ".inputs: "; }

std::string quoted_list(const std::string& component, const std::vector<std::string>& outputs) {
  std::string s;
  for (const auto& o : outputs) s += (s.empty() ? "\"" : ", \"") + component + "." + o + "\"";
  return s;
}

}  // namespace

Result<Topology> resolve_topology(const ConfigFile& config) {
  Topology t;
  for (const auto& c : config.components) {
    if (t.by_name.count(c.name)) {
      return Status::InvalidArgument(c.location + ": component name \"" + c.name +
                                     "\" is used twice (names are shared by sources, transforms and sinks)");
    }
    t.by_name[c.name] = &c;
  }
  std::map<std::string, int> indegree;
  std::map<std::string, std::vector<std::string>> consumers;
  for (const auto& c : config.components) {
    indegree[c.name] += 0;
    auto& refs = t.inputs[c.name];
    for (const auto& in : c.inputs) {
      InputRef ref{in, "", in};
      auto it = t.by_name.find(in);
      if (it == t.by_name.end()) {
        size_t dot = in.rfind('.');
        if (dot != std::string::npos && dot > 0 && t.by_name.count(in.substr(0, dot))) {
          ref.component = in.substr(0, dot);
          ref.output = in.substr(dot + 1);
          it = t.by_name.find(ref.component);
        }
      }
      if (it == t.by_name.end()) {
        std::vector<std::string> names;
        for (const auto& [n, s] : t.by_name) names.push_back(n);
        std::string msg = where(c) + "unknown component \"" + in + "\"";
        std::string near = nearest_word(in, names);
        if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
        return Status::InvalidArgument(msg);
      }
      if (it->second->kind == "sinks") {
        return Status::InvalidArgument(where(c) + "\"" + in + "\" is a sink and produces nothing");
      }
      if (std::count(c.inputs.begin(), c.inputs.end(), in) > 1) {
        return Status::InvalidArgument(where(c) + "input \"" + in + "\" is listed twice");
      }
      indegree[c.name]++;
      consumers[ref.component].push_back(c.name);
      refs.push_back(std::move(ref));
    }
  }
  std::vector<std::string> ready;
  for (const auto& c : config.components) {
    if (indegree[c.name] == 0) ready.push_back(c.name);
  }
  while (!ready.empty()) {
    std::string n = ready.back();
    ready.pop_back();
    t.order.push_back(t.by_name[n]);
    for (const auto& m : consumers[n]) {
      if (--indegree[m] == 0) ready.push_back(m);
    }
  }
  if (t.order.size() != config.components.size()) {
    std::string cyc;
    for (const auto& [n, d] : indegree) {
      if (d > 0) cyc += (cyc.empty() ? "" : ", ") + n;
    }
    return Status::InvalidArgument(config.path + ": the pipeline has a cycle through: " + cyc);
  }
  return t;
}

Status check_outputs(const Topology& topology,
                     const std::function<std::vector<std::string>(const std::string& component)>& outputs_of) {
  for (const ComponentSpec* c : topology.order) {
    auto refs = topology.inputs.find(c->name);
    if (refs == topology.inputs.end()) continue;
    for (const InputRef& ref : refs->second) {
      const ComponentSpec& from = *topology.by_name.at(ref.component);
      std::vector<std::string> outputs = outputs_of(ref.component);
      std::string producer = from.kind + "." + from.name;
      if (ref.output.empty()) {
        if (!outputs.empty()) {
          return Status::InvalidArgument(where(*c) + "\"" + ref.text + "\": " + producer +
                                         " has named outputs; name one of " + quoted_list(ref.component, outputs));
        }
        continue;
      }
      if (outputs.empty()) {
        std::string msg = where(*c) + "unknown component \"" + ref.text + "\"";
        return Status::InvalidArgument(msg + "; " + producer + " has no named outputs, did you mean \"" +
                                       ref.component + "\"?");
      }
      if (std::find(outputs.begin(), outputs.end(), ref.output) == outputs.end()) {
        std::string msg = where(*c) + "\"" + ref.text + "\": " + producer + " has no output \"" + ref.output + "\"";
        std::string near = nearest_word(ref.output, outputs);
        if (!near.empty()) msg += "; did you mean \"" + ref.component + "." + near + "\"?";
        return Status::InvalidArgument(msg + " (outputs: " + quoted_list(ref.component, outputs) + ")");
      }
    }
  }
  return Status::Ok();
}

}  // namespace sluice
