#include "model/utf8.hpp"

#include <simdjson.h>

#include <cstdint>
#include <cstring>

namespace sluice {

namespace utf8_detail {
bool validate(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }
}  // namespace utf8_detail

namespace {

/// How many bytes at s[i] form a well-formed sequence (`*valid` = true), or
/// the length of the maximal subpart of one (`*valid` = false, >= 1).
size_t scan_sequence(std::string_view s, size_t i, bool* valid) {
  auto c = static_cast<unsigned char>(s[i]);
  *valid = true;
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // no overlong forms
    if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    *valid = false;
    return 1;
  }
  size_t k = 1;
  for (; k < n && i + k < s.size(); ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) break;
  }
  *valid = k == n;
  return k;
}

}  // namespace

void append_valid_utf8(std::string& out, std::string_view in) {
  size_t run = 0;  // start of the current well-formed run
  for (size_t i = 0; i < in.size();) {
    bool valid = false;
    size_t n = scan_sequence(in, i, &valid);
    if (!valid) {
      out.append(in.substr(run, i - run));
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      run = i + n;
    }
    i += n;
  }
  out.append(in.substr(run));
}

void make_valid_utf8(std::string& s) {
  if (is_valid_utf8(s)) return;
  std::string out;
  out.reserve(s.size() + 8);
  append_valid_utf8(out, s);
  s = std::move(out);
}

void make_valid_utf8(AttributeKey& key) {
  if (is_valid_utf8(key)) return;
  std::string out;
  append_valid_utf8(out, key);
  key = AttributeKey(out);
}

void append_utf8(std::string& out, uint32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

}  // namespace sluice
