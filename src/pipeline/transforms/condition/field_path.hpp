// Field paths: how the shaping transforms (filter, set, rename, drop,
// sample, throttle, dedupe, multiline) and conditions name a part of a
// LogRecord.
//
// Syntax (docs/transforms.md "Field paths"):
//   body, severity_text, severity_number, service_name, scope_name,
//   scope_version, trace_id, span_id      the record's own fields
//   attributes.<key>                      one attribute
//   resource.<key>                        one resource attribute
//   attributes, resource                  the whole map (only where a
//                                         transform says so: drop, dedupe)
// Attribute keys contain dots (OpenTelemetry names such as
// "http.response.status_code"), so everything after "attributes." is the
// key: `attributes.http.response.status_code`. The key may also be quoted,
// `attributes."http.response.status_code"` (backslash escapes \" and \\),
// which conditions need for keys with spaces or operator characters.
//
// Thread-safety: FieldPath is an immutable value after parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

struct FieldPath {
  enum class Kind {
    kBody,
    kSeverityText,
    kSeverityNumber,
    kServiceName,
    kScopeName,
    kScopeVersion,
    kTraceId,
    kSpanId,
    kAttribute,      ///< attributes[key]
    kResource,       ///< resource[key]
    kAllAttributes,  ///< the whole attributes map
    kAllResource,    ///< the whole resource map
  };
  Kind kind = Kind::kBody;
  std::string key;  ///< kAttribute / kResource only

  bool operator==(const FieldPath&) const = default;

  /// True for the whole-map paths `attributes` and `resource`.
  bool is_map() const { return kind == Kind::kAllAttributes || kind == Kind::kAllResource; }
  /// Canonical text: `body`, `attributes.http.method`, or the quoted form
  /// when the key is empty or has characters a condition cannot read bare.
  std::string text() const;

  /// The field's value, or nullopt when absent. Top-level text fields are
  /// always present (possibly empty); severity_number is rendered into
  /// `scratch` as decimal. Whole-map paths return nullopt (use the map).
  /// The view is valid until `rec` or `scratch` changes.
  std::optional<std::string_view> get(const LogRecord& rec, std::string& scratch) const;
  /// exists(): attributes/resource: the key is present (a map path: the map
  /// is not empty); text fields: not empty; severity_number: not 0.
  bool exists(const LogRecord& rec) const;
  /// Sets the field to `value`. severity_number takes a decimal 0..24 or a
  /// severity name ("warn", severity_number_from_text), else 0. Whole-map
  /// paths are not settable (programmer error; the transforms reject them
  /// at config load).
  void set(LogRecord& rec, std::string value) const;
  /// Removes the field: attribute/resource keys (or whole maps) are erased,
  /// text fields become empty, severity_number 0.
  void remove(LogRecord& rec) const;
};

/// Names of the top-level fields, for error messages and docs.
const std::vector<std::string>& field_path_names();

/// Parses a whole path as written in a config value. With `allow_maps`,
/// `attributes` and `resource` alone name the whole map. Errors:
/// InvalidArgument naming the path, e.g. `unknown field "bdy" (did you mean
/// "body"?)`, `attributes. needs a key`, `unterminated quoted key`.
Result<FieldPath> parse_field_path(std::string_view text, bool allow_maps = false);

/// Parses a path at the start of `text` for the condition lexer: an
/// unquoted attribute key ends at whitespace or one of ( ) = ! < > " ' ,
/// `*consumed` receives the bytes used. Whole maps are not allowed.
/// Errors name the byte offset within `text` via the message only
/// ("...at byte N"); the caller adds its own column.
Result<FieldPath> parse_field_path_prefix(std::string_view text, size_t* consumed);

}  // namespace sluice
