#include "config/options.hpp"

#include <algorithm>

#include "config/units.hpp"

namespace sluice {

std::string_view option_type_name(OptionType t) {
  switch (t) {
    case OptionType::kString:
      return "string";
    case OptionType::kBool:
      return "bool";
    case OptionType::kInteger:
      return "integer";
    case OptionType::kSize:
      return "size";
    case OptionType::kDuration:
      return "duration";
    case OptionType::kStringList:
      return "string_list";
    case OptionType::kEnum:
      return "enum";
  }
  return "unknown";
}

std::string node_location(const toml::node& node, std::string_view fallback_file) {
  const auto& src = node.source();
  std::string file = src.path ? *src.path : std::string(fallback_file);
  if (file.empty()) file = "<config>";
  return file + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

namespace {
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::string nearest_word(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const auto& c : candidates) {
    // A candidate that starts the word (listen_addr -> listen) or that the
    // word starts (inc -> include) is as good as a one-letter typo.
    bool prefix = !c.empty() && word.size() >= 3 && (word.starts_with(c) || std::string_view(c).starts_with(word));
    size_t d = prefix ? 1 : edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // A plausible typo: at most a third of the word's letters differ (at least 2).
  size_t limit = std::max<size_t>(2, word.size() / 3);
  return best_d <= limit ? best : std::string();
}

std::vector<std::string> OptionTableBase::key_names(const std::vector<std::string>& caller_keys) const {
  std::vector<std::string> names = caller_keys;
  for (const auto& s : specs_) names.push_back(s.name);
  return names;
}

void OptionTableBase::add(OptionSpec spec, Assign assign, SetDefault set_default) {
  specs_.push_back(std::move(spec));
  assigns_.push_back(std::move(assign));
  defaults_.push_back(std::move(set_default));
}

Status OptionTableBase::apply_erased(const toml::table& table, void* target, std::string_view where,
                                     std::string_view file, const std::vector<std::string>& caller_keys) const {
  for (const auto& d : defaults_) d(target);
  std::vector<bool> seen(specs_.size(), false);
  for (const auto& [key, node] : table) {
    std::string_view k = key.str();
    if (std::find(caller_keys.begin(), caller_keys.end(), k) != caller_keys.end()) continue;
    auto it = std::find_if(specs_.begin(), specs_.end(), [&](const OptionSpec& s) { return s.name == k; });
    std::string loc = node_location(node, file);
    if (it == specs_.end()) {
      std::string msg = loc + ": unknown key \"" + std::string(k) + "\" in [" + std::string(where) + "]";
      std::string near = nearest_word(k, key_names(caller_keys));
      if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
      return Status::InvalidArgument(msg);
    }
    size_t idx = static_cast<size_t>(it - specs_.begin());
    seen[idx] = true;
    std::string ctx = loc + ": " + std::string(where) + "." + std::string(k);
    SLUICE_RETURN_IF_ERROR(assigns_[idx](node, target, ctx));
  }
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (specs_[i].required && !seen[i]) {
      std::string loc = node_location(table, file);
      return Status::InvalidArgument(loc + ": [" + std::string(where) + "] needs the key \"" + specs_[i].name + "\"");
    }
  }
  return Status::Ok();
}

namespace option_detail {

static std::string type_of(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

Result<std::string> read_string(const toml::node& n, const std::string& where) {
  if (auto v = n.value<std::string>(); v && n.is_string()) return *v;
  return Status::InvalidArgument(where + ": expected a string, found " + type_of(n));
}

Result<bool> read_bool(const toml::node& n, const std::string& where) {
  if (n.is_boolean()) return *n.value<bool>();
  return Status::InvalidArgument(where + ": expected true or false, found " + type_of(n));
}

Result<int64_t> read_integer(const toml::node& n, const std::string& where, int64_t min, int64_t max) {
  if (!n.is_integer()) return Status::InvalidArgument(where + ": expected an integer, found " + type_of(n));
  int64_t v = *n.value<int64_t>();
  if (v < min || v > max) {
    return Status::InvalidArgument(where + ": expected an integer from " + std::to_string(min) + " to " +
                                   std::to_string(max) + ", found " + std::to_string(v));
  }
  return v;
}

Result<uint64_t> read_size(const toml::node& n, const std::string& where, uint64_t min, uint64_t max) {
  uint64_t v = 0;
  if (n.is_integer()) {
    int64_t i = *n.value<int64_t>();
    if (i < 0) return Status::InvalidArgument(where + ": a size cannot be negative");
    v = static_cast<uint64_t>(i);
  } else if (n.is_string()) {
    auto r = parse_size(*n.value<std::string>());
    if (!r.ok()) return r.status().with_context(where);
    v = *r;
  } else {
    return Status::InvalidArgument(where + ": expected a size such as \"64MiB\", found " + type_of(n));
  }
  if (v < min || v > max) {
    return Status::InvalidArgument(where + ": expected a size from " + format_size(min) + " to " + format_size(max) +
                                   ", found " + format_size(v));
  }
  return v;
}

Result<std::chrono::nanoseconds> read_duration(const toml::node& n, const std::string& where,
                                               std::chrono::nanoseconds min, std::chrono::nanoseconds max) {
  if (!n.is_string()) {
    return Status::InvalidArgument(where + ": expected a duration such as \"250ms\", found " + type_of(n));
  }
  auto r = parse_duration(*n.value<std::string>());
  if (!r.ok()) return r.status().with_context(where);
  if (*r < min || *r > max) {
    return Status::InvalidArgument(where + ": expected a duration from " + format_duration(min) + " to " +
                                   format_duration(max) + ", found " + format_duration(*r));
  }
  return *r;
}

Result<std::vector<std::string>> read_string_list(const toml::node& n, const std::string& where) {
  const toml::array* arr = n.as_array();
  if (arr == nullptr) return Status::InvalidArgument(where + ": expected an array of strings, found " + type_of(n));
  std::vector<std::string> out;
  for (const auto& e : *arr) {
    if (!e.is_string()) {
      return Status::InvalidArgument(where + ": expected an array of strings, found an element that is " + type_of(e));
    }
    out.push_back(*e.value<std::string>());
  }
  return out;
}

Result<std::string> read_enum(const toml::node& n, const std::string& where, const std::vector<std::string>& allowed) {
  SLUICE_ASSIGN_OR_RETURN(std::string v, read_string(n, where));
  if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return v;
  std::string msg = where + ": expected one of " + list_text(allowed) + ", found \"" + v + "\"";
  std::string near = nearest_word(v, allowed);
  if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
  return Status::InvalidArgument(msg);
}

uint64_t must_size(std::string_view text) {
  auto r = parse_size(text);
  if (!r.ok()) std::abort();  // a default in code is wrong: programmer error
  return *r;
}

std::chrono::nanoseconds must_duration(std::string_view text) {
  auto r = parse_duration(text);
  if (!r.ok()) std::abort();  // a default in code is wrong: programmer error
  return *r;
}

std::string list_text(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += "\"" + v[i] + "\"";
  }
  return s + "]";
}

}  // namespace option_detail
}  // namespace sluice
