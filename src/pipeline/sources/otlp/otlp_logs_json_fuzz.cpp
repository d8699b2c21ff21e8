// libFuzzer target: OTLP/JSON ExportLogsServiceRequest decoding (protobuf's
// JSON parser, then the protobuf path with hex ids). Invariants: no crash,
// hang or unbounded allocation; decoded ids are lower-case hex of the right
// length.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pipeline/sources/otlp/otlp_fuzz_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::OtlpLimits limits;
  limits.max_records = 1000;
  limits.max_values = 20000;
  auto r = sluice::decode_otlp_logs_json(std::string_view(reinterpret_cast<const char*>(data), size), 1, limits);
  if (!r.ok()) return 0;
  sluice::fuzz::check_logs(*r, limits);
  return 0;
}
