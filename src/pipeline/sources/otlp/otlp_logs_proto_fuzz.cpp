// libFuzzer target: OTLP/protobuf ExportLogsServiceRequest decoding
// (wire scan, parse, mapping to LogRecords). Invariants: no crash, hang or
// unbounded allocation; decoded ids are lower-case hex of the right length;
// whenever the direct wire decoder (otlp_logs_wire_decode.hpp) takes a
// request, its result equals the protobuf library path's.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pipeline/sources/otlp/otlp_fuzz_checks.hpp"
#include "pipeline/sources/otlp/otlp_logs_wire_decode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::OtlpLimits limits;
  limits.max_records = 1000;
  limits.max_values = 20000;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto r = sluice::decode_otlp_logs_proto_reference(bytes, 1, limits);
  if (auto fast = sluice::decode_otlp_logs_wire(bytes, 1, limits)) {
    if (!r.ok() || fast->records != r->records || fast->rejected != r->rejected ||
        fast->rejected_reason != r->rejected_reason || fast->sluice_positions != r->sluice_positions) {
      abort();
    }
  }
  if (!r.ok()) return 0;
  sluice::fuzz::check_logs(*r, limits);
  return 0;
}
