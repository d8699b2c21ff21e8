// Attribute columns: frequent attribute keys of a log stream stored again as
// their own Parquet columns, so SQL over them reads one dictionary-encoded
// column instead of every row's attributes map.
//
// A log stream's catalog holds an append-only list P of promoted keys. Each
// compaction samples which keys its records carry (AttributeKeySampler, a few
// records per appended batch) and appends to P the keys present in at least
// half of the sampled records, up to store.attribute_columns keys. Every
// segment then stores, besides the whole `attributes` map (unchanged, the
// source of truth), a VARCHAR column "attributes.<key>" for each key of P as
// of its compaction (a prefix of P, recorded as the segment's count).
//
// The stream's view exposes P as columns named by the keys' dotted paths,
// nested by their dots as DuckDB STRUCTs, so that
//   SELECT http.response.status_code, count(*) FROM access GROUP BY 1
// reads only the status column. A column always equals
// attributes['<key>'] (NULL where the record lacks the key): segments
// compacted before the key was promoted, and hot records, compute it.
//
// A key is promoted only if the nested name is unambiguous: non-empty
// dot-separated parts of valid UTF-8 without control characters, a first part that is not
// a log column (timestamp, body, attributes, ...), and no promoted key that
// is equal to it, a prefix path of it, or has it as a prefix path (parts
// compared case-insensitively, as DuckDB compares identifiers).
//
// Thread-safety: free functions are pure; an AttributeKeySampler is guarded
// by its owner (Stream's apply mutex).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/log_record.hpp"

namespace sluice {

/// Counts attribute keys over a sample of a hot generation's records.
class AttributeKeySampler {
 public:
  /// Samples up to kPerBatch records spread over `records` (the first, the
  /// last and evenly between). At most kMaxKeys distinct keys are counted;
  /// later new keys are ignored.
  void sample(const std::vector<LogRecord>& records);
  /// Records sampled so far.
  uint64_t samples() const { return samples_; }
  /// Sampled records carrying each key.
  const std::unordered_map<std::string, uint64_t>& counts() const { return counts_; }

  static constexpr size_t kPerBatch = 4;
  static constexpr size_t kMaxKeys = 1024;

 private:
  uint64_t samples_ = 0;
  std::unordered_map<std::string, uint64_t> counts_;
};

/// "attributes.<key>": the Parquet column holding `key`'s values.
std::string attribute_column_name(std::string_view key);

/// True when `key` may join `promoted` (rules in the file comment).
bool attribute_column_admissible(const std::vector<std::string>& promoted, std::string_view key);

/// `promoted` followed by the sampled keys present in at least half of the
/// sampled records that are admissible, most frequent first (ties by key),
/// until `max_columns` keys. Returns `promoted` unchanged when nothing was
/// sampled.
std::vector<std::string> extend_attribute_columns(const std::vector<std::string>& promoted,
                                                  const AttributeKeySampler& sampler, size_t max_columns);

/// The select-list items exposing `promoted` as nested columns of the view,
/// e.g. `struct_pack("response" := struct_pack("status_code" :=
/// "attributes.http.response.status_code")) AS "http"`, comma-separated;
/// empty when `promoted` is empty. Refers to the "attributes.<key>" columns.
std::string attribute_struct_columns_sql(const std::vector<std::string>& promoted);

}  // namespace sluice
