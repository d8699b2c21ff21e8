#include "pipeline/transforms/parse_kv/kv_scanner.hpp"

namespace sluice {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

KvScanner::KvScanner(std::string field_delimiter, std::string kv_delimiter, bool accept_standalone_key)
    : fd_(std::move(field_delimiter)), kd_(std::move(kv_delimiter)), standalone_(accept_standalone_key) {
  blank_fd_ = !fd_.empty() && fd_.find_first_not_of(" \t") == std::string::npos;
}

Status KvScanner::read_token(std::string_view s, size_t* p, bool is_key, std::string* out) const {
  out->clear();
  size_t i = *p;
  const size_t n = s.size();
  if (i < n && (s[i] == '"' || s[i] == '\'')) {
    const char q = s[i];
    const size_t open = i++;
    while (true) {
      if (i >= n) return Status::InvalidArgument("unterminated quote starting at byte " + std::to_string(open));
      const char c = s[i];
      if (c == q) {
        ++i;
        break;
      }
      if (c == '\\' && i + 1 < n && (s[i + 1] == q || s[i + 1] == '\\')) {
        *out += s[i + 1];
        i += 2;
        continue;
      }
      *out += c;
      ++i;
    }
  }
  const size_t rest = i;
  while (i < n && !(blank_fd_ ? is_blank(s[i]) : at(s, i, fd_)) && !(is_key && at(s, i, kd_))) ++i;
  size_t end = i;
  if (!blank_fd_) {
    while (end > rest && is_blank(s[end - 1])) --end;  // trailing blanks before a delimiter
  }
  out->append(s.substr(rest, end - rest));
  *p = i;
  return Status::Ok();
}

Status KvScanner::scan(std::string_view s, KeyValues& out) const {
  const size_t n = s.size();
  size_t p = 0;
  std::string key, value;
  while (true) {
    while (p < n) {  // blanks and empty fields
      if (is_blank(s[p])) {
        ++p;
      } else if (at(s, p, fd_)) {
        p += fd_.size();
      } else {
        break;
      }
    }
    if (p >= n) return Status::Ok();
    const size_t key_at = p;
    SLUICE_RETURN_IF_ERROR(read_token(s, &p, true, &key));
    if (p < n && at(s, p, kd_)) {
      if (key.empty()) return Status::InvalidArgument("empty key at byte " + std::to_string(key_at));
      p += kd_.size();
      if (!blank_fd_) {
        while (p < n && is_blank(s[p])) ++p;
      }
      SLUICE_RETURN_IF_ERROR(read_token(s, &p, false, &value));
      out.emplace_back(std::move(key), std::move(value));
    } else if (standalone_ && !key.empty()) {
      out.emplace_back(std::move(key), "true");
    }
    key.clear();
    value.clear();
  }
}

}  // namespace sluice
