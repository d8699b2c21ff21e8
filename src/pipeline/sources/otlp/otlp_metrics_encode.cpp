#include "pipeline/sources/otlp/otlp_metrics_encode.hpp"

#include <google/protobuf/arena.h>

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "pipeline/sources/otlp/otlp_encode_common.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {

namespace pb = google::protobuf;
namespace pm = opentelemetry::proto::metrics::v1;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;

std::string encode_otlp_metrics_proto(std::span<const MetricSample> samples, std::string_view sluice_positions) {
  pb::Arena arena;
  auto* req = pb::Arena::CreateMessage<ExportMetricsServiceRequest>(&arena);
  pm::ScopeMetrics* sm = nullptr;
  pm::Gauge* gauge = nullptr;
  const MetricSample* prev = nullptr;
  for (const MetricSample& s : samples) {
    if (prev == nullptr || s.resource != prev->resource) {
      pm::ResourceMetrics* rm = req->add_resource_metrics();
      add_otlp_attributes(rm->mutable_resource()->mutable_attributes(), s.resource);
      sm = rm->add_scope_metrics();
      gauge = nullptr;
    }
    if (gauge == nullptr || s.name != prev->name || s.kind != prev->kind) {
      pm::Metric* m = sm->add_metrics();
      set_otlp_text(m->mutable_name(), s.name);
      add_otlp_attribute(m->mutable_metadata(), kSluiceMetricKindKey, std::string(metric_kind_name(s.kind)));
      gauge = m->mutable_gauge();
    }
    pm::NumberDataPoint* p = gauge->add_data_points();
    if (s.timestamp_ns > 0) p->set_time_unix_nano(static_cast<uint64_t>(s.timestamp_ns));
    p->set_as_double(s.value);
    add_otlp_attributes(p->mutable_attributes(), s.labels);
    prev = &s;
  }
  add_sluice_positions_field(req, sluice_positions);
  return req->SerializeAsString();
}

}  // namespace sluice
