#include "pipeline/sources/otlp/otlp_ids.hpp"

namespace sluice {

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool otlp_id_hex(std::string_view raw, size_t want, bool json, std::string_view name, std::string* out,
                 std::string* why) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->clear();
  if (raw.empty()) return true;
  bool zero = true;
  if (!json) {
    if (raw.size() != want) {
      *why = std::string(name) + " is " + std::to_string(raw.size()) + " bytes, expected " + std::to_string(want);
      return false;
    }
    out->reserve(2 * want);
    for (char ch : raw) {
      auto c = static_cast<unsigned char>(ch);
      zero = zero && c == 0;
      *out += kHex[c >> 4];
      *out += kHex[c & 15];
    }
  } else {
    bool ok = raw.size() == 2 * want;
    for (size_t i = 0; ok && i < raw.size(); ++i) ok = hex_digit_value(raw[i]) >= 0;
    if (!ok) {
      std::string shown(raw.substr(0, 64));
      for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '"') c = '?';
      }
      *why = std::string(name) + " \"" + shown + (raw.size() > 64 ? "...\"" : "\"") + " is not " +
             std::to_string(2 * want) + " hex digits";
      return false;
    }
    out->reserve(2 * want);
    for (char c : raw) {
      int v = hex_digit_value(c);
      zero = zero && v == 0;
      *out += kHex[v];
    }
  }
  if (zero) out->clear();
  return true;
}

}  // namespace sluice
