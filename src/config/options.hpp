// Typed option tables: each component declares its options once (name, type,
// default, bounds, description, target field), like Fluent Bit's
// flb_config_map or Redpanda's property<T>. The same table
//   - applies a TOML table to the component's options struct, rejecting
//     unknown keys with file, line and the nearest valid key, and
//   - describes every option for `sluice config schema` and the generated
//     docs/reference/config.md.
//
// Thread-safety: a table is built once, then only read; apply() is const and
// may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "common/status.hpp"

namespace sluice {

enum class OptionType { kString, kBool, kInteger, kSize, kDuration, kStringList, kEnum };

/// "string", "bool", "integer", "size", "duration", "string_list", "enum".
std::string_view option_type_name(OptionType t);

/// Description of one option, as printed by `sluice config schema`.
struct OptionSpec {
  std::string name;
  OptionType type = OptionType::kString;
  std::string default_text;  ///< default in config syntax ("64MiB", "[]"); empty = none
  std::string description;
  bool required = false;
  std::optional<int64_t> min;  ///< integers: value; sizes: bytes; durations: ns
  std::optional<int64_t> max;
  std::vector<std::string> allowed;  ///< enum values
  bool unset_by_default = false;     ///< no default: left out, the component decides (see description)
};

/// Where a TOML node came from, "file.toml:12:3", for error messages.
std::string node_location(const toml::node& node, std::string_view fallback_file);

/// Nearest of `candidates` to `word` by edit distance, or "" when none is
/// close enough to be a plausible typo.
std::string nearest_word(std::string_view word, const std::vector<std::string>& candidates);

/// The type-independent part of a table: specs, validation, unknown keys.
class OptionTableBase {
 public:
  const std::vector<OptionSpec>& specs() const { return specs_; }
  /// All valid key names: the options plus `caller_keys`.
  std::vector<std::string> key_names(const std::vector<std::string>& caller_keys = {}) const;

 protected:
  using Assign = std::function<Status(const toml::node& node, void* target, const std::string& where)>;
  using SetDefault = std::function<void(void* target)>;

  void add(OptionSpec spec, Assign assign, SetDefault set_default);
  /// Sets every default, then every key of `table`. `where` names the
  /// section for messages ("sources.nginx"); `file` is the config's path.
  /// Keys in `caller_keys` (a component's "type" and "inputs") are valid
  /// but handled by the caller, so skipped here.
  Status apply_erased(const toml::table& table, void* target, std::string_view where, std::string_view file,
                      const std::vector<std::string>& caller_keys) const;

  std::vector<OptionSpec> specs_;
  std::vector<Assign> assigns_;
  std::vector<SetDefault> defaults_;
};

/// Option table bound to the fields of an options struct T.
template <class T>
class OptionTable : public OptionTableBase {
 public:
  OptionTable& add_string(std::string name, std::string T::*field, std::string def, std::string desc,
                          bool required = false);
  OptionTable& add_bool(std::string name, bool T::*field, bool def, std::string desc);
  /// A bool that may be left unset (nullopt): the component then decides,
  /// as `desc` must say; the schema shows no default.
  OptionTable& add_bool(std::string name, std::optional<bool> T::*field, std::string desc);
  OptionTable& add_integer(std::string name, int64_t T::*field, int64_t def, int64_t min, int64_t max,
                           std::string desc);
  /// Size option stored as bytes; `def`, `min`, `max` in config syntax ("64MiB").
  OptionTable& add_size(std::string name, uint64_t T::*field, std::string_view def, std::string_view min,
                        std::string_view max, std::string desc);
  OptionTable& add_duration(std::string name, std::chrono::nanoseconds T::*field, std::string_view def,
                            std::string_view min, std::string_view max, std::string desc);
  OptionTable& add_string_list(std::string name, std::vector<std::string> T::*field, std::vector<std::string> def,
                               std::string desc, bool required = false);
  OptionTable& add_enum(std::string name, std::string T::*field, std::string def, std::vector<std::string> allowed,
                        std::string desc);

  /// Applies `table` to `out` (defaults first). Errors name file:line:column
  /// and, for unknown keys, the nearest valid key. `caller_keys` are valid
  /// keys the caller handles itself (a component's "type" and "inputs").
  Status apply(const toml::table& table, T* out, std::string_view where, std::string_view file,
               const std::vector<std::string>& caller_keys = {}) const {
    return apply_erased(table, out, where, file, caller_keys);
  }
  /// The defaults alone.
  T defaults() const {
    T out{};
    for (const auto& d : defaults_) d(&out);
    return out;
  }
};

// ---- typed-value readers shared by the templates (options.cpp) ----
namespace option_detail {
Result<std::string> read_string(const toml::node& n, const std::string& where);
Result<bool> read_bool(const toml::node& n, const std::string& where);
Result<int64_t> read_integer(const toml::node& n, const std::string& where, int64_t min, int64_t max);
Result<uint64_t> read_size(const toml::node& n, const std::string& where, uint64_t min, uint64_t max);
Result<std::chrono::nanoseconds> read_duration(const toml::node& n, const std::string& where,
                                               std::chrono::nanoseconds min, std::chrono::nanoseconds max);
Result<std::vector<std::string>> read_string_list(const toml::node& n, const std::string& where);
Result<std::string> read_enum(const toml::node& n, const std::string& where, const std::vector<std::string>& allowed);
uint64_t must_size(std::string_view text);
std::chrono::nanoseconds must_duration(std::string_view text);
std::string list_text(const std::vector<std::string>& v);
}  // namespace option_detail

template <class T>
OptionTable<T>& OptionTable<T>::add_string(std::string name, std::string T::*field, std::string def, std::string desc,
                                           bool required) {
  OptionSpec s{std::move(name), OptionType::kString, def, std::move(desc), required, {}, {}, {}};
  add(
      std::move(s),
      [field](const toml::node& n, void* t, const std::string& where) -> Status {
        SLUICE_ASSIGN_OR_RETURN(static_cast<T*>(t)->*field, option_detail::read_string(n, where));
        return Status::Ok();
      },
      [field, def](void* t) { static_cast<T*>(t)->*field = def; });
  return *this;
}

template <class T>
OptionTable<T>& OptionTable<T>::add_bool(std::string name, bool T::*field, bool def, std::string desc) {
  OptionSpec s{std::move(name), OptionType::kBool, def ? "true" : "false", std::move(desc), false, {}, {}, {}};
  add(
      std::move(s),
      [field](const toml::node& n, void* t, const std::string& where) -> Status {
        SLUICE_ASSIGN_OR_RETURN(static_cast<T*>(t)->*field, option_detail::read_bool(n, where));
        return Status::Ok();
      },
      [field, def](void* t) { static_cast<T*>(t)->*field = def; });
  return *this;
}

template <class T>
OptionTable<T>& OptionTable<T>::add_bool(std::string name, std::optional<bool> T::*field, std::string desc) {
  OptionSpec s{std::move(name), OptionType::kBool, "", std::move(desc), false, {}, {}, {}, true};
  add(
      std::move(s),
      [field](const toml::node& n, void* t, const std::string& where) -> Status {
        SLUICE_ASSIGN_OR_RETURN(bool v, option_detail::read_bool(n, where));
        static_cast<T*>(t)->*field = v;
        return Status::Ok();
      },
      [field](void* t) { static_cast<T*>(t)->*field = std::nullopt; });
  return *this;
}

template <class T>
OptionTable<T>& OptionTable<T>::add_integer(std::string name, int64_t T::*field, int64_t def, int64_t min, int64_t max,
                                            std::string desc) {
  OptionSpec s{std::move(name), OptionType::kInteger, std::to_string(def), std::move(desc), false, min, max, {}};
  add(
      std::move(s),
      [field, min, max](const toml::node& n, void* t, const std::string& where) -> Status {
        SLUICE_ASSIGN_OR_RETURN(static_cast<T*>(t)->*field, option_detail::read_integer(n, where, min, max));
        return Status::Ok();
      },
      [field, def](void* t) { static_cast<T*>(t)->*field = def; });
  return *this;
}

template <class T>
OptionTable<T>& OptionTable<T>::add_size(std::string name, uint64_t T::*field, std::string_view def,
                                         std::string_view min, std::string_view max, std::string desc) {
  uint64_t d = option_detail::must_size(def), lo = option_detail::must_size(min), hi = option_detail::must_size(max);
  OptionSpec s{std::move(name), OptionType::kSize,        std::string(def),         std::move(desc),
               false,           static_cast<int64_t>(lo), static_cast<int64_t>(hi), {}};
  add(
      std::move(s),
      [field, lo, hi](const toml::node& n, void* t, const std::string& where) -> Status {
        SLUICE_ASSIGN_OR_RETURN(static_cast<T*>(t)->*field, option_detail::read_size(n, where, lo, hi));
        return Status::Ok();
      },
      [field, d](void* t) { static_cast<T*>(t)->*field = d; });
  return *this;
}

template <class T>
OptionTable<T>& OptionTable<T>::add_duration(std::string name, std::chrono::nanoseconds T::*field, std::string_view def,
                                             std::string_view min, std::string_view max, std::string desc) {
  auto d = option_detail::must_duration(def), lo = option_detail::must_duration(min),
       hi = option_detail::must_duration(max);
  OptionSpec s{
      std::move(name), OptionType::kDuration, std::string(def), std::move(desc), false, lo.count(), hi.count(), {}};
  add(
      std::move(s),
      [field, lo, hi](const toml::node& n, void* t, const std::string& where) -> Status {
        SLUICE_ASSIGN_OR_RETURN(static_cast<T*>(t)->*field, option_detail::read_duration(n, where, lo, hi));
        return Status::Ok();
      },
      [field, d](void* t) { static_cast<T*>(t)->*field = d; });
  return *this;
}

template <class T>
OptionTable<T>& OptionTable<T>::add_string_list(std::string name, std::vector<std::string> T::*field,
                                                std::vector<std::string> def, std::string desc, bool required) {
  OptionSpec s{
      std::move(name), OptionType::kStringList, option_detail::list_text(def), std::move(desc), required, {}, {}, {}};
  add(
      std::move(s),
      [field](const toml::node& n, void* t, const std::string& where) -> Status {
        SLUICE_ASSIGN_OR_RETURN(static_cast<T*>(t)->*field, option_detail::read_string_list(n, where));
        return Status::Ok();
      },
      [field, def](void* t) { static_cast<T*>(t)->*field = def; });
  return *this;
}

template <class T>
OptionTable<T>& OptionTable<T>::add_enum(std::string name, std::string T::*field, std::string def,
                                         std::vector<std::string> allowed, std::string desc) {
  OptionSpec s{std::move(name), OptionType::kEnum, def, std::move(desc), false, {}, {}, allowed};
  add(
      std::move(s),
      [field, allowed](const toml::node& n, void* t, const std::string& where) -> Status {
        SLUICE_ASSIGN_OR_RETURN(static_cast<T*>(t)->*field, option_detail::read_enum(n, where, allowed));
        return Status::Ok();
      },
      [field, def](void* t) { static_cast<T*>(t)->*field = def; });
  return *this;
}

}  // namespace sluice
