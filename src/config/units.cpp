#include "config/units.hpp"

#include <cctype>
#include <cmath>
#include <utility>

namespace sluice {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits "1.5GiB" into its number (1.5) and suffix ("GiB").
bool split_number(std::string_view s, double* number, std::string_view* suffix) {
  size_t i = 0;
  bool digits = false;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
    digits |= s[i] != '.';
    ++i;
  }
  if (!digits) return false;
  std::string num(s.substr(0, i));
  char* end = nullptr;
  *number = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size()) return false;
  *suffix = trim(s.substr(i));
  return true;
}

}  // namespace

Result<uint64_t> parse_size(std::string_view text) {
  std::string_view s = trim(text);
  double n = 0;
  std::string_view suffix;
  if (!split_number(s, &n, &suffix)) {
    return Status::InvalidArgument("expected a size such as \"64MiB\" or \"10GB\", found \"" + std::string(text) +
                                   "\"");
  }
  static const std::pair<std::string_view, double> kUnits[] = {
      {"", 1},      {"B", 1},        {"KB", 1e3},        {"MB", 1e6},           {"GB", 1e9},
      {"TB", 1e12}, {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0},
  };
  for (const auto& [name, mult] : kUnits) {
    if (suffix == name) {
      double v = n * mult;
      if (v > 1.8e19 || v != std::floor(v)) {
        return Status::InvalidArgument("size \"" + std::string(text) + "\" is not a whole number of bytes below 2^64");
      }
      return static_cast<uint64_t>(v);
    }
  }
  return Status::InvalidArgument("unknown size unit \"" + std::string(suffix) + "\" in \"" + std::string(text) +
                                 "\"; expected B, KB, MB, GB, TB, KiB, MiB, GiB or TiB");
}

Result<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  std::string_view s = trim(text);
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return Status::InvalidArgument("expected a duration such as \"250ms\" or \"7d\", found \"\"");
  static const std::pair<std::string_view, double> kUnits[] = {
      {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}, {"d", 86400e9}, {"w", 604800e9},
  };
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    size_t j = i;
    while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
    std::string num(s.substr(0, i));
    std::string_view unit = s.substr(i, j - i);
    char* end = nullptr;
    double n = num.empty() ? NAN : std::strtod(num.c_str(), &end);
    bool found = false;
    for (const auto& [name, mult] : kUnits) {
      if (unit == name) {
        found = true;
        total += n * mult;
      }
    }
    if (num.empty() || end != num.c_str() + num.size() || !found) {
      return Status::InvalidArgument("expected a duration such as \"250ms\", \"30s\", \"1h30m\" or \"7d\", found \"" +
                                     std::string(text) + "\"");
    }
    s.remove_prefix(j);
  }
  if (total > 9.2e18) return Status::InvalidArgument("duration \"" + std::string(text) + "\" is too long");
  return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

std::string format_size(uint64_t bytes) {
  static const std::pair<const char*, uint64_t> kUnits[] = {
      {"TiB", 1ULL << 40}, {"GiB", 1ULL << 30}, {"MiB", 1ULL << 20}, {"KiB", 1ULL << 10}};
  for (const auto& [name, mult] : kUnits) {
    if (bytes != 0 && bytes % mult == 0) return std::to_string(bytes / mult) + name;
  }
  return std::to_string(bytes) + "B";
}

std::string format_duration(std::chrono::nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  static const std::pair<const char*, int64_t> kUnits[] = {{"d", 86400000000000LL},
                                                           {"h", 3600000000000LL},
                                                           {"m", 60000000000LL},
                                                           {"s", 1000000000LL},
                                                           {"ms", 1000000LL},
                                                           {"us", 1000LL},
                                                           {"ns", 1}};
  std::string out;
  for (const auto& [name, mult] : kUnits) {
    if (ns >= mult) {
      out += std::to_string(ns / mult) + name;
      ns %= mult;
    }
  }
  return out;
}

}  // namespace sluice
