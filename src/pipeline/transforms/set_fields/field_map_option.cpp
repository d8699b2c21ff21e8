#include "pipeline/transforms/set_fields/field_map_option.hpp"

#include <sstream>

namespace sluice::field_map_detail {

namespace {

// Splits "key=value" at the first '=' that is not inside a "quoted" part.
bool split_pair(const std::string& s, std::string* key, std::string* value) {
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && quoted) {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (s[i] == '=' && !quoted) {
      *key = s.substr(0, i);
      *value = s.substr(i + 1);
      return true;
    }
  }
  return false;
}

}  // namespace

Result<FieldMap> read_field_map(const toml::node& n, const std::string& where) {
  FieldMap out;
  if (const toml::table* t = n.as_table()) {
    for (const auto& [k, v] : *t) {
      std::string key(k.str());
      if (const auto* s = v.as_string()) {
        out.emplace_back(key, s->get());
      } else if (v.is_integer() || v.is_floating_point() || v.is_boolean()) {
        std::ostringstream text;
        v.visit([&](const auto& x) { text << x; });
        out.emplace_back(key, text.str());
      } else {
        return Status::InvalidArgument(where + ": the value of \"" + key +
                                       "\" must be a string, number or boolean (found a table or array)");
      }
    }
    return out;
  }
  if (const toml::array* a = n.as_array()) {
    for (size_t i = 0; i < a->size(); ++i) {
      const auto* s = (*a)[i].as_string();
      std::string key, value;
      if (s == nullptr || !split_pair(s->get(), &key, &value)) {
        return Status::InvalidArgument(where + "[" + std::to_string(i) + "]: expected a string \"key=value\"" +
                                       (s ? ", found \"" + s->get() + "\" (no '=')" : std::string()));
      }
      out.emplace_back(std::move(key), std::move(value));
    }
    return out;
  }
  return Status::InvalidArgument(where + ": expected an inline table { key = \"value\" } or an array of \"key=value\"");
}

}  // namespace sluice::field_map_detail
