#include "pipeline/sources/otlp/otlp_metrics_decode.hpp"

#include <google/protobuf/arena.h>

#include <optional>

#include "model/utf8.hpp"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "pipeline/sources/otlp/otlp_any_value.hpp"
#include "pipeline/sources/otlp/otlp_encode_common.hpp"
#include "pipeline/sources/otlp/otlp_metrics_names.hpp"
#include "pipeline/sources/otlp/otlp_metrics_points.hpp"
#include "pipeline/sources/otlp/otlp_metrics_traces_common.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

namespace pb = google::protobuf;
namespace pm = opentelemetry::proto::metrics::v1;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;

/// Field names as the request spelled them (for reasons).
struct Form {
  bool json;
  const char* resource_metrics;
  const char* scope_metrics;
  const char* data_points;
  const char* exponential_histogram;
  const char* aggregation_temporality;
};
constexpr Form kProtoForm{false,         "resource_metrics",      "scope_metrics",
                          "data_points", "exponential_histogram", "aggregation_temporality"};
constexpr Form kJsonForm{true,         "resourceMetrics",      "scopeMetrics",
                         "dataPoints", "exponentialHistogram", "aggregationTemporality"};

/// Rejection bookkeeping: the count and the first reason.
struct Rejections {
  uint64_t count = 0;
  std::string first;

  void add(uint64_t n, const std::string& where, const std::string& why) {
    if (n == 0) return;
    if (count == 0) first = where + ": " + why;
    count += n;
  }
};

/// The labels every point of a resource and scope gets (see the header).
KeyValues scope_labels(const KeyValues& resource, const pm::ScopeMetrics& sm) {
  KeyValues out;
  if (!sm.scope().name().empty()) out.emplace_back("otel_scope_name", sm.scope().name());
  if (!sm.scope().version().empty()) out.emplace_back("otel_scope_version", sm.scope().version());
  if (const std::string* service = find_key_value(resource, "service.name")) {
    const std::string* ns = find_key_value(resource, "service.namespace");
    out.emplace_back("job", ns != nullptr && !ns->empty() ? *ns + "/" + *service : *service);
  }
  if (const std::string* instance = find_key_value(resource, "service.instance.id")) {
    out.emplace_back("instance", *instance);
  }
  return out;
}

bool metadata_says_unknown(const pm::Metric& m) {
  for (const auto& kv : m.metadata()) {
    if (kv.key() == "prometheus.type") return any_value_text(kv.value()) == "unknown";
  }
  return false;
}

template <class Points>
uint64_t samples_of(const Points& points, uint64_t per_sample_values) {
  uint64_t n = 0;
  for (const auto& p : points) {
    n += otlp_point_sample_count(p) * (per_sample_values + static_cast<uint64_t>(p.attributes_size()) + 1);
  }
  return n;
}

/// Checks the request against `limits` before any sample is made: data
/// points, and samples plus the key/values they would hold.
Status check_limits(const ExportMetricsServiceRequest& req, const OtlpLimits& limits) {
  uint64_t points = 0;
  uint64_t values = 0;
  for (const auto& rm : req.resource_metrics()) {
    // Per sample: the resource copy, up to 6 extra labels and the sample.
    const uint64_t per_sample = static_cast<uint64_t>(rm.resource().attributes_size()) + 6;
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& m : sm.metrics()) {
        switch (m.data_case()) {
          case pm::Metric::kGauge:
            points += static_cast<uint64_t>(m.gauge().data_points_size());
            values += samples_of(m.gauge().data_points(), per_sample);
            break;
          case pm::Metric::kSum:
            points += static_cast<uint64_t>(m.sum().data_points_size());
            values += samples_of(m.sum().data_points(), per_sample);
            break;
          case pm::Metric::kHistogram:
            points += static_cast<uint64_t>(m.histogram().data_points_size());
            values += samples_of(m.histogram().data_points(), per_sample);
            break;
          case pm::Metric::kExponentialHistogram:
            points += static_cast<uint64_t>(m.exponential_histogram().data_points_size());
            values += samples_of(m.exponential_histogram().data_points(), per_sample);
            break;
          case pm::Metric::kSummary:
            points += static_cast<uint64_t>(m.summary().data_points_size());
            values += samples_of(m.summary().data_points(), per_sample);
            break;
          case pm::Metric::DATA_NOT_SET:
            break;
        }
      }
    }
  }
  if (points > limits.max_records) {
    return Status::ResourceExhausted("more than " + std::to_string(limits.max_records) +
                                     " data points in one request (max_records_per_request)");
  }
  if (values > limits.max_values) {
    return Status::ResourceExhausted("more than " + std::to_string(limits.max_values) +
                                     " samples, labels and resource values to store for one request "
                                     "(max_values_per_request)");
  }
  return Status::Ok();
}

/// Maps the points of one metric's data; `add` is one of the add_*_point
/// functions.
template <class Points, class Add>
void map_points(const Points& points, const OtlpPointContext& c, const std::string& where, const Form& form, Add add,
                OtlpMetrics* out, Rejections* rej) {
  for (int i = 0; i < points.size(); ++i) {
    std::string why;
    if (add(points[i], c, &out->samples, &why)) {
      ++out->data_points;
    } else {
      rej->add(1, where + "." + form.data_points + "[" + std::to_string(i) + "]", why);
    }
  }
}

/// The value of the metric's kSluiceMetricKindKey metadata, or nullopt.
std::optional<std::string> sluice_kind_marker(const pm::Metric& m) {
  for (const auto& kv : m.metadata()) {
    if (kv.key() == kSluiceMetricKindKey) return any_value_text(kv.value());
  }
  return std::nullopt;
}

/// Maps a metric a sluice agent marked with kind text `marker` verbatim
/// (see the header).
void map_verbatim_metric(const pm::Metric& m, const std::string& marker, const KeyValues& resource,
                         const std::string& where, const Form& form, OtlpMetrics* out, Rejections* rej) {
  uint64_t points = 0;
  switch (m.data_case()) {
    case pm::Metric::kGauge:
      points = static_cast<uint64_t>(m.gauge().data_points_size());
      break;
    case pm::Metric::kSum:
      points = static_cast<uint64_t>(m.sum().data_points_size());
      break;
    case pm::Metric::kHistogram:
      points = static_cast<uint64_t>(m.histogram().data_points_size());
      break;
    case pm::Metric::kExponentialHistogram:
      points = static_cast<uint64_t>(m.exponential_histogram().data_points_size());
      break;
    case pm::Metric::kSummary:
      points = static_cast<uint64_t>(m.summary().data_points_size());
      break;
    case pm::Metric::DATA_NOT_SET:
      return;  // no points, nothing to store or reject
  }
  std::optional<MetricKind> kind = metric_kind_from_name(marker);
  if (!kind) {
    std::string shown = marker.substr(0, 64);
    make_valid_utf8(shown);
    rej->add(points, where,
             std::string("metadata ") + kSluiceMetricKindKey + " \"" + shown +
                 "\" is not a metric kind (unknown, gauge, counter, histogram_bucket, ...)");
    return;
  }
  if (m.data_case() != pm::Metric::kGauge) {
    rej->add(points, where, std::string("metadata ") + kSluiceMetricKindKey + " is only valid on a gauge");
    return;
  }
  if (m.name().empty()) {
    rej->add(points, where, "name is empty");
    return;
  }
  OtlpPointContext c;
  c.name = m.name();
  c.number_kind = *kind;
  c.resource = &resource;
  c.json = form.json;
  map_points(m.gauge().data_points(), c, where + ".gauge", form, add_verbatim_point, out, rej);
}

/// Maps one metric (its name, type and temporality, then its points).
void map_metric(const pm::Metric& m, const KeyValues& resource, const KeyValues& labels, const std::string& where,
                const Form& form, bool sluice_agent, OtlpMetrics* out, Rejections* rej) {
  if (sluice_agent) {
    if (std::optional<std::string> marker = sluice_kind_marker(m)) {
      map_verbatim_metric(m, *marker, resource, where, form, out, rej);
      return;
    }
  }
  OtlpMetricType type = OtlpMetricType::kGauge;
  pm::AggregationTemporality temporality = pm::AGGREGATION_TEMPORALITY_CUMULATIVE;
  std::string data;  // the data field's name, for paths
  uint64_t points = 0;
  switch (m.data_case()) {
    case pm::Metric::kGauge:
      data = "gauge";
      points = static_cast<uint64_t>(m.gauge().data_points_size());
      break;
    case pm::Metric::kSum:
      type = m.sum().is_monotonic() ? OtlpMetricType::kMonotonicSum : OtlpMetricType::kNonMonotonicSum;
      temporality = m.sum().aggregation_temporality();
      data = "sum";
      points = static_cast<uint64_t>(m.sum().data_points_size());
      break;
    case pm::Metric::kHistogram:
      type = OtlpMetricType::kHistogram;
      temporality = m.histogram().aggregation_temporality();
      data = "histogram";
      points = static_cast<uint64_t>(m.histogram().data_points_size());
      break;
    case pm::Metric::kExponentialHistogram:
      type = OtlpMetricType::kExponentialHistogram;
      temporality = m.exponential_histogram().aggregation_temporality();
      data = form.exponential_histogram;
      points = static_cast<uint64_t>(m.exponential_histogram().data_points_size());
      break;
    case pm::Metric::kSummary:
      type = OtlpMetricType::kSummary;
      data = "summary";
      points = static_cast<uint64_t>(m.summary().data_points_size());
      break;
    case pm::Metric::DATA_NOT_SET:
      return;  // no points, nothing to store or reject
  }
  const std::string at = where + "." + data;
  OtlpPointContext c;
  c.name = prometheus_metric_name(m.name(), m.unit(), type);
  if (c.name.empty()) {
    std::string shown = m.name().substr(0, 64);
    make_valid_utf8(shown);
    rej->add(points, where, "name \"" + shown + "\" has no letter, digit or ':'");
    return;
  }
  if (temporality != pm::AGGREGATION_TEMPORALITY_DELTA && temporality != pm::AGGREGATION_TEMPORALITY_CUMULATIVE) {
    rej->add(points, at,
             std::string(form.aggregation_temporality) + " " + std::to_string(static_cast<int>(temporality)) +
                 " is not 1 (delta) or 2 (cumulative)");
    return;
  }
  KeyValues extra = labels;
  if (temporality == pm::AGGREGATION_TEMPORALITY_DELTA) extra.emplace_back("otel_temporality", "delta");
  c.number_kind = type == OtlpMetricType::kMonotonicSum                        ? MetricKind::kCounter
                  : type == OtlpMetricType::kGauge && metadata_says_unknown(m) ? MetricKind::kUnknown
                                                                               : MetricKind::kGauge;
  c.resource = &resource;
  c.extra_labels = &extra;
  c.json = form.json;
  switch (m.data_case()) {
    case pm::Metric::kGauge:
      map_points(m.gauge().data_points(), c, at, form, add_number_point, out, rej);
      break;
    case pm::Metric::kSum:
      map_points(m.sum().data_points(), c, at, form, add_number_point, out, rej);
      break;
    case pm::Metric::kHistogram:
      map_points(m.histogram().data_points(), c, at, form, add_histogram_point, out, rej);
      break;
    case pm::Metric::kExponentialHistogram:
      map_points(m.exponential_histogram().data_points(), c, at, form, add_exponential_histogram_point, out, rej);
      break;
    case pm::Metric::kSummary:
      map_points(m.summary().data_points(), c, at, form, add_summary_point, out, rej);
      break;
    case pm::Metric::DATA_NOT_SET:
      break;
  }
}

Result<OtlpMetrics> map_request(const ExportMetricsServiceRequest& req, const Form& form, const OtlpLimits& limits,
                                bool sluice_agent) {
  SLUICE_RETURN_IF_ERROR(check_limits(req, limits));
  OtlpMetrics out;
  Rejections rej;
  for (int ri = 0; ri < req.resource_metrics_size(); ++ri) {
    const auto& rm = req.resource_metrics(ri);
    KeyValues resource;
    append_otlp_attributes(rm.resource().attributes(), resource);
    for (int si = 0; si < rm.scope_metrics_size(); ++si) {
      const auto& sm = rm.scope_metrics(si);
      const KeyValues labels = scope_labels(resource, sm);
      for (int mi = 0; mi < sm.metrics_size(); ++mi) {
        std::string where = std::string(form.resource_metrics) + "[" + std::to_string(ri) + "]." + form.scope_metrics +
                            "[" + std::to_string(si) + "].metrics[" + std::to_string(mi) + "]";
        map_metric(sm.metrics(mi), resource, labels, where, form, sluice_agent, &out, &rej);
      }
    }
  }
  if (rej.count > 0) {
    out.rejected = rej.count;
    out.rejected_reason = std::to_string(rej.count) + " of " + std::to_string(rej.count + out.data_points) +
                          " data points rejected; first: " + rej.first;
  }
  return out;
}

Result<OtlpMetrics> decode_binary(std::string_view bytes, const Form& form, const OtlpLimits& limits,
                                  bool sluice_agent) {
  OtlpParseLimits pl;
  pl.max_messages = limits.max_values;
  pb::Arena arena;
  auto* req = pb::Arena::CreateMessage<ExportMetricsServiceRequest>(&arena);
  SLUICE_RETURN_IF_ERROR(parse_otlp_proto(bytes, pl, req));
  SLUICE_ASSIGN_OR_RETURN(OtlpMetrics out, map_request(*req, form, limits, sluice_agent));
  if (!form.json) out.sluice_positions = sluice_positions_field(*req);
  return out;
}

}  // namespace

Result<OtlpMetrics> decode_otlp_metrics_proto(std::string_view bytes, const OtlpLimits& limits, bool sluice_agent) {
  return decode_binary(bytes, kProtoForm, limits, sluice_agent);
}

Result<OtlpMetrics> decode_otlp_metrics_json(std::string_view text, const OtlpLimits& limits, bool sluice_agent) {
  SLUICE_ASSIGN_OR_RETURN(std::string binary, otlp_json_to_binary(text, ExportMetricsServiceRequest::descriptor()));
  auto r = decode_binary(binary, kJsonForm, limits, sluice_agent);
  if (!r.ok()) return otlp_json_error(r.status());
  return r;
}

}  // namespace sluice
