#include "pipeline/transforms/parse_logfmt/logfmt.hpp"

#include <cstdint>
#include <string>

#include "model/utf8.hpp"

namespace sluice {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;

/// Decodes one UTF-8 sequence (RFC 3629: no overlong forms, no surrogates,
/// at most U+10FFFF) at s[i]; returns its length, or 0 when invalid.
size_t utf8_sequence(std::string_view s, size_t i, uint32_t* rune) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t r, min;
  if (b0 < 0x80) {
    *rune = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, r = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, r = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, r = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    r = (r << 6) | (b & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return 0;
  *rune = r;
  return len;
}

/// Four hex digits at s[i..i+4) -> value, or -1.
int32_t hex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return -1;
  int32_t v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    char c = s[k];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/// Decodes the inside of a quoted value that holds escapes, as a JSON
/// string (Go's encoding/json unquote). `base` is the byte offset of
/// `inner` in the line, for messages.
Status unquote(std::string_view inner, size_t base, std::string* out) {
  out->clear();
  out->reserve(inner.size());
  for (size_t i = 0; i < inner.size();) {
    const char c = inner[i];
    if (c == '\\') {
      if (i + 1 >= inner.size()) {
        return Status::InvalidArgument("backslash at the end of the value at byte " + std::to_string(base + i));
      }
      const char e = inner[i + 1];
      switch (e) {
        case '"':
        case '\\':
        case '/':
        case '\'':
          *out += e;
          i += 2;
          continue;
        case 'b':
          *out += '\b';
          i += 2;
          continue;
        case 'f':
          *out += '\f';
          i += 2;
          continue;
        case 'n':
          *out += '\n';
          i += 2;
          continue;
        case 'r':
          *out += '\r';
          i += 2;
          continue;
        case 't':
          *out += '\t';
          i += 2;
          continue;
        case 'u': {
          int32_t r = hex4(inner, i + 2);
          if (r < 0) {
            return Status::InvalidArgument("expected 4 hex digits after \\u at byte " + std::to_string(base + i));
          }
          i += 6;
          if (r >= 0xD800 && r <= 0xDFFF) {
            int32_t r2 = -1;
            if (r < 0xDC00 && i + 1 < inner.size() && inner[i] == '\\' && inner[i + 1] == 'u') r2 = hex4(inner, i + 2);
            if (r2 >= 0xDC00 && r2 <= 0xDFFF) {
              r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
              i += 6;
            } else {
              r = kReplacement;  // a lone surrogate
            }
          }
          append_utf8(*out, static_cast<uint32_t>(r));
          continue;
        }
        default:
          return Status::InvalidArgument("unknown escape \\" + std::string(1, e) + " at byte " +
                                         std::to_string(base + i));
      }
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      return Status::InvalidArgument("unescaped control character " + std::to_string(static_cast<int>(c)) +
                                     " at byte " + std::to_string(base + i));
    }
    uint32_t r;
    size_t n = utf8_sequence(inner, i, &r);
    if (n == 0) {
      append_utf8(*out, kReplacement);
      ++i;
    } else {
      out->append(inner.substr(i, n));
      i += n;
    }
  }
  return Status::Ok();
}

Status unexpected(char c, size_t at) {
  return Status::InvalidArgument(std::string("unexpected '") + c + "' at byte " + std::to_string(at));
}

}  // namespace

Status decode_logfmt(std::string_view line, KeyValues& out) {
  const size_t n = line.size();
  size_t p = 0;
  auto sep = [&](size_t i) { return static_cast<unsigned char>(line[i]) <= ' '; };
  while (true) {
    while (p < n && sep(p)) ++p;  // garbage between pairs
    if (p == n) return Status::Ok();
    // key
    const size_t key_start = p;
    while (p < n && !sep(p) && line[p] != '=' && line[p] != '"') ++p;
    if (p < n && line[p] == '"') return unexpected('"', p);
    if (p == key_start) return unexpected('=', p);  // line[p] == '='
    std::string_view key = line.substr(key_start, p - key_start);
    if (!is_valid_utf8(key)) {
      return Status::InvalidArgument("key at byte " + std::to_string(key_start) + " is not valid UTF-8");
    }
    if (p == n || sep(p)) {
      out.emplace_back(std::string(key), std::string(kLogfmtStandaloneValue));
      continue;
    }
    ++p;  // '='
    if (p == n || sep(p)) {
      out.emplace_back(std::string(key), std::string());
      continue;
    }
    if (line[p] != '"') {
      const size_t value_start = p;
      while (p < n && !sep(p)) {
        if (line[p] == '=' || line[p] == '"') return unexpected(line[p], p);
        ++p;
      }
      out.emplace_back(std::string(key), std::string(line.substr(value_start, p - value_start)));
      continue;
    }
    // quoted value
    const size_t quote = p++;
    bool has_escape = false;
    while (p < n && line[p] != '"') {
      if (line[p] == '\\') {
        has_escape = true;
        ++p;
      }
      ++p;
    }
    if (p >= n) {
      return Status::InvalidArgument("unterminated quoted value starting at byte " + std::to_string(quote));
    }
    std::string_view inner = line.substr(quote + 1, p - quote - 1);
    ++p;  // closing '"'
    std::string value;
    if (has_escape) {
      Status st = unquote(inner, quote + 1, &value);
      if (!st.ok()) {
        return Status::InvalidArgument("invalid quoted value starting at byte " + std::to_string(quote) + ": " +
                                       st.message());
      }
    } else {
      value.assign(inner);
    }
    out.emplace_back(std::string(key), std::move(value));
  }
}

}  // namespace sluice
