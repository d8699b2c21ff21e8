// filter: keeps the records for which a condition holds (or drops those for
// which a drop condition holds), like Vector's `filter` transform and Fluent
// Bit's `grep` filter. Conditions: condition/condition.hpp.
//
// Dropped records are counted in
// sluice_component_filtered_records_total{component}. A batch keeps its
// positions and acknowledgements even when every record is dropped, so the
// source's progress is still committed.
#pragma once

#include <memory>
#include <string>

#include "common/metrics.hpp"
#include "config/options.hpp"
#include "pipeline/component.hpp"
#include "pipeline/transforms/condition/condition.hpp"

namespace sluice {

/// [transforms.<name>] type = "filter". Exactly one of the two is set.
struct FilterOptions {
  std::string condition;       ///< keep the records where this is true
  std::string drop_condition;  ///< drop the records where this is true
};

const OptionTable<FilterOptions>& filter_option_table();

/// The transform. Owned by the pipeline; process() is called by one thread
/// at a time. Immutable apart from the (thread-safe) counter.
class Filter final : public Transform {
 public:
  /// InvalidArgument when neither or both options are set, or the
  /// condition does not parse (the message names the option and column).
  static Result<std::unique_ptr<Filter>> create(const std::string& component, const FilterOptions& options);

  /// Use create(); `dropped` must outlive the filter.
  Filter(Condition c, bool keep, Counter* dropped) : condition_(std::move(c)), keep_(keep), dropped_(dropped) {}

  void process(LogBatch& batch) override;

 private:
  Condition condition_;
  bool keep_;  // true: keep matches; false: drop matches
  Counter* dropped_;
};

/// Builds a filter (Filter::create).
Result<std::unique_ptr<Transform>> make_filter(const std::string& component, const FilterOptions& options);

}  // namespace sluice
