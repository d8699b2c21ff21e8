#include "pipeline/transforms/condition/field_path.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "config/options.hpp"

namespace sluice {

namespace {

struct Named {
  std::string_view name;
  FieldPath::Kind kind;
};

constexpr std::array<Named, 8> kTopLevel = {{
    {"body", FieldPath::Kind::kBody},
    {"severity_text", FieldPath::Kind::kSeverityText},
    {"severity_number", FieldPath::Kind::kSeverityNumber},
    {"service_name", FieldPath::Kind::kServiceName},
    {"scope_name", FieldPath::Kind::kScopeName},
    {"scope_version", FieldPath::Kind::kScopeVersion},
    {"trace_id", FieldPath::Kind::kTraceId},
    {"span_id", FieldPath::Kind::kSpanId},
}};

bool bare_key_char(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case '(':
    case ')':
    case '=':
    case '!':
    case '<':
    case '>':
    case '"':
    case '\'':
    case ',':
      return false;
    default:
      return true;
  }
}

std::string* text_field(LogRecord& rec, FieldPath::Kind k) {
  switch (k) {
    case FieldPath::Kind::kBody:
      return &rec.body;
    case FieldPath::Kind::kSeverityText:
      return &rec.severity_text;
    case FieldPath::Kind::kServiceName:
      return &rec.service_name;
    case FieldPath::Kind::kScopeName:
      return &rec.scope_name;
    case FieldPath::Kind::kScopeVersion:
      return &rec.scope_version;
    case FieldPath::Kind::kTraceId:
      return &rec.trace_id;
    case FieldPath::Kind::kSpanId:
      return &rec.span_id;
    default:
      return nullptr;
  }
}

const std::string* text_field(const LogRecord& rec, FieldPath::Kind k) {
  return text_field(const_cast<LogRecord&>(rec), k);  // NOLINT: read-only use
}

// Reads `"..."` at the start of `text` (text[0] == '"'). Returns the
// unescaped key and sets *used; only \" and \\ are escapes.
Result<std::string> quoted_key(std::string_view text, size_t* used) {
  std::string out;
  for (size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) {
      out += text[++i];
    } else if (c == '"') {
      *used = i + 1;
      return out;
    } else {
      out += c;
    }
  }
  return Status::InvalidArgument("unterminated quoted key (expected a closing '\"')");
}

// Parses the path head; `bare_rest`: an unquoted key is the rest of text.
Result<FieldPath> parse(std::string_view text, bool allow_maps, bool bare_rest, size_t* consumed) {
  size_t n = 0;
  while (n < text.size() && (std::isalnum(static_cast<unsigned char>(text[n])) || text[n] == '_')) ++n;
  std::string_view head = text.substr(0, n);
  FieldPath p;
  if (head == "attributes" || head == "resource") {
    const bool attrs = head == "attributes";
    if (n == text.size() || text[n] != '.') {
      if (n < text.size() && bare_rest) {
        return Status::InvalidArgument("expected '.' after \"" + std::string(head) + "\" in \"" + std::string(text) +
                                       "\"");
      }
      if (!allow_maps) {
        return Status::InvalidArgument("\"" + std::string(head) + "\" needs a key here: " + std::string(head) +
                                       ".<key>");
      }
      p.kind = attrs ? FieldPath::Kind::kAllAttributes : FieldPath::Kind::kAllResource;
      *consumed = n;
      return p;
    }
    p.kind = attrs ? FieldPath::Kind::kAttribute : FieldPath::Kind::kResource;
    std::string_view rest = text.substr(n + 1);
    if (!rest.empty() && rest[0] == '"') {
      size_t used = 0;
      SLUICE_ASSIGN_OR_RETURN(p.key, quoted_key(rest, &used));
      if (bare_rest && used != rest.size()) {
        return Status::InvalidArgument("unexpected text after the quoted key in \"" + std::string(text) + "\"");
      }
      *consumed = n + 1 + used;
    } else {
      size_t k = 0;
      if (bare_rest) {
        k = rest.size();
      } else {
        while (k < rest.size() && bare_key_char(rest[k])) ++k;
      }
      p.key = std::string(rest.substr(0, k));
      *consumed = n + 1 + k;
    }
    if (p.key.empty()) {
      return Status::InvalidArgument(std::string(head) + ". needs a key: " + std::string(head) + ".<key> or " +
                                     std::string(head) + ".\"<key>\"");
    }
    return p;
  }
  for (const auto& t : kTopLevel) {
    if (t.name == head) {
      if (bare_rest && n != text.size()) {
        return Status::InvalidArgument("unexpected text after \"" + std::string(head) + "\" in \"" + std::string(text) +
                                       "\"");
      }
      p.kind = t.kind;
      *consumed = n;
      return p;
    }
  }
  std::string shown(bare_rest ? text : head);
  if (shown.empty() && !text.empty()) shown = std::string(text.substr(0, 1));
  std::string msg = "unknown field \"" + shown + "\"";
  std::vector<std::string> names = field_path_names();
  names.push_back("attributes");
  names.push_back("resource");
  std::string near = nearest_word(std::string(head), names);
  if (!near.empty()) msg += " (did you mean \"" + near + "\"?)";
  msg += "; fields: ";
  for (const auto& f : field_path_names()) msg += f + ", ";
  return Status::InvalidArgument(msg + "attributes.<key>, resource.<key>");
}

}  // namespace

const std::vector<std::string>& field_path_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> v;
    for (const auto& t : kTopLevel) v.emplace_back(t.name);
    return v;
  }();
  return kNames;
}

std::string FieldPath::text() const {
  switch (kind) {
    case Kind::kAllAttributes:
      return "attributes";
    case Kind::kAllResource:
      return "resource";
    case Kind::kAttribute:
    case Kind::kResource: {
      std::string out = kind == Kind::kAttribute ? "attributes." : "resource.";
      bool bare = !key.empty() && key[0] != '"' && std::all_of(key.begin(), key.end(), bare_key_char);
      if (bare) return out + key;
      out += '"';
      for (char c : key) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + '"';
    }
    default:
      for (const auto& t : kTopLevel) {
        if (t.kind == kind) return std::string(t.name);
      }
      return "";
  }
}

std::optional<std::string_view> FieldPath::get(const LogRecord& rec, std::string& scratch) const {
  switch (kind) {
    case Kind::kAttribute:
    case Kind::kResource: {
      const std::string* v = find_key_value(kind == Kind::kAttribute ? rec.attributes : rec.resource, key);
      if (v == nullptr) return std::nullopt;
      return std::string_view(*v);
    }
    case Kind::kSeverityNumber:
      scratch = std::to_string(rec.severity_number);
      return std::string_view(scratch);
    case Kind::kAllAttributes:
    case Kind::kAllResource:
      return std::nullopt;
    default:
      return std::string_view(*text_field(rec, kind));
  }
}

bool FieldPath::exists(const LogRecord& rec) const {
  switch (kind) {
    case Kind::kAttribute:
      return find_key_value(rec.attributes, key) != nullptr;
    case Kind::kResource:
      return find_key_value(rec.resource, key) != nullptr;
    case Kind::kAllAttributes:
      return !rec.attributes.empty();
    case Kind::kAllResource:
      return !rec.resource.empty();
    case Kind::kSeverityNumber:
      return rec.severity_number != 0;
    default:
      return !text_field(rec, kind)->empty();
  }
}

void FieldPath::set(LogRecord& rec, std::string value) const {
  switch (kind) {
    case Kind::kAttribute:
      set_key_value(rec.attributes, key, std::move(value));
      return;
    case Kind::kResource:
      if (key == "service.name") rec.service_name = value;
      set_key_value(rec.resource, key, std::move(value));
      return;
    case Kind::kSeverityNumber: {
      unsigned n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec == std::errc() && end == value.data() + value.size() && n <= 24) {
        rec.severity_number = static_cast<uint8_t>(n);
      } else {
        rec.severity_number = severity_number_from_text(value);
      }
      return;
    }
    case Kind::kAllAttributes:
    case Kind::kAllResource:
      return;
    default:
      *text_field(rec, kind) = std::move(value);
  }
}

void FieldPath::remove(LogRecord& rec) const {
  switch (kind) {
    case Kind::kAttribute:
    case Kind::kResource: {
      KeyValues& kvs = kind == Kind::kAttribute ? rec.attributes : rec.resource;
      if (kind == Kind::kResource && key == "service.name") rec.service_name.clear();
      std::erase_if(kvs, [&](const auto& kv) { return kv.first == key; });
      return;
    }
    case Kind::kAllAttributes:
      rec.attributes.clear();
      return;
    case Kind::kAllResource:
      rec.resource.clear();
      return;
    case Kind::kSeverityNumber:
      rec.severity_number = 0;
      return;
    default:
      text_field(rec, kind)->clear();
  }
}

Result<FieldPath> parse_field_path(std::string_view text, bool allow_maps) {
  size_t used = 0;
  auto r = parse(text, allow_maps, /*bare_rest=*/true, &used);
  if (!r.ok()) return r.status().with_context("field path \"" + std::string(text) + "\"");
  return r;
}

Result<FieldPath> parse_field_path_prefix(std::string_view text, size_t* consumed) {
  return parse(text, /*allow_maps=*/false, /*bare_rest=*/false, consumed);
}

}  // namespace sluice
