#include "pipeline/sources/otlp/otlp_metrics_names.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

namespace sluice {
namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':';
}

/// The runs of name_char characters of `s`.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !name_char(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && name_char(s[j])) ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view main_unit_word(std::string_view u) {
  static constexpr std::pair<std::string_view, std::string_view> kWords[] = {
      {"d", "days"},
      {"h", "hours"},
      {"min", "minutes"},
      {"s", "seconds"},
      {"ms", "milliseconds"},
      {"us", "microseconds"},
      {"ns", "nanoseconds"},
      {"By", "bytes"},
      {"KiBy", "kibibytes"},
      {"MiBy", "mebibytes"},
      {"GiBy", "gibibytes"},
      {"TiBy", "tibibytes"},
      {"KBy", "kilobytes"},
      {"MBy", "megabytes"},
      {"GBy", "gigabytes"},
      {"TBy", "terabytes"},
      {"m", "meters"},
      {"V", "volts"},
      {"A", "amperes"},
      {"J", "joules"},
      {"W", "watts"},
      {"g", "grams"},
      {"Cel", "celsius"},
      {"Hz", "hertz"},
      {"1", ""},
      {"%", "percent"},
  };
  for (const auto& [k, v] : kWords) {
    if (k == u) return v;
  }
  return u;
}

std::string_view per_unit_word(std::string_view u) {
  static constexpr std::pair<std::string_view, std::string_view> kWords[] = {
      {"s", "second"}, {"m", "minute"}, {"h", "hour"}, {"d", "day"}, {"w", "week"}, {"mo", "month"}, {"y", "year"},
  };
  for (const auto& [k, v] : kWords) {
    if (k == u) return v;
  }
  return u;
}

/// The words of unit part `part` mapped by `map`, or none for an empty or
/// annotated ({...}) part.
std::vector<std::string> unit_words(std::string_view part, std::string_view (*map)(std::string_view)) {
  part = trim(part);
  if (part.empty() || part.find_first_of("{}") != std::string_view::npos) return {};
  return words(map(part));
}

/// The main and per-unit words of `unit` (the latter starting with "per").
std::pair<std::vector<std::string>, std::vector<std::string>> unit_parts(std::string_view unit) {
  size_t slash = unit.find('/');
  std::vector<std::string> main = unit_words(unit.substr(0, slash), main_unit_word);
  std::vector<std::string> per;
  if (slash != std::string_view::npos) {
    per = unit_words(unit.substr(slash + 1), per_unit_word);
    if (!per.empty()) per.insert(per.begin(), "per");
  }
  return {std::move(main), std::move(per)};
}

/// Whether `seq` occurs in `v` as consecutive elements.
bool contains_run(const std::vector<std::string>& v, const std::vector<std::string>& seq) {
  return !seq.empty() && std::search(v.begin(), v.end(), seq.begin(), seq.end()) != v.end();
}

void move_to_end(std::vector<std::string>& v, const std::string& w) {
  v.erase(std::remove(v.begin(), v.end(), w), v.end());
  v.push_back(w);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& w : v) {
    if (!out.empty()) out += '_';
    out += w;
  }
  return out;
}

}  // namespace

std::string prometheus_unit(std::string_view unit) {
  auto [main, per] = unit_parts(unit);
  main.insert(main.end(), per.begin(), per.end());
  return join(main);
}

std::string prometheus_metric_name(std::string_view name, std::string_view unit, OtlpMetricType type) {
  std::vector<std::string> w = words(name);
  if (w.empty()) return "";
  auto [main, per] = unit_parts(unit);
  if (!contains_run(w, main)) w.insert(w.end(), main.begin(), main.end());
  if (!contains_run(w, per)) w.insert(w.end(), per.begin(), per.end());
  if (type == OtlpMetricType::kMonotonicSum) move_to_end(w, "total");
  if (type == OtlpMetricType::kGauge && trim(unit) == "1") move_to_end(w, "ratio");
  std::string out = join(w);
  if (out[0] >= '0' && out[0] <= '9') out.insert(out.begin(), '_');
  return out;
}

std::string prometheus_label_name(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 1);
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    char x = ok ? c : '_';
    if (x == '_' && !out.empty() && out.back() == '_') continue;
    out += x;
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
  return out;
}

std::string prometheus_float_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // The shortest round-trip digits in scientific form ("1.5e-07", printf's
  // %e, which Go's 'e' matches); their exponent picks the form as Go's 'g'
  // with the shortest precision does (strconv/ftoa.go: %e when the exponent
  // is below -4 or at least 6, a fixed 6 in the shortest case).
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  int exp = std::atoi(sci.c_str() + sci.find('e') + 1);
  if (exp < -4 || exp >= 6) return sci;
  r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

}  // namespace sluice
