#include "pipeline/sources/otlp/otlp_logs_encode.hpp"

#include <google/protobuf/arena.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "pipeline/sources/otlp/otlp_encode_common.hpp"
#include "pipeline/sources/otlp/otlp_logs_wire_encode.hpp"

namespace sluice {
namespace {

namespace pb = google::protobuf;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
namespace otlp_logs = opentelemetry::proto::logs::v1;

void fill_record(const LogRecord& r, otlp_logs::LogRecord* out) {
  if (r.timestamp_ns > 0) out->set_time_unix_nano(static_cast<uint64_t>(r.timestamp_ns));
  if (r.observed_timestamp_ns > 0) out->set_observed_time_unix_nano(static_cast<uint64_t>(r.observed_timestamp_ns));
  if (r.severity_number <= 24) {
    out->set_severity_number(static_cast<otlp_logs::SeverityNumber>(r.severity_number));
  }
  set_otlp_text(out->mutable_severity_text(), r.severity_text);
  set_otlp_text(out->mutable_body()->mutable_string_value(), r.body);
  add_otlp_attributes(out->mutable_attributes(), r.attributes);
  if (std::string id = otlp_id_bytes(r.trace_id, 16); !id.empty()) out->set_trace_id(std::move(id));
  if (std::string id = otlp_id_bytes(r.span_id, 8); !id.empty()) out->set_span_id(std::move(id));
  out->set_flags(r.trace_flags);
}

}  // namespace

std::string encode_otlp_logs_proto(std::span<const LogRecord> records, std::string_view sluice_positions) {
  std::string out;
  encode_otlp_logs_proto(records, sluice_positions, &out);
  return out;
}

void encode_otlp_logs_proto(std::span<const LogRecord> records, std::string_view sluice_positions, std::string* out) {
  if (encode_otlp_logs_wire(records, sluice_positions, out)) return;
  *out = encode_otlp_logs_proto_reference(records, sluice_positions);
}

std::string encode_otlp_logs_proto_reference(std::span<const LogRecord> records, std::string_view sluice_positions) {
  pb::Arena arena;
  auto* req = pb::Arena::CreateMessage<ExportLogsServiceRequest>(&arena);
  otlp_logs::ResourceLogs* rl = nullptr;
  otlp_logs::ScopeLogs* sl = nullptr;
  const LogRecord* prev = nullptr;
  for (const LogRecord& r : records) {
    if (prev == nullptr || r.resource != prev->resource || r.service_name != prev->service_name) {
      rl = req->add_resource_logs();
      fill_otlp_resource(r.resource, r.service_name, rl->mutable_resource());
      sl = nullptr;
    }
    if (sl == nullptr || r.scope_name != prev->scope_name || r.scope_version != prev->scope_version) {
      sl = rl->add_scope_logs();
      if (!r.scope_name.empty()) set_otlp_text(sl->mutable_scope()->mutable_name(), r.scope_name);
      if (!r.scope_version.empty()) set_otlp_text(sl->mutable_scope()->mutable_version(), r.scope_version);
    }
    fill_record(r, sl->add_log_records());
    prev = &r;
  }
  add_sluice_positions_field(req, sluice_positions);
  return req->SerializeAsString();
}

}  // namespace sluice
