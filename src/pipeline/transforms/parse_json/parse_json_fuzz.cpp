// libFuzzer target parse_json_fuzz: the parse_json transform on an arbitrary
// body, with every option in use. Checks that the record survives (same
// count) and that parse.error, when set by us, names the transform.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pipeline/transforms/parse_json/parse_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sluice::ParseJson* transform = [] {
    sluice::ParseJsonOptions o;
    o.body_field = "msg";
    o.timestamp_field = "time";
    o.timestamp_format = "auto";
    o.severity_field = "level";
    static sluice::ParseJson t(o);
    return &t;
  }();
  sluice::LogBatch batch;
  batch.records.resize(1);
  batch.records[0].body.assign(reinterpret_cast<const char*>(data), size);
  batch.records[0].observed_timestamp_ns = 1'795'273'200'000'000'000;
  transform->process(batch);
  if (batch.records.size() != 1) std::abort();
  const sluice::LogRecord& rec = batch.records[0];
  const std::string* err = sluice::find_key_value(rec.attributes, "parse.error");
  // parse.error is ours unless the JSON itself has such a field.
  if (err != nullptr && err->rfind("parse_json: ", 0) != 0 &&
      std::string_view(reinterpret_cast<const char*>(data), size).find("parse") == std::string_view::npos) {
    std::abort();
  }
  return 0;
}
