#include "pipeline/transforms/sample/sample.hpp"

#include <xxhash.h>

#include "pipeline/transforms/condition/drop_counter.hpp"

namespace sluice {

const OptionTable<SampleOptions>& sample_option_table() {
  static const OptionTable<SampleOptions> table = [] {
    OptionTable<SampleOptions> t;
    t.add_integer("rate", &SampleOptions::rate, 10, 1, 1'000'000'000,
                  "Keep 1 in this many records (1 keeps everything).")
        .add_string("key_field", &SampleOptions::key_field, "",
                    "Field path whose value's hash decides, so all records with the same value are kept or all "
                    "discarded (e.g. \"trace_id\"). Empty, or a record without it: every rate-th record is kept.")
        .add_string("exclude", &SampleOptions::exclude, "",
                    "Condition for records that are always kept, e.g. 'severity_number >= 17'.")
        .add_string("rate_attribute", &SampleOptions::rate_attribute, "",
                    "Attribute set to the rate on every sampled record (e.g. \"sample.rate\"). Empty: none.");
    return t;
  }();
  return table;
}

Result<std::unique_ptr<Sample>> Sample::create(const std::string& component, const SampleOptions& options) {
  if (options.rate < 1) return Status::InvalidArgument("sample: rate must be at least 1");
  auto s = std::make_unique<Sample>(static_cast<uint64_t>(options.rate), &filtered_records_counter(component));
  if (!options.key_field.empty()) {
    auto p = parse_field_path(options.key_field);
    if (!p.ok()) return p.status().with_context("sample: key_field");
    s->key_ = std::move(p).value();
  }
  if (!options.exclude.empty()) {
    auto c = Condition::parse(options.exclude);
    if (!c.ok()) return c.status().with_context("sample: exclude");
    s->exclude_ = std::move(c).value();
  }
  s->rate_attribute_ = options.rate_attribute;
  return s;
}

bool Sample::keep(const LogRecord& rec) {
  bool excluded = false;
  return decide(rec, &excluded);
}

bool Sample::decide(const LogRecord& rec, bool* excluded) {
  *excluded = exclude_ && exclude_->matches(rec);
  if (*excluded) return true;
  uint64_t n = count_;
  count_ = (count_ + 1) % rate_;
  if (key_) {
    std::optional<std::string_view> v = key_->get(rec, scratch_);
    if (v) n = XXH3_64bits(v->data(), v->size());
  }
  return n % rate_ == 0;
}

void Sample::process(LogBatch& batch) {
  const std::string rate = std::to_string(rate_);
  size_t kept = 0;
  for (size_t i = 0; i < batch.records.size(); ++i) {
    LogRecord& r = batch.records[i];
    bool excluded = false;
    if (!decide(r, &excluded)) continue;
    if (!excluded && !rate_attribute_.empty()) set_key_value(r.attributes, rate_attribute_, rate);
    if (kept != i) batch.records[kept] = std::move(r);
    ++kept;
  }
  dropped_->inc(batch.records.size() - kept);
  batch.records.resize(kept);
}

Result<std::unique_ptr<Transform>> make_sample(const std::string& component, const SampleOptions& options) {
  auto t = Sample::create(component, options);
  if (!t.ok()) return t.status();
  return std::unique_ptr<Transform>(std::move(t).value());
}

}  // namespace sluice
