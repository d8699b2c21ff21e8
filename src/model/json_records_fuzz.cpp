// libFuzzer target json_records_fuzz: decode_ndjson and
// JsonObjectParser::flatten_object on arbitrary bytes. Checks that every
// non-blank line becomes exactly one record or one error, and that failed
// flattening leaves its output untouched.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/json_records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto result = sluice::decode_ndjson(body, 1'700'000'000'000'000'000, 4);
  size_t lines = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    size_t end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = body.substr(pos, end - pos);
    if (line.find_first_not_of(" \t\r\n") != std::string_view::npos) ++lines;
    pos = end + 1;
  }
  if (result.records.size() + result.error_count != lines || result.errors.size() > 4) std::abort();

  static sluice::JsonObjectParser parser;
  sluice::KeyValues out{{"keep", "1"}};
  sluice::KeyValues before = out;
  sluice::Status st = parser.flatten_object(body, out);
  if (!st.ok() && out != before) std::abort();
  return 0;
}
