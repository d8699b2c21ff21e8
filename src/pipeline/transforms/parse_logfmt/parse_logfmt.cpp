#include "pipeline/transforms/parse_logfmt/parse_logfmt.hpp"

#include "pipeline/transforms/parse_logfmt/logfmt.hpp"
#include "pipeline/transforms/transform_util.hpp"

namespace sluice {

const OptionTable<ParseLogfmtOptions>& parse_logfmt_option_table() {
  static const OptionTable<ParseLogfmtOptions> table = [] {
    OptionTable<ParseLogfmtOptions> t;
    t.add_string("field", &ParseLogfmtOptions::field, "body", "The text to parse: \"body\" or an attribute name.")
        .add_bool("keep_body", &ParseLogfmtOptions::keep_body, false,
                  "Keep the body as it is. When false, a msg or message key becomes the body (a line without one "
                  "keeps its body); when true, msg and message stay attributes.");
    return t;
  }();
  return table;
}

void ParseLogfmt::process(LogBatch& batch) {
  for (LogRecord& rec : batch.records) process_record(rec);
}

void ParseLogfmt::process_record(LogRecord& rec) {
  fields_.clear();
  Status st;
  if (options_.field == "body") {
    st = decode_logfmt(rec.body, fields_);
  } else {
    const std::string* v = find_key_value(rec.attributes, options_.field);
    if (v == nullptr) {
      set_parse_error(rec, "parse_logfmt: field \"" + options_.field + "\" is missing");
      return;
    }
    st = decode_logfmt(*v, fields_);
  }
  if (!st.ok()) {
    fields_.clear();
    set_parse_error(rec, "parse_logfmt: " + st.message());
    return;
  }
  take_well_known_fields(fields_, rec, !options_.keep_body, "parse_logfmt");
  merge_key_values(rec.attributes, std::move(fields_));
  fields_.clear();
}

Result<std::unique_ptr<Transform>> make_parse_logfmt(const ParseLogfmtOptions& options) {
  if (options.field.empty()) return Status::InvalidArgument("parse_logfmt: field must not be empty");
  return std::unique_ptr<Transform>(std::make_unique<ParseLogfmt>(options));
}

}  // namespace sluice
