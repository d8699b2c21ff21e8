// `sluice config schema`: every option of every section and component type,
// as JSON or as the Markdown of docs/reference/config.md.
#pragma once

#include <string>

namespace sluice {

std::string config_schema_json();
std::string config_schema_markdown();

}  // namespace sluice
