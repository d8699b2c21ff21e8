#include "config/config_file.hpp"

#include <algorithm>

#include "common/env.hpp"
#include "config/options.hpp"

namespace sluice {

const toml::table& ConfigFile::section(const std::string& name) const {
  static const toml::table kEmpty;
  const toml::table* t = root ? (*root)[name].as_table() : nullptr;
  return t ? *t : kEmpty;
}

namespace {
bool valid_component_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}
}  // namespace

Result<ConfigFile> parse_config(std::string_view text, const std::string& path) {
  ConfigFile cf;
  cf.path = path;
  try {
    cf.root = std::make_shared<toml::table>(toml::parse(text, path));
  } catch (const toml::parse_error& e) {  // toml++ reports syntax errors by exception
    const auto& src = e.source();
    return Status::InvalidArgument(path + ":" + std::to_string(src.begin.line) + ":" +
                                   std::to_string(src.begin.column) + ": " + std::string(e.description()));
  }
  static const std::vector<std::string> kTop = {"api", "store", "query", "sources", "transforms", "sinks"};
  for (const auto& [key, node] : *cf.root) {
    std::string k(key.str());
    std::string loc = node_location(node, path);
    if (std::find(kTop.begin(), kTop.end(), k) == kTop.end()) {
      std::string msg = loc + ": unknown top-level key \"" + k + "\"";
      std::string near = nearest_word(k, kTop);
      if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
      return Status::InvalidArgument(msg + " (valid: api, store, query, sources, transforms, sinks)");
    }
    if (!node.is_table()) return Status::InvalidArgument(loc + ": [" + k + "] must be a table");
    if (k != "sources" && k != "transforms" && k != "sinks") continue;
    for (const auto& [cname, cnode] : *node.as_table()) {
      std::string name(cname.str());
      std::string cloc = node_location(cnode, path);
      const toml::table* t = cnode.as_table();
      if (t == nullptr) return Status::InvalidArgument(cloc + ": [" + k + "." + name + "] must be a table");
      if (!valid_component_name(name)) {
        return Status::InvalidArgument(cloc + ": component name \"" + name + "\" must match [a-z0-9_.-]{1,64}");
      }
      ComponentSpec spec;
      spec.kind = k;
      spec.name = name;
      spec.table = t;
      spec.location = cloc;
      auto type = (*t)["type"].value<std::string>();
      if (!type) return Status::InvalidArgument(cloc + ": [" + k + "." + name + "] needs a string key \"type\"");
      spec.type = *type;
      const toml::node* inputs = t->get("inputs");
      if (k == "sources") {
        if (inputs) {
          return Status::InvalidArgument(node_location(*inputs, path) + ": sources." + name +
                                         " is a source and takes no \"inputs\"");
        }
      } else {
        const toml::array* arr = inputs ? inputs->as_array() : nullptr;
        if (arr == nullptr || arr->empty()) {
          return Status::InvalidArgument(cloc + ": [" + k + "." + name +
                                         "] needs \"inputs\", a non-empty array of component names");
        }
        for (const auto& e : *arr) {
          auto v = e.value<std::string>();
          if (!v || !e.is_string()) {
            return Status::InvalidArgument(node_location(e, path) + ": " + k + "." + name +
                                           ".inputs: expected component names (strings)");
          }
          spec.inputs.push_back(*v);
        }
      }
      cf.components.push_back(std::move(spec));
    }
  }
  return cf;
}

Result<ConfigFile> load_config(const std::string& path) {
  auto text = Env::posix()->read_file(path, 16ULL << 20);
  if (!text.ok()) return text.status().with_context("reading config");
  return parse_config(*text, path);
}

}  // namespace sluice
