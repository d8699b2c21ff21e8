#include "pipeline/transforms/parse_json/parse_json.hpp"

#include "model/timestamp.hpp"
#include "pipeline/transforms/transform_util.hpp"

namespace sluice {

const OptionTable<ParseJsonOptions>& parse_json_option_table() {
  static const OptionTable<ParseJsonOptions> table = [] {
    OptionTable<ParseJsonOptions> t;
    t.add_bool("keep_body", &ParseJsonOptions::keep_body, true,
               "Keep the JSON text as the body; when false the body is cleared after a successful parse "
               "(unless body_field replaces it).")
        .add_string("body_field", &ParseJsonOptions::body_field, "",
                    "Attribute (flattened name, e.g. \"message\") that becomes the body and is removed from the "
                    "attributes. Empty: none.")
        .add_string("timestamp_field", &ParseJsonOptions::timestamp_field, "",
                    "Attribute (flattened name) holding the event time. Empty: keep the source's timestamp.")
        .add_string("timestamp_format", &ParseJsonOptions::timestamp_format, "rfc3339",
                    "Format of timestamp_field: rfc3339, unix, unix_ms, unix_us, unix_ns, auto, or strptime-style "
                    "such as \"%Y-%m-%d %H:%M:%S\".")
        .add_string("severity_field", &ParseJsonOptions::severity_field, "",
                    "Attribute whose value becomes severity_text and, through the OpenTelemetry mapping "
                    "(\"warn\" -> 13), severity_number. Empty: none.");
    return t;
  }();
  return table;
}

void ParseJson::process(LogBatch& batch) {
  for (LogRecord& rec : batch.records) process_record(rec);
}

void ParseJson::process_record(LogRecord& rec) {
  Status st = parser_.flatten_object(rec.body, rec.attributes);
  if (!st.ok()) {
    set_parse_error(rec, "parse_json: " + st.message());
    return;
  }
  std::string body;
  bool replaced = false;
  if (!options_.body_field.empty()) {
    for (auto it = rec.attributes.begin(); it != rec.attributes.end(); ++it) {
      if (it->first == options_.body_field) {
        body = std::move(it->second);
        rec.attributes.erase(it);
        replaced = true;
        break;
      }
    }
  }
  if (replaced) {
    rec.body = std::move(body);
  } else if (!options_.keep_body) {
    rec.body.clear();
  }
  if (!options_.severity_field.empty()) {
    if (const std::string* v = find_key_value(rec.attributes, options_.severity_field)) {
      rec.severity_text = *v;
      rec.severity_number = severity_number_from_text(*v);
    }
  }
  if (!options_.timestamp_field.empty()) {
    if (const std::string* v = find_key_value(rec.attributes, options_.timestamp_field)) {
      auto ts = parse_timestamp_near(*v, options_.timestamp_format, reference_time_ns(rec));
      if (ts.ok()) {
        rec.timestamp_ns = *ts;
      } else {
        set_parse_error(rec, "parse_json: field \"" + options_.timestamp_field + "\": " + ts.status().message());
      }
    }
  }
}

Result<std::unique_ptr<Transform>> make_parse_json(const ParseJsonOptions& options) {
  Status st = validate_timestamp_format(options.timestamp_format);
  if (!st.ok()) return st.with_context("parse_json: timestamp_format");
  return std::unique_ptr<Transform>(std::make_unique<ParseJson>(options));
}

}  // namespace sluice
