#include "pipeline/reload_plan.hpp"

#include <algorithm>
#include <map>

namespace sluice {

bool same_component(const ComponentSpec& a, const ComponentSpec& b) {
  if (a.name != b.name || a.kind != b.kind || a.type != b.type || a.inputs != b.inputs) return false;
  if ((a.table == nullptr) != (b.table == nullptr)) return false;
  return a.table == nullptr || *a.table == *b.table;
}

std::string ReloadPlan::summary() const {
  auto part = [](const char* what, const std::vector<std::string>& names, bool list) {
    std::string s = std::to_string(names.size()) + " " + what;
    if (list && !names.empty()) {
      s += " (";
      for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
      s += ")";
    }
    return s;
  };
  return part("changed", changed, true) + ", " + part("added", added, true) + ", " + part("removed", removed, true) +
         ", " + part("kept", kept, false);
}

ReloadPlan plan_reload(const std::vector<ComponentSpec>& running, const std::vector<ComponentSpec>& next,
                       const std::set<std::string>& restart) {
  std::map<std::string, const ComponentSpec*> old;
  for (const auto& s : running) old[s.name] = &s;
  ReloadPlan plan;
  std::set<std::string> seen;
  for (const auto& s : next) {
    seen.insert(s.name);
    auto it = old.find(s.name);
    std::string label = s.kind + "." + s.name;
    if (it == old.end()) {
      plan.added.push_back(label);
    } else if (restart.count(s.name) || !same_component(*it->second, s)) {
      plan.changed.push_back(label);
    } else {
      plan.kept.push_back(label);
    }
  }
  for (const auto& s : running) {
    if (!seen.count(s.name)) plan.removed.push_back(s.kind + "." + s.name);
  }
  // Sources, then transforms, then sinks; by name within a kind.
  auto rank = [](const std::string& label) {
    return std::make_pair(label.starts_with("sources.") ? 0 : label.starts_with("transforms.") ? 1 : 2, label);
  };
  for (auto* v : {&plan.kept, &plan.changed, &plan.added, &plan.removed}) {
    std::sort(v->begin(), v->end(), [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  }
  return plan;
}

}  // namespace sluice
