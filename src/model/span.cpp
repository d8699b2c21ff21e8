#include "model/span.hpp"

#include <array>

namespace sluice {

std::string_view span_kind_name(uint8_t kind) {
  static constexpr std::array<std::string_view, 6> kNames = {"unspecified", "internal", "server",
                                                             "client",      "producer", "consumer"};
  return kind < kNames.size() ? kNames[kind] : kNames[0];
}

std::string_view span_status_name(uint8_t code) {
  static constexpr std::array<std::string_view, 3> kNames = {"unset", "ok", "error"};
  return code < kNames.size() ? kNames[code] : kNames[0];
}

}  // namespace sluice
