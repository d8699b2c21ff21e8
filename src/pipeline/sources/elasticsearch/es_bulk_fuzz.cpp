// libFuzzer target for the elasticsearch source's _bulk parser and response
// encoder (untrusted: request bodies from the network).
//
// Checks that parsing never crashes, hangs or exceeds its memory cap, that
// items come in increasing line order, that every index maps to a valid
// stream or to nothing, and that the bulk response for the items is valid
// JSON.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/sources/elasticsearch/bulk_parser.hpp"
#include "pipeline/sources/elasticsearch/bulk_response.hpp"
#include "pipeline/sources/elasticsearch/index_name.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  sluice::BulkParseOptions o;
  o.path_index = "path";
  o.max_record_bytes = 8 << 20;
  sluice::BulkParser parser;
  auto r = parser.parse(in, o);
  if (!r.ok()) return 0;
  size_t last_line = 0;
  for (auto& item : *r) {
    if (item.line <= last_line) __builtin_trap();
    last_line = item.line;
    std::string stream = sluice::stream_for_index(item.index);
    if (!stream.empty() && !sluice::valid_stream_name(stream)) __builtin_trap();
    if (item.status == 0 &&
        (item.action == sluice::BulkAction::kDelete || item.action == sluice::BulkAction::kUpdate)) {
      __builtin_trap();
    }
  }
  std::string response = sluice::encode_bulk_response(*r, 1, 0);
  simdjson::dom::parser json;
  simdjson::dom::element doc;
  // Raw bytes of _index/_id are copied as they are; only check valid UTF-8 input.
  if (simdjson::validate_utf8(in.data(), in.size()) && json.parse(response).get(doc) != simdjson::SUCCESS) {
    __builtin_trap();
  }
  return 0;
}
