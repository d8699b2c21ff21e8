#include "pipeline/transforms/throttle/throttle.hpp"

#include "pipeline/transforms/condition/drop_counter.hpp"

namespace sluice {

const OptionTable<ThrottleOptions>& throttle_option_table() {
  static const OptionTable<ThrottleOptions> table = [] {
    OptionTable<ThrottleOptions> t;
    t.add_integer("threshold", &ThrottleOptions::threshold, 100, 1, int64_t{1} << 40,
                  "Records let through per window per bucket.")
        .add_duration("window", &ThrottleOptions::window, "1s", "1ms", "24h",
                      "Length of a bucket's window; it opens with the bucket's first record.")
        .add_string("key_field", &ThrottleOptions::key_field, "",
                    "Field path whose value names the bucket (e.g. \"attributes.client.address\"). Empty: one "
                    "bucket for all records.")
        .add_string("exclude", &ThrottleOptions::exclude, "",
                    "Condition for records that are never throttled, e.g. 'severity_number >= 17'.")
        .add_integer("max_keys", &ThrottleOptions::max_keys, 10000, 1, 100'000'000,
                     "Buckets kept at most; beyond, the one whose window opened first is forgotten.");
    return t;
  }();
  return table;
}

Throttle::Throttle(const ThrottleOptions& options, Counter* dropped, Clock clock)
    : threshold_(options.threshold),
      window_ns_(options.window.count()),
      max_keys_(static_cast<size_t>(options.max_keys)),
      dropped_(dropped),
      clock_(std::move(clock)) {}

Result<std::unique_ptr<Throttle>> Throttle::create(const std::string& component, const ThrottleOptions& options,
                                                   Clock clock) {
  if (options.threshold < 1 || options.window.count() <= 0 || options.max_keys < 1) {
    return Status::InvalidArgument("throttle: threshold, window and max_keys must be positive");
  }
  if (!clock) {
    clock = [] {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  }
  auto t = std::make_unique<Throttle>(options, &filtered_records_counter(component), std::move(clock));
  if (!options.key_field.empty()) {
    auto p = parse_field_path(options.key_field);
    if (!p.ok()) return p.status().with_context("throttle: key_field");
    t->key_ = std::move(p).value();
  }
  if (!options.exclude.empty()) {
    auto c = Condition::parse(options.exclude);
    if (!c.ok()) return c.status().with_context("throttle: exclude");
    t->exclude_ = std::move(c).value();
  }
  return t;
}

bool Throttle::admit(const LogRecord& rec, int64_t now) {
  if (exclude_ && exclude_->matches(rec)) return true;
  std::string_view key;
  if (key_) key = key_->get(rec, scratch_).value_or(std::string_view());
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      buckets_.erase(order_.front());
      order_.pop_front();
    }
    order_.emplace_back(key);
    it = buckets_.emplace(std::string(key), Bucket{now, 0, std::prev(order_.end())}).first;
  } else if (now - it->second.window_start >= window_ns_) {
    it->second.window_start = now;
    it->second.count = 0;
    order_.splice(order_.end(), order_, it->second.order);
  }
  if (it->second.count >= threshold_) return false;
  ++it->second.count;
  return true;
}

void Throttle::process(LogBatch& batch) {
  const int64_t now = clock_();
  // Forget buckets whose window has closed; they restart fresh anyway.
  while (!order_.empty()) {
    auto it = buckets_.find(order_.front());
    if (now - it->second.window_start < window_ns_) break;
    buckets_.erase(it);
    order_.pop_front();
  }
  size_t kept = 0;
  for (size_t i = 0; i < batch.records.size(); ++i) {
    if (!admit(batch.records[i], now)) continue;
    if (kept != i) batch.records[kept] = std::move(batch.records[i]);
    ++kept;
  }
  dropped_->inc(batch.records.size() - kept);
  batch.records.resize(kept);
}

Result<std::unique_ptr<Transform>> make_throttle(const std::string& component, const ThrottleOptions& options) {
  auto t = Throttle::create(component, options);
  if (!t.ok()) return t.status();
  return std::unique_ptr<Transform>(std::move(t).value());
}

}  // namespace sluice
