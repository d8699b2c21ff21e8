// An option whose value maps field paths to strings, written either as a
// TOML inline table or as a list of "key=value" strings:
//   fields = { "attributes.env" = "prod", severity_text = "INFO" }
//   fields = ["attributes.env=prod", "severity_text=INFO"]
// The table form is applied in key order (TOML tables are unordered; sluice
// sorts them); the list form keeps its order. In the list form the key ends
// at the first '=' outside a quoted attribute key.
//
// config/options.hpp has no map kind, so this extends OptionTable<T>; the
// schema lists the option as a string_list whose description names both
// forms.
//
// Thread-safety: like OptionTable (built once, then read-only).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/options.hpp"

namespace sluice {

/// Ordered (key, value) pairs as written in the config.
using FieldMap = std::vector<std::pair<std::string, std::string>>;

namespace field_map_detail {
/// Reads a table or a list of "key=value" strings. Scalar table values
/// (integers, floats, booleans) become their TOML text. Errors name `where`.
Result<FieldMap> read_field_map(const toml::node& n, const std::string& where);
}  // namespace field_map_detail

template <class T>
class FieldMapOptionTable : public OptionTable<T> {
 public:
  /// Adds a required field-map option.
  FieldMapOptionTable& add_field_map(std::string name, FieldMap T::*field, std::string desc) {
    OptionSpec s{std::move(name), OptionType::kStringList, "", std::move(desc), true, {}, {}, {}};
    this->add(
        std::move(s),
        [field](const toml::node& n, void* t, const std::string& where) -> Status {
          SLUICE_ASSIGN_OR_RETURN(static_cast<T*>(t)->*field, field_map_detail::read_field_map(n, where));
          return Status::Ok();
        },
        [field](void* t) { (static_cast<T*>(t)->*field).clear(); });
    return *this;
  }
};

}  // namespace sluice
