// The nginx_combined preset (presets.hpp).
#include <cstring>
#include <string>

#include "model/timestamp.hpp"
#include "pipeline/transforms/parse_regex/presets.hpp"
#include "pipeline/transforms/transform_util.hpp"

namespace sluice::parse_regex_detail {
namespace {

// Groups: 1 remote_addr, 2 remote_user, 3 time_local, 4 request, 5 status,
// 6 body_bytes_sent, 7 http_referer, 8 http_user_agent. A quoted field is
// "((?:[^"\\]|\\.)*)": nginx writes \xNN escapes, Apache \" escapes.
constexpr std::string_view kPattern =
    R"re((\S+) \S+ (\S+) \[([^\]]*)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?)re";

constexpr std::string_view kTimeFormat = "%d/%b/%Y:%H:%M:%S %z";

bool is_tchar(char c) {
  // RFC 9110 section 5.6.2 token characters.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

/// RE2's \s: [\t\n\f\r ].
bool is_re2_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

/// kPattern by hand, with RE2's leftmost-first semantics (every part of the
/// pattern is deterministic, so no backtracking is needed): see
/// Preset::scan.
bool scan(std::string_view s, re2::StringPiece* g) {
  const size_t n = s.size();
  size_t p = 0;
  auto piece = [&](size_t begin, size_t end) { return re2::StringPiece(s.data() + begin, end - begin); };
  auto lit = [&](char c) {
    if (p < n && s[p] == c) {
      ++p;
      return true;
    }
    return false;
  };
  auto non_space = [&](re2::StringPiece* out) {  // \S+
    size_t b = p;
    while (p < n && !is_re2_space(s[p])) ++p;
    if (p == b) return false;
    if (out != nullptr) *out = piece(b, p);
    return true;
  };
  auto quoted = [&](re2::StringPiece* out) {  // "((?:[^"\\]|\\.)*)"
    if (!lit('"')) return false;
    size_t b = p;
    // The usual field has no backslash before its closing quote: two
    // memchr calls (vectorized) find that, instead of a loop per byte.
    if (const void* q = std::memchr(s.data() + p, '"', n - p); q != nullptr) {
      const size_t close = static_cast<size_t>(static_cast<const char*>(q) - s.data());
      if (std::memchr(s.data() + p, '\\', close - p) == nullptr) {
        *out = piece(b, close);
        p = close + 1;
        return true;
      }
    }
    while (p < n) {
      char c = s[p];
      if (c == '"') {
        *out = piece(b, p);
        ++p;
        return true;
      }
      if (c == '\\') {
        if (p + 1 >= n || s[p + 1] == '\n') return false;
        p += 2;
      } else {
        ++p;
      }
    }
    return false;
  };
  auto digits = [&](size_t min, size_t max) {
    size_t b = p;
    while (p < n && p - b < max && s[p] >= '0' && s[p] <= '9') ++p;
    return p - b >= min;
  };
  for (int i = 0; i <= 8; ++i) g[i] = re2::StringPiece();
  if (!non_space(&g[1]) || !lit(' ') || !non_space(nullptr) || !lit(' ') || !non_space(&g[2]) || !lit(' ') ||
      !lit('[')) {
    return false;
  }
  size_t b = p;
  const void* close = std::memchr(s.data() + p, ']', n - p);
  p = close != nullptr ? static_cast<size_t>(static_cast<const char*>(close) - s.data()) : n;
  g[3] = piece(b, p);
  if (!lit(']') || !lit(' ') || !quoted(&g[4]) || !lit(' ')) return false;
  b = p;
  if (!digits(3, 3)) return false;
  g[5] = piece(b, p);
  if (!lit(' ')) return false;
  b = p;
  if (!digits(1, SIZE_MAX) && !lit('-')) return false;
  g[6] = piece(b, p);
  size_t end = p;
  re2::StringPiece referer, agent;
  if (lit(' ') && quoted(&referer) && lit(' ') && quoted(&agent)) {
    g[7] = referer;
    g[8] = agent;
    end = p;
  }
  g[0] = piece(0, end);
  return true;
}

/// The attribute keys this preset sets, interned once.
struct Keys {
  AttributeKey client_address{"client.address"}, user_name{"user.name"}, method{"http.request.method"},
      url_path{"url.path"}, url_query{"url.query"}, url_full{"url.full"}, protocol_name{"network.protocol.name"},
      protocol_version{"network.protocol.version"}, status_code{"http.response.status_code"},
      body_size{"http.response.body.size"}, referer{"http.request.header.referer"}, user_agent{"user_agent.original"};
};

const Keys& keys() {
  static const Keys k;
  return k;
}

bool is_present(re2::StringPiece g) { return g.data() != nullptr && !(g.size() == 1 && g[0] == '-'); }

/// "METHOD TARGET[ HTTP/x.y]" -> method, url.*, network.protocol.*; anything
/// else (nginx's "-", an escaped TLS handshake) sets nothing. True when the
/// attributes hold the whole request: the target is "/..." (url.path and
/// url.query) or absolute (url.full); the authority form (CONNECT
/// host:port) and "*" are stored as no url attribute.
bool apply_request(std::string_view request, AttributeWriter& w) {
  size_t sp = request.find(' ');
  if (sp == 0 || sp == std::string_view::npos) return false;
  std::string_view method = request.substr(0, sp);
  for (char c : method) {
    if (!is_tchar(c)) return false;
  }
  std::string_view rest = request.substr(sp + 1);
  std::string_view protocol;
  size_t last = rest.rfind(' ');
  if (last != std::string_view::npos && rest.substr(last + 1).starts_with("HTTP/")) {
    protocol = rest.substr(last + 1);
    rest = rest.substr(0, last);
  }
  if (rest.empty()) return false;
  const Keys& k = keys();
  w.put(k.method, method);
  bool whole = true;
  if (rest.front() == '/') {  // origin-form
    size_t q = rest.find('?');
    w.put(k.url_path, rest.substr(0, q));
    if (q != std::string_view::npos) w.put(k.url_query, rest.substr(q + 1));
  } else if (rest.starts_with("http://") || rest.starts_with("https://")) {  // absolute-form (proxy probes)
    w.put(k.url_full, rest);
  } else {
    whole = false;
  }
  if (!protocol.empty()) {
    w.put(k.protocol_name, "http");
    w.put(k.protocol_version, protocol.substr(5));
  }
  return whole;
}

Extraction apply(const re2::StringPiece* g, LogRecord& rec) {
  AttributeWriter w(rec, 11);
  const Keys& k = keys();
  w.put(k.client_address, g[1]);
  if (is_present(g[2])) w.put(k.user_name, g[2]);
  // $remote_logname, between groups 1 and 2, is not stored: all is held
  // only while it is "-".
  const char* logname = g[1].data() + g[1].size() + 1;
  const bool whole_request = apply_request(g[4], w);
  const bool whole = whole_request && g[2].data() - logname == 2 && *logname == '-';
  w.put(k.status_code, g[5]);
  if (is_present(g[6])) w.put(k.body_size, g[6]);
  if (is_present(g[7])) w.put(k.referer, g[7]);
  if (is_present(g[8])) w.put(k.user_agent, g[8]);
  const char klass = g[5][0];
  if (klass == '5') {
    rec.severity_number = 17;
    rec.severity_text = "ERROR";
  } else if (klass == '4') {
    rec.severity_number = 13;
    rec.severity_text = "WARN";
  } else {
    rec.severity_number = 9;
    rec.severity_text = "INFO";
  }
  thread_local TimestampMemo times;  // lines of one second share their time text
  auto ts = times.parse(g[3], kTimeFormat);
  if (!ts.ok()) {
    set_parse_error(rec, "parse_regex: nginx_combined: time_local: " + ts.status().message());
    return Extraction::kError;
  }
  rec.timestamp_ns = *ts;
  return whole ? Extraction::kWholeText : Extraction::kFields;
}

}  // namespace

const Preset kNginxCombined{
    "nginx_combined", "nginx/Apache combined (or common) access log", kPattern, &apply, &scan,
};

}  // namespace sluice::parse_regex_detail
