#include "pipeline/transforms/parse_kv/parse_kv.hpp"

#include "pipeline/transforms/transform_util.hpp"

namespace sluice {

const OptionTable<ParseKvOptions>& parse_kv_option_table() {
  static const OptionTable<ParseKvOptions> table = [] {
    OptionTable<ParseKvOptions> t;
    t.add_string("field", &ParseKvOptions::field, "body", "The text to parse: \"body\" or an attribute name.")
        .add_string("field_delimiter", &ParseKvOptions::field_delimiter, " ",
                    "Separates one pair from the next (any string, e.g. \",\" or \"&\"). With \" \" every space or "
                    "tab separates; otherwise blanks around keys and values are trimmed.")
        .add_string("kv_delimiter", &ParseKvOptions::kv_delimiter, "=",
                    "Separates a key from its value (any string, e.g. \":\"); a value may contain it.")
        .add_string("prefix", &ParseKvOptions::prefix, "",
                    "Prepended to every attribute name, e.g. \"kv.\". Empty: the keys as they are.")
        .add_bool("accept_standalone_key", &ParseKvOptions::accept_standalone_key, true,
                  "A key without kv_delimiter becomes attributes[key] = \"true\"; when false it is ignored.")
        .add_bool("well_known_keys", &ParseKvOptions::well_known_keys, false,
                  "Map level/lvl/severity to severity_text and severity_number, msg/message to the body and "
                  "ts/time/timestamp (RFC 3339 or unix time) to the timestamp, as parse_logfmt does.")
        .add_bool("keep_body", &ParseKvOptions::keep_body, false,
                  "With well_known_keys: keep the body as it is; msg and message stay attributes.");
    return t;
  }();
  return table;
}

ParseKv::ParseKv(ParseKvOptions options)
    : options_(std::move(options)),
      scanner_(options_.field_delimiter, options_.kv_delimiter, options_.accept_standalone_key) {}

void ParseKv::process(LogBatch& batch) {
  for (LogRecord& rec : batch.records) process_record(rec);
}

void ParseKv::process_record(LogRecord& rec) {
  fields_.clear();
  Status st;
  if (options_.field == "body") {
    st = scanner_.scan(rec.body, fields_);
  } else {
    const std::string* v = find_key_value(rec.attributes, options_.field);
    if (v == nullptr) {
      set_parse_error(rec, "parse_kv: field \"" + options_.field + "\" is missing");
      return;
    }
    st = scanner_.scan(*v, fields_);
  }
  if (!st.ok()) {
    fields_.clear();
    set_parse_error(rec, "parse_kv: " + st.message());
    return;
  }
  if (options_.well_known_keys) take_well_known_fields(fields_, rec, !options_.keep_body, "parse_kv");
  merge_key_values(rec.attributes, std::move(fields_), options_.prefix);
  fields_.clear();
}

Result<std::unique_ptr<Transform>> make_parse_kv(const ParseKvOptions& options) {
  if (options.field.empty()) return Status::InvalidArgument("parse_kv: field must not be empty");
  if (options.field_delimiter.empty()) return Status::InvalidArgument("parse_kv: field_delimiter must not be empty");
  if (options.kv_delimiter.empty()) return Status::InvalidArgument("parse_kv: kv_delimiter must not be empty");
  if (options.field_delimiter == options.kv_delimiter) {
    return Status::InvalidArgument("parse_kv: field_delimiter and kv_delimiter are both \"" + options.field_delimiter +
                                   "\"; they must differ");
  }
  return std::unique_ptr<Transform>(std::make_unique<ParseKv>(options));
}

}  // namespace sluice
