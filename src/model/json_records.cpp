#include "model/json_records.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "model/json_type_name.hpp"
#include "model/timestamp.hpp"

namespace sluice {
namespace od = simdjson::ondemand;

namespace {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_json_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_json_space(s.back())) s.remove_suffix(1);
  return s;
}

/// 'c' for printable ASCII, '\xNN' otherwise.
std::string describe_char(char ch) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto c = static_cast<unsigned char>(ch);
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  return std::string("'\\x") + kHex[c >> 4] + kHex[c & 15] + "'";
}

/// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
/// (On-Demand does not check tokens we only copy.)
bool is_json_number(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digits = [&] {
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < n && s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

/// Parses a plain non-negative decimal integer of at most 19 digits.
bool parse_uint(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

/// Merges `add` into `out`: an existing key gets the new value in place, a
/// new key is appended. Leaves `add` with moved-from entries.
void merge_key_values(KeyValues& out, KeyValues& add) {
  if (out.size() + add.size() <= 32) {
    for (auto& kv : add) {
      auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == kv.first; });
      if (it != out.end()) {
        it->second = std::move(kv.second);
      } else {
        out.push_back(std::move(kv));
      }
    }
    return;
  }
  // Reserve first: the index holds views of the keys stored in `out`.
  out.reserve(out.size() + add.size());
  std::unordered_map<std::string_view, size_t> index;
  index.reserve(out.size() + add.size());
  for (size_t i = 0; i < out.size(); ++i) index.emplace(out[i].first, i);
  for (auto& kv : add) {
    auto it = index.find(kv.first);
    if (it != index.end()) {
      out[it->second].second = std::move(kv.second);
    } else {
      out.push_back(std::move(kv));
      index.emplace(out.back().first, out.size() - 1);
    }
  }
}

/// Removes `key` from `kvs`, moving its value to `*value`; false if absent.
bool take_key_value(KeyValues& kvs, std::string_view key, std::string* value) {
  for (auto it = kvs.begin(); it != kvs.end(); ++it) {
    if (it->first == key) {
      *value = std::move(it->second);
      kvs.erase(it);
      return true;
    }
  }
  return false;
}

/// Per-document context for error messages.
struct Ctx {
  od::document* doc;
  const char* base;  ///< start of the copied text
  size_t size;

  /// "invalid JSON at byte N: <reason>".
  Status fail(simdjson::error_code e) const {
    std::string m = "invalid JSON";
    const char* loc = nullptr;
    if (doc != nullptr && doc->current_location().get(loc) == simdjson::SUCCESS && loc >= base && loc <= base + size) {
      m += " at byte " + std::to_string(loc - base);
    }
    m += ": ";
    m += simdjson::error_message(e);
    return Status::InvalidArgument(std::move(m));
  }
};

/// Status for "field "<name>": expected <what>, found <type>".
Status field_error(std::string_view field, std::string_view what, std::string_view found) {
  std::string m = "field \"" + std::string(field) + "\": expected " + std::string(what) + ", found ";
  m += found;
  return Status::InvalidArgument(std::move(m));
}

Status flatten_value(const Ctx& c, od::value& v, std::string& key, KeyValues& out, int depth);

/// Flattens every member of `obj` under `key` (the prefix; restored on return).
Status flatten_fields(const Ctx& c, od::object& obj, std::string& key, KeyValues& out, int depth) {
  const size_t base = key.size();
  for (auto member : obj) {
    od::field f;
    if (auto e = std::move(member).get(f)) return c.fail(e);
    std::string_view k;
    if (auto e = f.unescaped_key().get(k)) return c.fail(e);
    key.resize(base);
    if (base != 0) key += '.';
    key += k;
    Status st = flatten_value(c, f.value(), key, out, depth);
    if (!st.ok()) {
      key.resize(base);
      return st;
    }
  }
  key.resize(base);
  return Status::Ok();
}

/// The raw JSON text of an array or object value.
Status raw_json_text(const Ctx& c, od::value& v, std::string_view* out) {
  std::string_view raw;
  if (auto e = simdjson::to_json_string(v).get(raw)) return c.fail(e);
  *out = trim(raw);
  return Status::Ok();
}

/// A number token exactly as written, checked against the JSON grammar.
Status number_text(const Ctx& c, od::value& v, std::string_view* out) {
  std::string_view raw = trim(v.raw_json_token());
  if (!is_json_number(raw)) return c.fail(simdjson::NUMBER_ERROR);
  *out = raw;
  return Status::Ok();
}

Status flatten_value(const Ctx& c, od::value& v, std::string& key, KeyValues& out, int depth) {
  od::json_type t;
  if (auto e = v.type().get(t)) return c.fail(e);
  switch (t) {
    case od::json_type::object: {
      if (depth >= kMaxFlattenDepth) {
        std::string_view raw;
        SLUICE_RETURN_IF_ERROR(raw_json_text(c, v, &raw));
        out.emplace_back(key, std::string(raw));
        return Status::Ok();
      }
      od::object obj;
      if (auto e = v.get_object().get(obj)) return c.fail(e);
      return flatten_fields(c, obj, key, out, depth + 1);
    }
    case od::json_type::array: {
      std::string_view raw;
      SLUICE_RETURN_IF_ERROR(raw_json_text(c, v, &raw));
      out.emplace_back(key, std::string(raw));
      return Status::Ok();
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return c.fail(e);
      out.emplace_back(key, std::string(s));
      return Status::Ok();
    }
    case od::json_type::number: {
      std::string_view n;
      SLUICE_RETURN_IF_ERROR(number_text(c, v, &n));
      out.emplace_back(key, std::string(n));
      return Status::Ok();
    }
    case od::json_type::boolean: {
      bool b = false;
      if (auto e = v.get_bool().get(b)) return c.fail(e);
      out.emplace_back(key, b ? "true" : "false");
      return Status::Ok();
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null)) return c.fail(e);
      if (!is_null) return c.fail(simdjson::N_ATOM_ERROR);
      return Status::Ok();
    }
  }
  return c.fail(simdjson::INCORRECT_TYPE);
}

/// A string member, or an error naming the field.
Status want_string(const Ctx& c, od::value& v, std::string_view field, std::string* out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return c.fail(e);
  if (t != od::json_type::string) return field_error(field, "a string", json_type_name(t));
  std::string_view s;
  if (auto e = v.get_string().get(s)) return c.fail(e);
  out->assign(s);
  return Status::Ok();
}

/// An unsigned integer member in [0, max].
Status want_uint(const Ctx& c, od::value& v, std::string_view field, uint64_t max, uint64_t* out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return c.fail(e);
  std::string what = "an integer 0.." + std::to_string(max);
  if (t != od::json_type::number) return field_error(field, what, json_type_name(t));
  std::string_view n;
  SLUICE_RETURN_IF_ERROR(number_text(c, v, &n));
  uint64_t u = 0;
  if (!parse_uint(n, &u) || u > max) return field_error(field, what, std::string(n));
  *out = u;
  return Status::Ok();
}

/// A timestamp member: integer ns, a string of digits (ns), or RFC 3339.
Status want_time(const Ctx& c, od::value& v, std::string_view field, int64_t* out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return c.fail(e);
  std::string_view text;
  if (t == od::json_type::number) {
    SLUICE_RETURN_IF_ERROR(number_text(c, v, &text));
    if (!all_digits(text)) return field_error(field, "integer nanoseconds since the epoch", std::string(text));
  } else if (t == od::json_type::string) {
    if (auto e = v.get_string().get(text)) return c.fail(e);
  } else {
    return field_error(field, "integer nanoseconds or an RFC 3339 string", json_type_name(t));
  }
  auto r = parse_timestamp(text, all_digits(text) ? "unix_ns" : "rfc3339");
  if (!r.ok()) return Status::InvalidArgument("field \"" + std::string(field) + "\": " + r.status().message());
  *out = *r;
  return Status::Ok();
}

/// A hex id of exactly `digits` hex digits (or empty), stored lower-case.
Status want_hex_id(const Ctx& c, od::value& v, std::string_view field, size_t digits, std::string* out) {
  SLUICE_RETURN_IF_ERROR(want_string(c, v, field, out));
  if (out->empty()) return Status::Ok();
  bool ok = out->size() == digits;
  for (char& ch : *out) {
    if (ch >= 'A' && ch <= 'F') ch = static_cast<char>(ch - 'A' + 'a');
    ok = ok && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
  }
  if (!ok) return field_error(field, std::to_string(digits) + " hex digits", "\"" + out->substr(0, 64) + "\"");
  return Status::Ok();
}

/// An object member flattened into `out` (null: nothing).
Status want_object(const Ctx& c, od::value& v, std::string_view field, KeyValues& out, std::string& key) {
  od::json_type t;
  if (auto e = v.type().get(t)) return c.fail(e);
  if (t == od::json_type::null) return flatten_value(c, v, key, out, 0);
  if (t != od::json_type::object) return field_error(field, "an object", json_type_name(t));
  od::object obj;
  if (auto e = v.get_object().get(obj)) return c.fail(e);
  key.clear();
  return flatten_fields(c, obj, key, out, 1);
}

}  // namespace

struct JsonObjectParser::Impl {
  od::parser parser;
  std::unique_ptr<char[]> buf;
  size_t cap = 0;
  std::string key;
  KeyValues scratch;

  /// Checks for '{', copies `text` into the padded buffer and starts
  /// parsing it into `*doc`.
  Status start(std::string_view text, od::document* doc) {
    size_t i = 0;
    while (i < text.size() && is_json_space(text[i])) ++i;
    if (i == text.size()) {
      return Status::InvalidArgument("expected a JSON object at byte " + std::to_string(i) + ", found end of text");
    }
    if (text[i] != '{') {
      return Status::InvalidArgument("expected a JSON object at byte " + std::to_string(i) + ", found " +
                                     describe_char(text[i]));
    }
    if (cap < text.size() + simdjson::SIMDJSON_PADDING) {
      cap = std::max(text.size() + simdjson::SIMDJSON_PADDING, 2 * cap);
      buf = std::make_unique<char[]>(cap);
    }
    std::memcpy(buf.get(), text.data(), text.size());
    std::memset(buf.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    if (auto e = parser.iterate(buf.get(), text.size(), cap).get(*doc)) return Ctx{nullptr, nullptr, 0}.fail(e);
    return Status::Ok();
  }

  /// Fails unless the document has been consumed to its end.
  static Status check_end(const Ctx& c) {
    const char* loc = nullptr;
    if (c.doc->current_location().get(loc) == simdjson::SUCCESS && loc >= c.base && loc < c.base + c.size) {
      return Status::InvalidArgument("expected end of text after the JSON object at byte " +
                                     std::to_string(loc - c.base) + ", found " + describe_char(*loc));
    }
    return Status::Ok();
  }

  Status flatten_object(std::string_view text, KeyValues& out) {
    od::document doc;
    SLUICE_RETURN_IF_ERROR(start(text, &doc));
    Ctx c{&doc, buf.get(), text.size()};
    od::object obj;
    if (auto e = doc.get_object().get(obj)) return c.fail(e);
    scratch.clear();
    key.clear();
    SLUICE_RETURN_IF_ERROR(flatten_fields(c, obj, key, scratch, 1));
    SLUICE_RETURN_IF_ERROR(check_end(c));
    merge_key_values(out, scratch);
    scratch.clear();
    return Status::Ok();
  }

  Status decode_otel(const Ctx& c, od::object& obj, LogRecord* out) {
    KeyValues attributes, resource;
    bool has_severity_number = false;
    for (auto member : obj) {
      od::field f;
      if (auto e = std::move(member).get(f)) return c.fail(e);
      std::string_view k;
      if (auto e = f.unescaped_key().get(k)) return c.fail(e);
      od::value& v = f.value();
      if (k == "timestamp") {
        SLUICE_RETURN_IF_ERROR(want_time(c, v, k, &out->timestamp_ns));
      } else if (k == "observed_timestamp") {
        SLUICE_RETURN_IF_ERROR(want_time(c, v, k, &out->observed_timestamp_ns));
      } else if (k == "severity_number") {
        uint64_t n = 0;
        SLUICE_RETURN_IF_ERROR(want_uint(c, v, k, 24, &n));
        out->severity_number = static_cast<uint8_t>(n);
        has_severity_number = true;
      } else if (k == "severity_text") {
        SLUICE_RETURN_IF_ERROR(want_string(c, v, k, &out->severity_text));
      } else if (k == "body") {
        od::json_type t;
        if (auto e = v.type().get(t)) return c.fail(e);
        if (t == od::json_type::string) {
          SLUICE_RETURN_IF_ERROR(want_string(c, v, k, &out->body));
        } else if (t == od::json_type::object || t == od::json_type::array) {
          std::string_view raw;
          SLUICE_RETURN_IF_ERROR(raw_json_text(c, v, &raw));
          out->body.assign(raw);
        } else if (t == od::json_type::number) {
          std::string_view n;
          SLUICE_RETURN_IF_ERROR(number_text(c, v, &n));
          out->body.assign(n);
        } else if (t == od::json_type::boolean) {
          bool b = false;
          if (auto e = v.get_bool().get(b)) return c.fail(e);
          out->body = b ? "true" : "false";
        } else {
          key.clear();
          SLUICE_RETURN_IF_ERROR(flatten_value(c, v, key, attributes, 0));  // null: nothing
        }
      } else if (k == "attributes") {
        std::string field(k);
        SLUICE_RETURN_IF_ERROR(want_object(c, v, field, attributes, key));
      } else if (k == "resource") {
        std::string field(k);
        SLUICE_RETURN_IF_ERROR(want_object(c, v, field, resource, key));
      } else if (k == "service_name") {
        SLUICE_RETURN_IF_ERROR(want_string(c, v, k, &out->service_name));
      } else if (k == "scope_name") {
        SLUICE_RETURN_IF_ERROR(want_string(c, v, k, &out->scope_name));
      } else if (k == "scope_version") {
        SLUICE_RETURN_IF_ERROR(want_string(c, v, k, &out->scope_version));
      } else if (k == "trace_id") {
        SLUICE_RETURN_IF_ERROR(want_hex_id(c, v, k, 32, &out->trace_id));
      } else if (k == "span_id") {
        SLUICE_RETURN_IF_ERROR(want_hex_id(c, v, k, 16, &out->span_id));
      } else if (k == "trace_flags") {
        uint64_t n = 0;
        SLUICE_RETURN_IF_ERROR(want_uint(c, v, k, UINT32_MAX, &n));
        out->trace_flags = static_cast<uint32_t>(n);
      } else {
        key.assign(k);
        SLUICE_RETURN_IF_ERROR(flatten_value(c, v, key, attributes, 1));
      }
    }
    merge_key_values(out->attributes, attributes);
    merge_key_values(out->resource, resource);
    if (!has_severity_number && !out->severity_text.empty()) {
      out->severity_number = severity_number_from_text(out->severity_text);
    }
    return Status::Ok();
  }

  Status decode_free_form(const Ctx& c, od::object& obj, std::string_view text, LogRecord* out) {
    KeyValues attributes;
    key.clear();
    SLUICE_RETURN_IF_ERROR(flatten_fields(c, obj, key, attributes, 1));
    merge_key_values(out->attributes, attributes);
    KeyValues& a = out->attributes;
    bool has_body = false;
    for (std::string_view k : {"message", "msg", "log", "body"}) {
      if (take_key_value(a, k, &out->body)) {
        has_body = true;
        break;
      }
    }
    if (!has_body) out->body.assign(trim(text));
    for (std::string_view k : {"level", "severity"}) {
      if (take_key_value(a, k, &out->severity_text)) {
        out->severity_number = severity_number_from_text(out->severity_text);
        break;
      }
    }
    for (std::string_view k : {"time", "timestamp", "@timestamp", "ts"}) {
      const std::string* v = find_key_value(a, k);
      if (v == nullptr) continue;
      auto r = parse_timestamp(*v, "auto");
      if (!r.ok()) continue;
      out->timestamp_ns = *r;
      std::string dropped;
      (void)take_key_value(a, k, &dropped);
      break;
    }
    return Status::Ok();
  }

  Status decode_record(std::string_view text, int64_t observed_ns, LogRecord* out) {
    *out = LogRecord{};
    out->observed_timestamp_ns = observed_ns;
    od::document doc;
    SLUICE_RETURN_IF_ERROR(start(text, &doc));
    Ctx c{&doc, buf.get(), text.size()};
    od::object obj;
    if (auto e = doc.get_object().get(obj)) return c.fail(e);
    // Pass 1: the shape (see the header).
    bool otel = false;
    for (auto member : obj) {
      od::field f;
      if (auto e = std::move(member).get(f)) return c.fail(e);
      std::string_view k;
      if (auto e = f.unescaped_key().get(k)) return c.fail(e);
      if (k == "severity_number") {
        otel = true;
      } else if (k == "attributes" || k == "resource") {
        od::json_type t;
        if (auto e = f.value().type().get(t)) return c.fail(e);
        otel = t == od::json_type::object;
      }
      if (otel) break;
    }
    // Pass 2: the fields.
    doc.rewind();
    if (auto e = doc.get_object().get(obj)) return c.fail(e);
    SLUICE_RETURN_IF_ERROR(otel ? decode_otel(c, obj, out) : decode_free_form(c, obj, text, out));
    SLUICE_RETURN_IF_ERROR(check_end(c));
    if (out->service_name.empty()) {
      if (const std::string* s = find_key_value(out->resource, "service.name")) out->service_name = *s;
    }
    if (out->timestamp_ns == 0) out->timestamp_ns = out->observed_timestamp_ns;
    return Status::Ok();
  }
};

JsonObjectParser::JsonObjectParser() : impl_(std::make_unique<Impl>()) {}
JsonObjectParser::~JsonObjectParser() = default;

Status JsonObjectParser::flatten_object(std::string_view text, KeyValues& out) {
  return impl_->flatten_object(text, out);
}

Status JsonObjectParser::decode_record(std::string_view text, int64_t observed_ns, LogRecord* out) {
  return impl_->decode_record(text, observed_ns, out);
}

DecodeNdjsonResult decode_ndjson(std::string_view body, int64_t observed_ns, size_t max_line_errors) {
  DecodeNdjsonResult result;
  JsonObjectParser parser;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    size_t end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (trim(line).empty()) continue;
    if (line.back() == '\r') line.remove_suffix(1);
    LogRecord rec;
    Status st = parser.decode_record(line, observed_ns, &rec);
    if (st.ok()) {
      result.records.push_back(std::move(rec));
      continue;
    }
    ++result.error_count;
    if (result.errors.size() < max_line_errors) result.errors.push_back(LineError{line_no, st.message()});
  }
  return result;
}

}  // namespace sluice
