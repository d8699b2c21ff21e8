// parse_kv: splits each record's text into key/value pairs (kv_scanner.hpp:
// configurable field and key/value delimiters, quotes honoured) and stores
// them as attributes, optionally under a prefix.
//
// Each pair sets attributes[prefix + key] (for a key given twice the last
// value wins; an existing attribute of the same name is replaced). With
// well_known_keys the keys level/lvl/severity, msg/message (unless
// keep_body) and ts/time/timestamp fill severity, body and timestamp
// instead, exactly as parse_logfmt does (transform_util.hpp
// take_well_known_fields); the names are matched before the prefix is
// added.
//
// A text that does not split (an unterminated quote, an empty key) leaves
// the record unchanged except for attributes["parse.error"], e.g.
// "parse_kv: unterminated quote starting at byte 9". Records keep their
// order and the batch its positions.
#pragma once

#include <memory>
#include <string>

#include "config/options.hpp"
#include "pipeline/component.hpp"
#include "pipeline/transforms/parse_kv/kv_scanner.hpp"

namespace sluice {

/// Configuration of one parse_kv transform ([transforms.<name>] with
/// type = "parse_kv").
struct ParseKvOptions {
  /// The text to parse: "body" or the name of an attribute.
  std::string field = "body";
  /// Separates one pair from the next; non-empty.
  std::string field_delimiter = " ";
  /// Separates a key from its value; non-empty, different from
  /// field_delimiter.
  std::string kv_delimiter = "=";
  /// Prepended to every attribute name ("kv." -> "kv.user").
  std::string prefix;
  /// A key without kv_delimiter becomes attributes[key] = "true"; when
  /// false it is ignored.
  bool accept_standalone_key = true;
  /// Map level/lvl/severity, msg/message and ts/time/timestamp to
  /// severity, body and timestamp.
  bool well_known_keys = false;
  /// With well_known_keys: keep the body; msg/message stay attributes.
  bool keep_body = false;
};

/// The option table (plus the engine's "type", "inputs").
const OptionTable<ParseKvOptions>& parse_kv_option_table();

/// The transform. Built by make_parse_kv; owned by the pipeline; process()
/// is called by one thread at a time (it reuses a buffer).
class ParseKv final : public Transform {
 public:
  /// `options` must have passed make_parse_kv's validation.
  explicit ParseKv(ParseKvOptions options);

  /// Parses every record of `batch` in place (see the file comment).
  void process(LogBatch& batch) override;
  /// Parses one record in place.
  void process_record(LogRecord& rec);

 private:
  ParseKvOptions options_;
  KvScanner scanner_;
  KeyValues fields_;  // reused scan output
};

/// Validates `options` (non-empty, distinct delimiters; field not empty)
/// and builds the transform. InvalidArgument names the bad option.
Result<std::unique_ptr<Transform>> make_parse_kv(const ParseKvOptions& options);

}  // namespace sluice
