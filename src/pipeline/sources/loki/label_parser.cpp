#include "pipeline/sources/loki/label_parser.hpp"

#include <string>
#include <unordered_set>

#include "model/utf8.hpp"

namespace sluice {
namespace {

/// 'c' for printable ASCII, '\xNN' otherwise, "end of text" past the end.
std::string describe_at(std::string_view s, size_t i) {
  if (i >= s.size()) return "end of text";
  static constexpr char kHex[] = "0123456789abcdef";
  auto c = static_cast<unsigned char>(s[i]);
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  return std::string("'\\x") + kHex[c >> 4] + kHex[c & 15] + "'";
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class LabelParser {
 public:
  explicit LabelParser(std::string_view s) : s_(s) {}

  Result<KeyValues> parse() {
    KeyValues out;
    skip_space();
    if (!eat('{')) return expected("'{'");
    skip_space();
    while (!at('}')) {
      size_t name_at = i_;
      std::string name;
      SLUICE_RETURN_IF_ERROR(parse_name(&name));
      skip_space();
      if (!eat('=')) return expected("'=' after label name \"" + name + "\"");
      skip_space();
      std::string value;
      if (!at('"')) return expected("'\"' starting the value of label \"" + name + "\"");
      SLUICE_RETURN_IF_ERROR(parse_quoted(&value));
      if (!seen_.insert(name).second) {
        return Status::InvalidArgument("duplicate label name \"" + name + "\" at byte " + std::to_string(name_at));
      }
      if (!value.empty()) out.emplace_back(std::move(name), std::move(value));
      skip_space();
      if (eat(',')) {
        skip_space();
        continue;
      }
      if (!at('}')) return expected("',' or '}'");
    }
    ++i_;  // '}'
    skip_space();
    if (i_ != s_.size()) return expected("end of text after '}'");
    return out;
  }

 private:
  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool eat(char c) {
    if (!at(c)) return false;
    ++i_;
    return true;
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
  }
  Status expected(const std::string& what) const {
    return Status::InvalidArgument("expected " + what + " at byte " + std::to_string(i_) + ", found " +
                                   describe_at(s_, i_));
  }

  Status parse_name(std::string* out) {
    if (at('"')) {
      SLUICE_RETURN_IF_ERROR(parse_quoted(out));
      if (out->empty()) return Status::InvalidArgument("empty label name ending at byte " + std::to_string(i_));
      return Status::Ok();
    }
    if (i_ >= s_.size() || !is_name_start(s_[i_])) return expected("a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
    size_t start = i_;
    while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
    out->assign(s_.substr(start, i_ - start));
    return Status::Ok();
  }

  /// `n` hex digits after an escape letter, as a number.
  Status hex_digits(int n, uint32_t* out) {
    uint32_t v = 0;
    for (int k = 0; k < n; ++k) {
      int h = i_ < s_.size() ? hex_value(s_[i_]) : -1;
      if (h < 0) return expected("a hex digit");
      v = v * 16 + static_cast<uint32_t>(h);
      ++i_;
    }
    *out = v;
    return Status::Ok();
  }

  /// A double-quoted string starting at i_ (which is '"').
  Status parse_quoted(std::string* out) {
    ++i_;
    while (true) {
      if (i_ >= s_.size()) return expected("'\"' closing the string");
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        return Status::Ok();
      }
      if (c == '\n') return expected("'\"' closing the string (a line feed must be written \\n)");
      if (c != '\\') {
        *out += c;
        ++i_;
        continue;
      }
      ++i_;
      if (i_ >= s_.size()) return expected("an escape character after '\\'");
      char e = s_[i_++];
      switch (e) {
        case '\\':
        case '"':
        case '\'':
          *out += e;
          break;
        case 'n':
          *out += '\n';
          break;
        case 't':
          *out += '\t';
          break;
        case 'r':
          *out += '\r';
          break;
        case 'a':
          *out += '\a';
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'v':
          *out += '\v';
          break;
        case 'x': {
          uint32_t v = 0;
          SLUICE_RETURN_IF_ERROR(hex_digits(2, &v));
          *out += static_cast<char>(v);
          break;
        }
        case 'u':
        case 'U': {
          size_t at_escape = i_ - 2;
          uint32_t cp = 0;
          SLUICE_RETURN_IF_ERROR(hex_digits(e == 'u' ? 4 : 8, &cp));
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return Status::InvalidArgument("escape at byte " + std::to_string(at_escape) +
                                           " is not a Unicode scalar value");
          }
          append_utf8(*out, cp);
          break;
        }
        default:
          --i_;
          return expected("one of \\\\ \\\" \\' \\n \\t \\r \\a \\b \\f \\v \\x \\u \\U after '\\'");
      }
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  std::unordered_set<std::string> seen_;  ///< names so far, empty-valued (dropped) ones too
};

}  // namespace

Result<KeyValues> parse_label_set(std::string_view text) { return LabelParser(text).parse(); }

}  // namespace sluice
