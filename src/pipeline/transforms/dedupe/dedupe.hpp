// dedupe: drops a record when its `fields` equal those of one of the last
// `cache_size` distinct records seen, like Vector's `dedupe` transform
// (fields.match, cache.num_events).
//
// Each record's fields are hashed (XXH3-128 over the values, with missing
// and empty told apart; a whole-map path such as `attributes` hashes its
// entries in key order, without `ignore_fields`). The last cache_size
// distinct hashes are kept in an LRU; a duplicate refreshes its entry, so a
// record repeated without pause is dropped however long it repeats.
// Dropped records are counted in sluice_component_filtered_records_total.
// Batches keep their positions and acks even when empty.
#pragma once

#include <xxhash.h>

#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/metrics.hpp"
#include "config/options.hpp"
#include "pipeline/component.hpp"
#include "pipeline/transforms/condition/field_path.hpp"

namespace sluice {

/// [transforms.<name>] type = "dedupe".
struct DedupeOptions {
  std::vector<std::string> fields = {"body", "attributes"};
  std::vector<std::string> ignore_fields;  ///< attribute/resource keys left out of whole-map fields
  int64_t cache_size = 5000;
};

const OptionTable<DedupeOptions>& dedupe_option_table();

/// The transform. Owned by the pipeline; process() by one thread at a time.
/// Invariant: lru_ and index_ hold the same hashes; lru_.size() <= cache_size.
class Dedupe final : public Transform {
 public:
  /// InvalidArgument for a bad path in fields or ignore_fields, or empty fields.
  static Result<std::unique_ptr<Dedupe>> create(const std::string& component, const DedupeOptions& options);

  void process(LogBatch& batch) override;
  bool keeps_state() const override { return true; }
  /// True when `rec` repeats a cached record (and records it otherwise).
  bool seen(const LogRecord& rec);

  Dedupe(size_t cache_size, Counter* dropped) : cache_size_(cache_size), dropped_(dropped) {}

 private:
  struct HashOf {
    size_t operator()(const XXH128_hash_t& h) const { return static_cast<size_t>(h.low64); }
  };
  struct EqualOf {
    bool operator()(const XXH128_hash_t& a, const XXH128_hash_t& b) const { return XXH128_isEqual(a, b) != 0; }
  };
  XXH128_hash_t hash(const LogRecord& rec);

  size_t cache_size_;
  Counter* dropped_;
  std::vector<FieldPath> fields_;
  std::vector<FieldPath> ignore_;
  std::list<XXH128_hash_t> lru_;  // most recent last
  std::unordered_map<XXH128_hash_t, std::list<XXH128_hash_t>::iterator, HashOf, EqualOf> index_;
  std::string buf_;  // serialized fields, reused
  std::string scratch_;
  std::vector<const KeyValues::value_type*> entries_;
};

Result<std::unique_ptr<Transform>> make_dedupe(const std::string& component, const DedupeOptions& options);

}  // namespace sluice
