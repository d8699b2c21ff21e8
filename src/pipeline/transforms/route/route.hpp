// route: sends each record to every named output whose condition it
// matches, like Vector's `route` transform:
//
//   [transforms.split]
//   type = "route"
//   inputs = ["app"]
//   route.errors = 'severity_number >= 17'
//   route.slow = 'attributes."http.duration_ms" > 500'
//
//   [sinks.alerts]
//   inputs = ["split.errors"]
//
// Conditions use the filter language (condition/condition.hpp). A record
// that matches no route goes to the output `_unmatched` ("split._unmatched").
// Metric samples and spans (LogBatch::samples, ::spans) are not log
// records and match no condition: they go to `_unmatched`. Every output's batch carries the
// input batch's positions and acknowledgements (named_outputs.hpp).
//
// Records sent are counted per output in
// sluice_route_records_total{component, output}.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/metrics.hpp"
#include "config/options.hpp"
#include "pipeline/transforms/condition/condition.hpp"
#include "pipeline/transforms/route/named_outputs.hpp"

namespace sluice {

/// The name of the output for records that match no route (Vector's name).
inline constexpr const char* kUnmatchedOutput = "_unmatched";

/// [transforms.<name>] type = "route".
struct RouteOptions {
  /// (route name, condition), in route-name order.
  std::vector<std::pair<std::string, std::string>> routes;
};

const OptionTable<RouteOptions>& route_option_table();

/// The transform. Owned by the pipeline; split() is called by one thread at
/// a time; immutable after create() apart from the (thread-safe) counters.
class Route final : public MultiOutputTransform {
 public:
  /// InvalidArgument when there is no route, a route name is not
  /// [a-z0-9_-]{1,64} or starts with '_' (reserved, like `_unmatched`), or a
  /// condition does not parse (the message names the route and column).
  static Result<std::unique_ptr<Route>> create(const std::string& component, const RouteOptions& options);

  const std::vector<std::string>& outputs() const override { return outputs_; }
  void split(LogBatch& batch, std::vector<LogBatch>& out) override;

 private:
  Route() = default;
  std::vector<Condition> conditions_;  ///< one per route, in outputs_ order
  std::vector<std::string> outputs_;   ///< route names, then kUnmatchedOutput
  std::vector<Counter*> sent_;         ///< per output
};

/// Builds a route (Route::create).
Result<std::unique_ptr<Transform>> make_route(const std::string& component, const RouteOptions& options);

}  // namespace sluice
