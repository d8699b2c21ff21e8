// parse_json: parses each record's body as a JSON object and merges its
// fields into attributes.
//
// Fields are flattened with dots and stringified exactly as
// model/json_records.hpp describes ({"http":{"status":200}} ->
// "http.status" = "200"); a parsed key replaces an existing attribute of the
// same name. Records keep their order and the batch its positions.
//
// A body that is not one JSON object (RFC 8259) leaves the record unchanged
// except for attributes["parse.error"], e.g.
// "parse_json: expected a JSON object at byte 0, found 'G'". A timestamp
// that does not parse sets parse.error too, and the fields are still merged.
#pragma once

#include <memory>
#include <string>

#include "config/options.hpp"
#include "model/json_records.hpp"
#include "pipeline/component.hpp"

namespace sluice {

/// Configuration of one parse_json transform ([transforms.<name>] with
/// type = "parse_json").
struct ParseJsonOptions {
  /// Keep the original JSON text as the body. When false the body is cleared
  /// after a successful parse (unless body_field replaces it).
  bool keep_body = true;
  /// Attribute (flattened name) whose value becomes the body, removed from
  /// the attributes, e.g. "message" or "log"; "" = none. When the record has
  /// no such field, keep_body decides.
  std::string body_field;
  /// Attribute (flattened name) holding the event time; "" = none.
  std::string timestamp_field;
  /// Format of timestamp_field (model/timestamp.hpp).
  std::string timestamp_format = "rfc3339";
  /// Attribute whose value becomes severity_text, and severity_number via
  /// severity_number_from_text ("warn" -> 13); "" = none.
  std::string severity_field;
};

/// The option table: keep_body, body_field, timestamp_field,
/// timestamp_format, severity_field (plus the engine's "type", "inputs").
const OptionTable<ParseJsonOptions>& parse_json_option_table();

/// The transform. Built by make_parse_json; owned by the pipeline;
/// process() is called by one thread at a time (it reuses a JSON parser).
class ParseJson final : public Transform {
 public:
  /// `options` must have passed make_parse_json's validation.
  explicit ParseJson(ParseJsonOptions options) : options_(std::move(options)) {}

  /// Parses every record of `batch` in place (see the file comment).
  void process(LogBatch& batch) override;
  /// Parses one record in place.
  void process_record(LogRecord& rec);

 private:
  ParseJsonOptions options_;
  JsonObjectParser parser_;
};

/// Validates `options` (timestamp_format must be a valid format) and builds
/// the transform. InvalidArgument names the bad option.
Result<std::unique_ptr<Transform>> make_parse_json(const ParseJsonOptions& options);

}  // namespace sluice
