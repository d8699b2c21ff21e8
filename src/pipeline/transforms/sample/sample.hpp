// sample: keeps 1 in `rate` records, with Vector's `sample` semantics:
//   - without key_field (or for a record that lacks it) a counter decides:
//     the 1st, (rate+1)th, (2*rate+1)th ... record is kept;
//   - with key_field, the XXH3 hash of the field's value decides, so every
//     record with the same value is kept or every one is discarded (e.g.
//     key_field = "trace_id" keeps whole traces);
//   - records matching `exclude` are always kept and do not advance the
//     counter.
// Kept records may get attributes[rate_attribute] = rate, so that counts
// can be scaled back up. Discarded records are counted in
// sluice_component_filtered_records_total{component}. Batches keep their
// positions and acks even when empty.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/metrics.hpp"
#include "config/options.hpp"
#include "pipeline/component.hpp"
#include "pipeline/transforms/condition/condition.hpp"

namespace sluice {

/// [transforms.<name>] type = "sample".
struct SampleOptions {
  int64_t rate = 10;           ///< keep 1 in rate
  std::string key_field;       ///< field path whose value decides; "" = counter
  std::string exclude;         ///< condition: never sample these out; "" = none
  std::string rate_attribute;  ///< attribute set to the rate on kept records; "" = none
};

const OptionTable<SampleOptions>& sample_option_table();

/// The transform. Owned by the pipeline; process() by one thread at a time
/// (it advances the counter).
class Sample final : public Transform {
 public:
  /// InvalidArgument for a bad key_field path or exclude condition.
  static Result<std::unique_ptr<Sample>> create(const std::string& component, const SampleOptions& options);

  void process(LogBatch& batch) override;
  bool keeps_state() const override { return true; }
  /// Whether to keep `rec` (advances the counter); exposed for tests.
  bool keep(const LogRecord& rec);

  Sample(uint64_t rate, Counter* dropped) : rate_(rate), dropped_(dropped) {}

 private:
  // keep(); *excluded: it matched `exclude`.
  bool decide(const LogRecord& rec, bool* excluded);

  uint64_t rate_;
  Counter* dropped_;
  uint64_t count_ = 0;
  std::optional<FieldPath> key_;
  std::optional<Condition> exclude_;
  std::string rate_attribute_;
  std::string scratch_;
};

Result<std::unique_ptr<Transform>> make_sample(const std::string& component, const SampleOptions& options);

}  // namespace sluice
