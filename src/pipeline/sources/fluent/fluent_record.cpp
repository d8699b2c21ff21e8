#include "pipeline/sources/fluent/fluent_record.hpp"

#include <cstddef>
#include <unordered_set>

namespace sluice {

namespace {

// Index in `fields` of the first of `keys` present, or -1.
std::ptrdiff_t find_first(const KeyValues& fields, const std::vector<std::string>& keys) {
  for (const auto& k : keys) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].first == k) return static_cast<std::ptrdiff_t>(i);
    }
  }
  return -1;
}

}  // namespace

LogRecord fluent_log_record(std::string_view tag, ForwardEvent&& event, const FluentRecordMapping& mapping,
                            int64_t observed_ns) {
  LogRecord r;
  r.timestamp_ns = event.time_ns;
  r.observed_timestamp_ns = observed_ns;
  KeyValues& fields = event.record;
  std::ptrdiff_t body = find_first(fields, mapping.body_keys);
  std::ptrdiff_t severity = find_first(fields, mapping.severity_keys);
  if (body >= 0) r.body = std::move(fields[body].second);
  if (severity >= 0) {
    r.severity_text = std::move(fields[severity].second);
    r.severity_number = severity_number_from_text(r.severity_text);
  }
  r.attributes.reserve(fields.size() + event.metadata.size() + 1 - (body >= 0) - (severity >= 0));
  r.attributes.emplace_back("fluent.tag", std::string(tag));
  static constexpr std::string_view kMetadataPrefix = "fluent.metadata.";
  std::unordered_set<std::string> prefixed;  // record keys that could clash with metadata keys
  for (size_t i = 0; i < fields.size(); ++i) {
    if (static_cast<std::ptrdiff_t>(i) == body || static_cast<std::ptrdiff_t>(i) == severity) continue;
    if (fields[i].first == "fluent.tag") continue;  // the tag wins; keys stay unique
    if (!event.metadata.empty() && fields[i].first.starts_with(kMetadataPrefix)) prefixed.insert(fields[i].first);
    r.attributes.push_back(std::move(fields[i]));
  }
  for (auto& [k, v] : event.metadata) {
    std::string key = std::string(kMetadataPrefix) + k;
    if (!prefixed.contains(key)) r.attributes.emplace_back(std::move(key), std::move(v));
  }
  return r;
}

}  // namespace sluice
