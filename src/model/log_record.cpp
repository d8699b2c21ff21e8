#include "model/log_record.hpp"

#include <algorithm>
#include <cctype>

namespace sluice {

const std::string* find_key_value(const KeyValues& kvs, std::string_view key) {
  for (const auto& kv : kvs) {
    if (kv.first == key) return &kv.second;
  }
  return nullptr;
}

uint8_t severity_number_from_text(std::string_view text) {
  std::string t(text.substr(0, 16));
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  // OpenTelemetry Logs Data Model, "Mapping of SeverityNumber": the first
  // number of each range (TRACE=1, DEBUG=5, INFO=9, WARN=13, ERROR=17, FATAL=21).
  if (t == "trace") return 1;
  if (t == "debug" || t == "dbg") return 5;
  if (t == "info" || t == "information" || t == "informational" || t == "notice") return t == "notice" ? 10 : 9;
  if (t == "warn" || t == "warning") return 13;
  if (t == "error" || t == "err") return 17;
  if (t == "crit" || t == "critical") return 18;
  if (t == "alert") return 19;
  if (t == "fatal" || t == "emerg" || t == "emergency" || t == "panic") return 21;
  return 0;
}

}  // namespace sluice
