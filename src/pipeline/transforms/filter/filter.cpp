#include "pipeline/transforms/filter/filter.hpp"

#include <algorithm>

#include "pipeline/transforms/condition/drop_counter.hpp"

namespace sluice {

const OptionTable<FilterOptions>& filter_option_table() {
  static const OptionTable<FilterOptions> table = [] {
    OptionTable<FilterOptions> t;
    t.add_string("condition", &FilterOptions::condition, "",
                 "Keep the records for which this condition is true, e.g. "
                 "'attributes.\"http.response.status_code\" >= 500 and not (body =~ \"healthz\")'. "
                 "Exactly one of condition and drop_condition.")
        .add_string("drop_condition", &FilterOptions::drop_condition, "",
                    "Drop the records for which this condition is true (keep the rest).");
    return t;
  }();
  return table;
}

Result<std::unique_ptr<Filter>> Filter::create(const std::string& component, const FilterOptions& options) {
  if (options.condition.empty() == options.drop_condition.empty()) {
    return Status::InvalidArgument("filter: set exactly one of condition and drop_condition");
  }
  const bool keep = !options.condition.empty();
  auto c = Condition::parse(keep ? options.condition : options.drop_condition);
  if (!c.ok()) return c.status().with_context(keep ? "filter: condition" : "filter: drop_condition");
  return std::make_unique<Filter>(std::move(c).value(), keep, &filtered_records_counter(component));
}

void Filter::process(LogBatch& batch) {
  const size_t before = batch.records.size();
  std::erase_if(batch.records, [&](const LogRecord& r) { return condition_.matches(r) != keep_; });
  dropped_->inc(before - batch.records.size());
}

Result<std::unique_ptr<Transform>> make_filter(const std::string& component, const FilterOptions& options) {
  auto f = Filter::create(component, options);
  if (!f.ok()) return f.status();
  return std::unique_ptr<Transform>(std::move(f).value());
}

}  // namespace sluice
