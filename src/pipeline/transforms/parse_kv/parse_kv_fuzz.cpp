// libFuzzer target parse_kv_fuzz: the parse_kv transform on an arbitrary
// text with delimiters chosen by the input: byte 0 picks the field
// delimiter, byte 1 the key/value delimiter (from small lists, including
// multi-byte ones), the rest is the text. Checks that the record survives
// and that a failed parse leaves the body and adds only parse.error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pipeline/transforms/parse_kv/parse_kv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* kFields[] = {" ", ",", "&", ";", ", ", "||", "\t"};
  static const char* kKvs[] = {"=", ":", "=>", ": "};
  if (size < 2) return 0;
  sluice::ParseKvOptions o;
  o.field_delimiter = kFields[data[0] % 7];
  o.kv_delimiter = kKvs[data[1] % 4];
  o.well_known_keys = (data[0] & 0x80) != 0;
  o.accept_standalone_key = (data[1] & 0x80) != 0;
  o.prefix = (data[0] & 0x40) != 0 ? "kv." : "";
  auto t = sluice::make_parse_kv(o);
  if (!t.ok()) std::abort();
  const std::string text(reinterpret_cast<const char*>(data + 2), size - 2);
  sluice::LogBatch batch;
  batch.records.resize(1);
  batch.records[0].body = text;
  batch.records[0].observed_timestamp_ns = 1'795'273'200'000'000'000;
  (*t)->process(batch);
  if (batch.records.size() != 1) std::abort();
  const sluice::LogRecord& rec = batch.records[0];
  const std::string* err = sluice::find_key_value(rec.attributes, "parse.error");
  if (err != nullptr && err->rfind("parse_kv: ", 0) == 0 && err->find("field \"") == std::string::npos &&
      (rec.body != text || rec.attributes.size() != 1)) {
    std::abort();
  }
  return 0;
}
