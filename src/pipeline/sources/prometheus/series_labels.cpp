#include "pipeline/sources/prometheus/series_labels.hpp"

#include <algorithm>

#include "model/utf8.hpp"

namespace sluice {
namespace {

constexpr std::string_view kNameLabel = "__name__";

bool alpha_or_underscore(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

/// The label `name` quoted for a message (repaired, escaped, shortened).
std::string quoted(std::string_view name) {
  std::string s;
  append_valid_utf8(s, name.substr(0, 128));
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  if (name.size() > 128) out += "...";
  return out + "\"";
}

}  // namespace

bool legacy_label_name(std::string_view name) {
  if (name.empty() || !alpha_or_underscore(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(), [](char c) { return alpha_or_underscore(c) || digit(c); });
}

bool legacy_metric_name(std::string_view name) {
  auto ok = [](char c) { return alpha_or_underscore(c) || c == ':'; };
  if (name.empty() || !ok(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(), [&](char c) { return ok(c) || digit(c); });
}

Status normalize_series_labels(KeyValues& labels, NameValidation validation, std::string* metric_name) {
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& name = labels[i].first;
    if (name.empty()) return Status::InvalidArgument("label " + std::to_string(i) + " has an empty name");
    if (!is_valid_utf8(name)) {
      return Status::InvalidArgument("label " + std::to_string(i) + " name " + quoted(name) + " is not valid UTF-8");
    }
    if (validation == NameValidation::kLegacy && !legacy_label_name(name)) {
      return Status::InvalidArgument("label name " + quoted(name) +
                                     " does not match [a-zA-Z_][a-zA-Z0-9_]* (name_validation = \"legacy\")");
    }
    make_valid_utf8(labels[i].second);
  }
  auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(labels.begin(), labels.end(), by_name)) {
    std::stable_sort(labels.begin(), labels.end(), by_name);
  }
  auto dup =
      std::adjacent_find(labels.begin(), labels.end(), [](const auto& a, const auto& b) { return a.first == b.first; });
  if (dup != labels.end()) return Status::InvalidArgument("label " + quoted(dup->first) + " appears twice");
  labels.erase(std::remove_if(labels.begin(), labels.end(), [](const auto& kv) { return kv.second.empty(); }),
               labels.end());
  auto it = std::find_if(labels.begin(), labels.end(), [](const auto& kv) { return kv.first == kNameLabel; });
  if (it == labels.end()) {
    return Status::InvalidArgument("no __name__ label (the metric name), or an empty one");
  }
  if (validation == NameValidation::kLegacy && !legacy_metric_name(it->second)) {
    return Status::InvalidArgument("metric name " + quoted(it->second) +
                                   " does not match [a-zA-Z_:][a-zA-Z0-9_:]* (name_validation = \"legacy\")");
  }
  *metric_name = std::move(it->second);
  labels.erase(it);
  return Status::Ok();
}

std::string format_label_set(const KeyValues& labels, size_t max_bytes) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (out.size() > max_bytes) {
      out += ", ...";
      break;
    }
    if (i > 0) out += ", ";
    append_valid_utf8(out, labels[i].first.substr(0, 128));
    out += '=';
    out += quoted(labels[i].second);
  }
  return out + "}";
}

}  // namespace sluice
