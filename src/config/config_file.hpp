// ConfigFile: a parsed sluice TOML file, split into its top-level sections
// ([api], [store], [query]) and its pipeline components
// ([sources.NAME], [transforms.NAME], [sinks.NAME]). The sections are bound
// to typed options by the layers that own them (OptionTable::apply); this
// file only checks the document's shape.
//
// Errors name the file, line and column, and for unknown keys the nearest
// valid key.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "common/status.hpp"

namespace sluice {

/// One [sources.X], [transforms.X] or [sinks.X] table.
struct ComponentSpec {
  std::string kind;  ///< "sources", "transforms" or "sinks"
  std::string name;
  std::string type;
  std::vector<std::string> inputs;     ///< empty for sources
  const toml::table* table = nullptr;  ///< owned by the ConfigFile
  std::string location;                ///< "file:line:column" of the table
};

struct ConfigFile {
  std::string path;
  std::shared_ptr<toml::table> root;
  std::vector<ComponentSpec> components;

  /// The [name] table, or an empty table when absent.
  const toml::table& section(const std::string& name) const;
};

/// Parses TOML text (`path` is used in messages). Checks top-level keys,
/// component names ([a-z0-9_.-]), that every component has a string `type`,
/// that transforms and sinks have a non-empty `inputs` array and sources none.
Result<ConfigFile> parse_config(std::string_view text, const std::string& path);
/// Reads and parses a file (at most 16 MiB).
Result<ConfigFile> load_config(const std::string& path);

}  // namespace sluice
