#include "pipeline/transforms/route/route.hpp"

#include <algorithm>

namespace sluice {
namespace {

/// The `route` option: a table of route name -> condition string. The
/// schema lists it as a string_list (config/options.hpp has no map kind),
/// with a description naming the table form.
class RouteOptionTable : public OptionTable<RouteOptions> {
 public:
  RouteOptionTable& add_routes(std::string name, std::string desc) {
    OptionSpec s{std::move(name), OptionType::kStringList, "", std::move(desc), true, {}, {}, {}};
    add(
        std::move(s),
        [](const toml::node& n, void* t, const std::string& where) -> Status {
          const toml::table* table = n.as_table();
          if (table == nullptr) {
            return Status::InvalidArgument(where +
                                           ": expected a table of route name = \"condition\" (route.errors = "
                                           "'severity_number >= 17')");
          }
          auto& routes = static_cast<RouteOptions*>(t)->routes;
          routes.clear();
          for (const auto& [k, v] : *table) {
            const auto* cond = v.as_string();
            if (cond == nullptr) {
              return Status::InvalidArgument(where + "." + std::string(k.str()) +
                                             ": expected a condition string, e.g. 'severity_number >= 17'");
            }
            routes.emplace_back(std::string(k.str()), cond->get());
          }
          return Status::Ok();
        },
        [](void* t) { static_cast<RouteOptions*>(t)->routes.clear(); });
    return *this;
  }
};

bool valid_route_name(const std::string& n) {
  if (n.empty() || n.size() > 64 || n[0] == '_') return false;
  return std::all_of(n.begin(), n.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

}  // namespace

const OptionTable<RouteOptions>& route_option_table() {
  static const RouteOptionTable table = [] {
    RouteOptionTable t;
    t.add_routes("route",
                 "Route name -> condition (the filter condition language): route.errors = 'severity_number >= 17'. "
                 "A record goes to every route whose condition holds, or else to `_unmatched`; consumers name an "
                 "output as \"<component>.<route>\". Names match [a-z0-9_-]{1,64} and do not start with '_'.");
    return t;
  }();
  return table;
}

Result<std::unique_ptr<Route>> Route::create(const std::string& component, const RouteOptions& options) {
  if (options.routes.empty()) {
    return Status::InvalidArgument(
        "route: route needs at least one route, e.g. route.errors = 'severity_number >= 17'");
  }
  std::unique_ptr<Route> r(new Route());  // NOLINT: private constructor
  auto& m = MetricsRegistry::global();
  for (const auto& [name, text] : options.routes) {
    if (!valid_route_name(name)) {
      return Status::InvalidArgument("route: route." + name +
                                     ": a route name must match [a-z0-9_-]{1,64} and not start with '_' (reserved for "
                                     "outputs such as _unmatched)");
    }
    auto c = Condition::parse(text);
    if (!c.ok()) return c.status().with_context("route: route." + name);
    r->conditions_.push_back(std::move(c).value());
    r->outputs_.push_back(name);
  }
  r->outputs_.push_back(kUnmatchedOutput);
  for (const auto& out : r->outputs_) {
    r->sent_.push_back(&m.counter("sluice_route_records_total", "Records a route transform sent to each output.",
                                  {{"component", component}, {"output", out}}));
  }
  return r;
}

void Route::split(LogBatch& batch, std::vector<LogBatch>& out) {
  const size_t routes = conditions_.size();
  out.assign(outputs_.size(), LogBatch{});
  LogBatch& unmatched = out[routes];
  std::vector<size_t> hits;
  for (LogRecord& rec : batch.records) {
    hits.clear();
    for (size_t i = 0; i < routes; ++i) {
      if (conditions_[i].matches(rec)) hits.push_back(i);
    }
    if (hits.empty()) {
      unmatched.records.push_back(std::move(rec));
      continue;
    }
    for (size_t h = 0; h + 1 < hits.size(); ++h) out[hits[h]].records.push_back(rec);
    out[hits.back()].records.push_back(std::move(rec));
  }
  unmatched.samples = std::move(batch.samples);
  unmatched.spans = std::move(batch.spans);
  for (size_t i = 0; i < out.size(); ++i) {
    sent_[i]->inc(out[i].size());
    out[i].stream = batch.stream;
    out[i].acks = batch.acks;
    if (i + 1 < out.size()) {
      out[i].positions = batch.positions;
    } else {
      out[i].positions = std::move(batch.positions);
    }
  }
  batch.records.clear();
  batch.samples.clear();
  batch.spans.clear();
  batch.positions.clear();
}

Result<std::unique_ptr<Transform>> make_route(const std::string& component, const RouteOptions& options) {
  auto r = Route::create(component, options);
  if (!r.ok()) return r.status();
  return std::unique_ptr<Transform>(std::move(r).value());
}

}  // namespace sluice
