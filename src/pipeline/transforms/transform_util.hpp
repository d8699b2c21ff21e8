// Small helpers shared by the parsing transforms.
//
// Thread-safety: pure functions on caller-owned records.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/log_record.hpp"
#include "model/timestamp.hpp"

namespace sluice {

/// The attribute a parsing transform sets, instead of dropping the record,
/// when it cannot parse it: "<transform>: <what went wrong>".
inline constexpr std::string_view kParseErrorAttribute = "parse.error";

/// Sets attributes["parse.error"] to `message` (replacing an earlier one).
inline void set_parse_error(LogRecord& rec, std::string message) {
  set_key_value(rec.attributes, kParseErrorAttribute, std::move(message));
}

/// The time a year-less timestamp ("Oct 11 22:14:15") is read against: the
/// record's observed time, or the wall clock when the source left it 0.
inline int64_t reference_time_ns(const LogRecord& rec) {
  if (rec.observed_timestamp_ns != 0) return rec.observed_timestamp_ns;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Sets every pair of `fields` in `kvs` with `prefix` before each key; a
/// later pair replaces an earlier one with the same key, in place (as
/// set_key_value does), new keys are appended in order. Linear expected time,
/// so a line of a million "k=v" pairs cannot turn it quadratic.
inline void merge_key_values(KeyValues& kvs, KeyValues&& fields, std::string_view prefix = {}) {
  if (kvs.size() + fields.size() <= 16) {
    for (auto& [k, v] : fields) {
      if (!prefix.empty()) k = AttributeKey(prefix + k);
      set_key_value(kvs, k, std::move(v));
    }
    return;
  }
  kvs.reserve(kvs.size() + fields.size());  // no reallocation below: the views stay valid
  std::unordered_map<std::string_view, size_t> index;
  index.reserve(kvs.size() + fields.size());
  for (size_t i = 0; i < kvs.size(); ++i) index.emplace(kvs[i].first, i);
  for (auto& [k, v] : fields) {
    if (!prefix.empty()) k = AttributeKey(prefix + k);
    auto it = index.find(k);
    if (it != index.end()) {
      kvs[it->second].second = std::move(v);
    } else {
      kvs.emplace_back(std::move(k), std::move(v));
      index.emplace(kvs.back().first, kvs.size() - 1);
    }
  }
}

/// Moves the well-known keys of structured text logs (logfmt, key=value)
/// from `fields` (parsed pairs, raw key names, in line order) into the
/// OpenTelemetry fields of `rec`; the same names the NDJSON ingest knows:
///   level, lvl, severity  -> severity_text (as written) and severity_number
///                            (severity_number_from_text, "warn" -> 13)
///   msg, message          -> body (only when `take_message`)
///   ts, time, timestamp   -> timestamp_ns, format "auto" (RFC 3339, or a
///                            unix number scaled by magnitude; timestamp.hpp)
/// Keys match exactly (lower case). Per group the first key in `fields`
/// order is taken (removed from `fields`); other keys of the group stay. A
/// timestamp that does not parse stays in `fields` and sets parse.error
/// "<transform>: field \"ts\": <reason>".
inline void take_well_known_fields(KeyValues& fields, LogRecord& rec, bool take_message, std::string_view transform) {
  constexpr size_t kNone = SIZE_MAX;
  size_t level = kNone, message = kNone, time = kNone;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string& k = fields[i].first;
    if (level == kNone && (k == "level" || k == "lvl" || k == "severity")) {
      level = i;
    } else if (take_message && message == kNone && (k == "msg" || k == "message")) {
      message = i;
    } else if (time == kNone && (k == "ts" || k == "time" || k == "timestamp")) {
      time = i;
    }
  }
  if (time != kNone) {
    Result<int64_t> ts = parse_timestamp(fields[time].second, "auto");
    if (ts.ok()) {
      rec.timestamp_ns = *ts;
    } else {
      set_parse_error(rec, std::string(transform) + ": field \"" + fields[time].first + "\": " + ts.status().message());
      time = kNone;
    }
  }
  if (level != kNone) {
    rec.severity_number = severity_number_from_text(fields[level].second);
    rec.severity_text = std::move(fields[level].second);
  }
  if (message != kNone) rec.body = std::move(fields[message].second);
  size_t taken[3] = {level, message, time};
  std::sort(std::begin(taken), std::end(taken));
  for (size_t i = 3; i-- > 0;) {
    if (taken[i] != kNone) fields.erase(fields.begin() + static_cast<std::ptrdiff_t>(taken[i]));
  }
}

}  // namespace sluice
