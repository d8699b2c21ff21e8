// JSON -> LogRecord decoding: NDJSON request bodies for the HTTP ingest
// endpoint, and JSON-object flattening for the parse_json transform.
//
// Flattening (shared by every function here): the fields of a JSON object
// become attributes; nested objects are flattened with dots
// ({"http":{"method":"GET"}} -> "http.method" = "GET"); values are
// stringified: strings unescaped, numbers exactly as written in the JSON
// text ("1.50" stays "1.50"), true/false as "true"/"false", arrays as their
// JSON text; null values and empty objects produce no attribute. Below
// kMaxFlattenDepth levels a nested object is kept as its JSON text. When
// two fields flatten to the same key the later one wins, in the position
// of the first.
//
// NDJSON record shapes (decode_ndjson, JsonObjectParser::decode_record).
// A line is **OpenTelemetry-shaped** when its object has an "attributes" or
// "resource" member whose value is an object, or a "severity_number"
// member. Then the members map to LogRecord fields by name:
//   timestamp, observed_timestamp: integer ns since the epoch, a string of
//       digits (ns, as OTLP/JSON encodes uint64), or an RFC 3339 string;
//   severity_number: integer 0..24; severity_text: string (when
//       severity_number is absent it is derived with severity_number_from_text);
//   body: a string, or any other JSON value kept as its JSON text;
//   attributes, resource: objects, flattened (null = none);
//   service_name: string (default: resource "service.name");
//   scope_name, scope_version: strings;
//   trace_id (32 hex digits), span_id (16 hex digits): stored lower-case;
//   trace_flags: integer 0..4294967295;
//   any other member is flattened into attributes (nothing is dropped).
// A member of the wrong type makes the line an error.
// Otherwise the line is **free-form** (a structured application log): every
// member is flattened into attributes, and then
//   body = the first of "message", "msg", "log", "body" that is present
//       (removed from attributes); when none is, body = the line itself;
//   "level", else "severity" -> severity_text, severity_number via
//       severity_number_from_text (removed from attributes);
//   the first of "time", "timestamp", "@timestamp", "ts" that parses with
//       timestamp format "auto" (RFC 3339 or a unix number scaled by
//       magnitude, see timestamp.hpp) -> timestamp (removed from
//       attributes); a value that does not parse stays an attribute.
// In both shapes observed_timestamp defaults to the caller's observed time
// and timestamp defaults to observed_timestamp.
//
// Spec: NDJSON (https://github.com/ndjson/ndjson-spec) with '\n' line ends
// (a trailing '\r' is ignored); JSON is RFC 8259 (simdjson On-Demand).
//
// Thread-safety: decode_ndjson may be called from any thread. A
// JsonObjectParser holds reusable buffers: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

/// Nesting levels flattened into dotted keys; deeper objects stay JSON text.
inline constexpr int kMaxFlattenDepth = 32;

/// Parses JSON objects with reusable buffers (a simdjson On-Demand parser
/// and a padded copy of the input), so steady-state use does not allocate
/// beyond the strings it produces. Owned by one transform or request
/// handler; not thread-safe.
class JsonObjectParser {
 public:
  JsonObjectParser();
  ~JsonObjectParser();
  JsonObjectParser(const JsonObjectParser&) = delete;
  JsonObjectParser& operator=(const JsonObjectParser&) = delete;

  /// Parses `text` as one JSON object (surrounding whitespace allowed) and
  /// merges its flattened fields into `out` (existing keys are replaced,
  /// new ones appended in document order). On error `out` is unchanged and
  /// the InvalidArgument message says what was found where, e.g.
  /// "expected a JSON object at byte 0, found 'G'" or
  /// "invalid JSON at byte 12: <simdjson's reason>".
  Status flatten_object(std::string_view text, KeyValues& out);

  /// Decodes one NDJSON line into `*out` (overwritten) by the shape rules in
  /// this header; `observed_ns` is ns since the epoch. Errors as above, or
  /// "field \"severity_number\": expected an integer 0..24, found ...".
  Status decode_record(std::string_view text, int64_t observed_ns, LogRecord* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A line of an NDJSON body that did not become a record.
struct LineError {
  size_t line = 0;  ///< 1-based line number in the body
  std::string message;

  bool operator==(const LineError&) const = default;
};

/// What decode_ndjson produced.
struct DecodeNdjsonResult {
  std::vector<LogRecord> records;  ///< one per good line, in body order
  std::vector<LineError> errors;   ///< the first max_line_errors bad lines
  size_t error_count = 0;          ///< all bad lines, listed or not
};

/// Decodes an NDJSON body: one JSON object per line, blank (whitespace-only)
/// lines skipped. A line that is not valid JSON, not an object, or has a
/// schema member of the wrong type becomes a LineError and the other lines
/// are still decoded. `observed_ns`: ns since the epoch, the default for
/// observed_timestamp. `max_line_errors` bounds errors.size() (the response
/// size), not the work done.
DecodeNdjsonResult decode_ndjson(std::string_view body, int64_t observed_ns, size_t max_line_errors);

}  // namespace sluice
