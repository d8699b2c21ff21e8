// parse_logfmt: parses each record's text as logfmt (logfmt.hpp:
// `level=warn msg="disk almost full" path=/var ts=2026-11-21T14:30:09Z
// retry`) into attributes.
//
// Every pair becomes attributes[key] = value (a standalone key gets
// "true"; for a key given twice the last value wins; an existing attribute
// of the same name is replaced). The well-known keys fill the
// OpenTelemetry fields instead (transform_util.hpp take_well_known_fields):
//   level / lvl / severity -> severity_text and severity_number
//   msg / message          -> body (unless keep_body)
//   ts / time / timestamp  -> timestamp (RFC 3339 or unix seconds/ms/us/ns)
// A line without msg/message keeps its body.
//
// A text that is not logfmt leaves the record unchanged except for
// attributes["parse.error"], e.g. "parse_logfmt: unterminated quoted value
// starting at byte 12"; a timestamp that does not parse sets parse.error
// too, stays an attribute, and the other fields are still stored. Records
// keep their order and the batch its positions.
#pragma once

#include <memory>
#include <string>

#include "config/options.hpp"
#include "pipeline/component.hpp"

namespace sluice {

/// Configuration of one parse_logfmt transform ([transforms.<name>] with
/// type = "parse_logfmt").
struct ParseLogfmtOptions {
  /// The text to parse: "body" or the name of an attribute.
  std::string field = "body";
  /// Keep the body as it is; msg/message then stay attributes.
  bool keep_body = false;
};

/// The option table: field, keep_body (plus the engine's "type", "inputs").
const OptionTable<ParseLogfmtOptions>& parse_logfmt_option_table();

/// The transform. Built by make_parse_logfmt; owned by the pipeline;
/// process() is called by one thread at a time (it reuses a buffer).
class ParseLogfmt final : public Transform {
 public:
  /// `options` must have passed make_parse_logfmt's validation.
  explicit ParseLogfmt(ParseLogfmtOptions options) : options_(std::move(options)) {}

  /// Parses every record of `batch` in place (see the file comment).
  void process(LogBatch& batch) override;
  /// Parses one record in place.
  void process_record(LogRecord& rec);

 private:
  ParseLogfmtOptions options_;
  KeyValues fields_;  // reused decode output
};

/// Validates `options` (field not empty) and builds the transform.
/// InvalidArgument names the bad option.
Result<std::unique_ptr<Transform>> make_parse_logfmt(const ParseLogfmtOptions& options);

}  // namespace sluice
