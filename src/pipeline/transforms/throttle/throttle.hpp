// throttle: lets at most `threshold` records through per `window` for each
// value of `key_field` (one bucket for all records when unset), like
// Vector's `throttle` transform; the rest are dropped and counted in
// sluice_component_filtered_records_total{component}.
//
// Windows are fixed and per bucket: a bucket's window opens with the first
// record it sees and lasts `window` (processing time, steady clock); the
// next record after it closes opens a new one. So within any one window at
// most `threshold` records pass. Records matching `exclude` always pass and
// are not counted against the bucket. A record without key_field shares the
// bucket of the empty value.
//
// At most `max_keys` buckets are kept; beyond, the one whose window opened
// first is forgotten (its key may then pass up to `threshold` more records
// in what would have been the same window).
#pragma once

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/metrics.hpp"
#include "config/options.hpp"
#include "pipeline/component.hpp"
#include "pipeline/transforms/condition/condition.hpp"

namespace sluice {

/// [transforms.<name>] type = "throttle".
struct ThrottleOptions {
  int64_t threshold = 100;  ///< records per window per bucket
  std::chrono::nanoseconds window = std::chrono::seconds(1);
  std::string key_field;     ///< field path naming the bucket; "" = one bucket
  std::string exclude;       ///< condition: never throttled; "" = none
  int64_t max_keys = 10000;  ///< buckets kept at most
};

const OptionTable<ThrottleOptions>& throttle_option_table();

/// The transform. Owned by the pipeline; process() by one thread at a time.
/// Invariant: order_ lists exactly the keys of buckets_, by window start.
class Throttle final : public Transform {
 public:
  /// Monotonic time in nanoseconds; tests inject a fake.
  using Clock = std::function<int64_t()>;

  /// InvalidArgument for a bad key_field path or exclude condition.
  /// `clock` defaults to std::chrono::steady_clock.
  static Result<std::unique_ptr<Throttle>> create(const std::string& component, const ThrottleOptions& options,
                                                  Clock clock = nullptr);

  void process(LogBatch& batch) override;
  bool keeps_state() const override { return true; }
  /// Buckets currently tracked (for tests).
  size_t bucket_count() const { return buckets_.size(); }

  Throttle(const ThrottleOptions& options, Counter* dropped, Clock clock);

 private:
  struct Bucket {
    int64_t window_start = 0;
    int64_t count = 0;
    std::list<std::string>::iterator order;
  };
  bool admit(const LogRecord& rec, int64_t now);

  int64_t threshold_;
  int64_t window_ns_;
  size_t max_keys_;
  Counter* dropped_;
  Clock clock_;
  std::optional<FieldPath> key_;
  std::optional<Condition> exclude_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> order_;  // keys, oldest window start first
  std::string scratch_;
};

Result<std::unique_ptr<Transform>> make_throttle(const std::string& component, const ThrottleOptions& options);

}  // namespace sluice
