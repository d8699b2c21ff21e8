// LogRecord: one log record in the OpenTelemetry Logs Data Model.
//
// Column names follow the OpenTelemetry ClickHouse exporter's schema in
// snake_case (see ARCHITECTURE.md "Data model"). Parsers put what they extract
// into `attributes` under OpenTelemetry semantic-convention names
// (`http.request.method`, `client.address`, ...).
//
// Thread-safety: a plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/attribute_key.hpp"

namespace sluice {

/// Ordered key/value pairs (attributes, resource, labels). Keys are unique;
/// order is insertion order. Small, so a vector beats a map. Keys are
/// interned (AttributeKey), values are owned strings.
using KeyValues = std::vector<std::pair<AttributeKey, std::string>>;

/// Sets `key` to `value`, replacing an existing entry with the same key.
/// Inline: decoders call it for every attribute of every record.
inline void set_key_value(KeyValues& kvs, const AttributeKey& key, std::string value) {
  for (auto& kv : kvs) {
    if (kv.first == key) {
      kv.second = std::move(value);
      return;
    }
  }
  kvs.emplace_back(key, std::move(value));
}
/// Returns the value for `key`, or nullptr.
const std::string* find_key_value(const KeyValues& kvs, std::string_view key);

struct LogRecord {
  /// Each member as its initializer says. User-provided, so that
  /// value-initialization (`records.emplace_back()`) does not zero the
  /// whole object first (a `rep stos` of 300 bytes per record decoded).
  LogRecord() noexcept {}  // NOLINT(modernize-use-equals-default)

  int64_t timestamp_ns = 0;           ///< event time, ns since Unix epoch (0 = unknown)
  int64_t observed_timestamp_ns = 0;  ///< when sluice read it, ns since Unix epoch
  uint8_t severity_number = 0;        ///< 0 (unspecified) .. 24 (FATAL4), OTel SeverityNumber
  std::string severity_text;
  std::string body;
  KeyValues attributes;
  KeyValues resource;
  std::string service_name;  ///< from resource `service.name`
  std::string scope_name;
  std::string scope_version;
  std::string trace_id;  ///< lower-case hex, 32 chars or empty
  std::string span_id;   ///< lower-case hex, 16 chars or empty
  uint32_t trace_flags = 0;

  bool operator==(const LogRecord&) const = default;
};

/// Maps severity text ("INFO", "warn", "err", "Fatal", ...) to the
/// OpenTelemetry SeverityNumber (1..24), or 0 when unknown.
uint8_t severity_number_from_text(std::string_view text);

}  // namespace sluice
