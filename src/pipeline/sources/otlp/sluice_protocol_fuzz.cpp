// libFuzzer target: the X-Sluice-Positions JSON an agent sends
// (sluice_protocol.hpp). Invariants: no crash, hang or unbounded
// allocation; what parses has non-empty keys and sources without '/', and
// encoding it again parses back to the same positions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pipeline/sources/otlp/sluice_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto r = sluice::parse_sluice_positions(json, 1000);
  if (!r.ok()) return 0;
  if (r->size() > 1000) abort();
  for (const auto& p : *r) {
    if (p.source.empty() || p.key.empty() || p.source.find('/') != std::string::npos) abort();
  }
  std::string again;
  sluice::append_sluice_positions_json(again, *r);
  auto back = sluice::parse_sluice_positions(again, 1000);
  if (!back.ok() || *back != *r) abort();
  auto server = sluice::sluice_server_keys("agent-1", *r);
  if (server.size() != r->size()) abort();
  return 0;
}
