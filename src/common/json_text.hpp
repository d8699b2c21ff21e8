// Writing JSON text (RFC 8259) by hand where building a document object
// would cost more than the text itself (API answers, the catalog, metrics).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

/// Appends `s` as a JSON string literal to `out`: quotes, backslash and
/// control characters escaped; other bytes (UTF-8 included) copied as they are.
void append_json_string(std::string& out, std::string_view s);

/// Appends `items` as a JSON array of string literals (append_json_string).
void append_json_string_array(std::string& out, const std::vector<std::string>& items);

}  // namespace sluice
