#include "pipeline/sources/otlp/otlp_json_ids.hpp"

#include "pipeline/sources/otlp/otlp_any_value.hpp"

namespace sluice {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// The index just past the string that starts with the quote at `i`, or
/// npos when it is not terminated.
size_t string_end(std::string_view s, size_t i) {
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] == '\\') {
      ++j;
    } else if (s[j] == '"') {
      return j + 1;
    }
  }
  return std::string_view::npos;
}

bool is_id_key(std::string_view raw) {
  return raw == "traceId" || raw == "spanId" || raw == "trace_id" || raw == "span_id" || raw == "parentSpanId" ||
         raw == "parent_span_id";
}

}  // namespace

std::string rewrite_otlp_json_ids(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 16);
  size_t copied = 0;  // s[copied..] is not yet in `out`
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '"') {
      ++i;
      continue;
    }
    size_t key_end = string_end(s, i);
    if (key_end == std::string_view::npos) break;
    std::string_view key = s.substr(i + 1, key_end - i - 2);
    i = key_end;
    if (!is_id_key(key)) continue;
    size_t j = key_end;
    while (j < s.size() && is_space(s[j])) ++j;
    if (j >= s.size() || s[j] != ':') continue;  // a string value, not a key
    ++j;
    while (j < s.size() && is_space(s[j])) ++j;
    if (j >= s.size() || s[j] != '"') continue;  // null or a non-string: the parser judges it
    size_t value_end = string_end(s, j);
    if (value_end == std::string_view::npos) break;
    out.append(s.substr(copied, j - copied));
    out += '"';
    out += base64_encode(s.substr(j + 1, value_end - j - 2));
    out += '"';
    copied = value_end;
    i = value_end;
  }
  out.append(s.substr(copied));
  return out;
}

}  // namespace sluice
