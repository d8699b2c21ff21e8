#include "pipeline/sources/otlp/otlp_logs_decode.hpp"

#include <google/protobuf/arena.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <climits>
#include <memory>
#include <unordered_map>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "pipeline/sources/otlp/otlp_any_value.hpp"
#include "pipeline/sources/otlp/otlp_json_ids.hpp"
#include "pipeline/sources/otlp/otlp_logs_map.hpp"
#include "pipeline/sources/otlp/otlp_logs_wire_decode.hpp"
#include "pipeline/sources/otlp/otlp_wire_scan.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

namespace pb = google::protobuf;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::common::v1::KeyValue;
namespace otlp_logs = opentelemetry::proto::logs::v1;

using otlp_logs_map::Form;

/// Appends `kvs` to `out` as text values (otlp_logs_map::append_attributes).
void append_attributes(const pb::RepeatedPtrField<KeyValue>& kvs, KeyValues& out) {
  otlp_logs_map::append_attributes(
      static_cast<size_t>(kvs.size()), out,
      [&](size_t i) -> std::string_view { return kvs[static_cast<int>(i)].key(); },
      [&](size_t i) { return any_value_text(kvs[static_cast<int>(i)].value()); });
}

/// Maps one record; false with `*why` when it must be rejected.
bool map_record(const otlp_logs::LogRecord& in, const Form& form, int64_t received_ns, LogRecord* r, std::string* why) {
  otlp_logs_map::RecordFields f;
  f.time_unix_nano = in.time_unix_nano();
  f.observed_time_unix_nano = in.observed_time_unix_nano();
  f.severity_number = static_cast<int32_t>(in.severity_number());
  f.severity_text = in.severity_text();
  f.trace_id = in.trace_id();
  f.span_id = in.span_id();
  f.flags = in.flags();
  if (!otlp_logs_map::map_record_fields(f, form, received_ns, r, why)) return false;
  if (in.has_body()) r->body = any_value_text(in.body());
  append_attributes(in.attributes(), r->attributes);
  otlp_logs_map::add_event_name(in.event_name(), r);
  return true;
}

Result<OtlpLogs> map_request(const ExportLogsServiceRequest& req, int64_t received_ns, const Form& form,
                             const OtlpLimits& limits) {
  OtlpLogs out;
  uint64_t total = 0;
  for (const auto& rl : req.resource_logs()) {
    for (const auto& sl : rl.scope_logs()) total += static_cast<uint64_t>(sl.log_records_size());
  }
  out.records.reserve(total);
  std::string first_reason;
  uint64_t stored_values = 0;
  for (int ri = 0; ri < req.resource_logs_size(); ++ri) {
    const auto& rl = req.resource_logs(ri);
    KeyValues resource;
    append_attributes(rl.resource().attributes(), resource);
    const std::string* service = find_key_value(resource, "service.name");
    for (int si = 0; si < rl.scope_logs_size(); ++si) {
      const auto& sl = rl.scope_logs(si);
      for (int li = 0; li < sl.log_records_size(); ++li) {
        const auto& in = sl.log_records(li);
        stored_values += resource.size() + static_cast<uint64_t>(in.attributes_size());
        if (stored_values > limits.max_values) {
          return Status::ResourceExhausted("more than " + std::to_string(limits.max_values) +
                                           " attribute and resource values to store for one request "
                                           "(max_values_per_request)");
        }
        LogRecord r;
        std::string why;
        if (!map_record(in, form, received_ns, &r, &why)) {
          if (out.rejected++ == 0) {
            first_reason = std::string(form.resource_logs) + "[" + std::to_string(ri) + "]." + form.scope_logs + "[" +
                           std::to_string(si) + "]." + form.log_records + "[" + std::to_string(li) + "]: " + why;
          }
          continue;
        }
        r.resource = resource;
        if (service != nullptr) r.service_name = *service;
        r.scope_name = sl.scope().name();
        r.scope_version = sl.scope().version();
        out.records.push_back(std::move(r));
      }
    }
  }
  if (out.rejected > 0) {
    out.rejected_reason =
        std::to_string(out.rejected) + " of " + std::to_string(total) + " log records rejected; first: " + first_reason;
  }
  return out;
}

Result<OtlpLogs> decode_binary(std::string_view bytes, int64_t received_ns, const Form& form,
                               const OtlpLimits& limits) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Status::ResourceExhausted("request of " + std::to_string(bytes.size()) +
                                     " bytes is larger than protobuf's 2 GiB limit");
  }
  WireScanLimits wl;
  wl.max_counted = limits.max_records;
  wl.max_messages = limits.max_values;
  WireScanCounts counts;
  Status st = scan_protobuf_wire(bytes, ExportLogsServiceRequest::descriptor(), otlp_logs::LogRecord::descriptor(), wl,
                                 &counts);
  if (st.code() == StatusCode::kResourceExhausted) {
    if (counts.counted > limits.max_records) {
      return Status::ResourceExhausted("more than " + std::to_string(limits.max_records) +
                                       " log records in one request (max_records_per_request)");
    }
    return Status::ResourceExhausted("more than " + std::to_string(limits.max_values) +
                                     " attributes, values and other messages in one request (max_values_per_request)");
  }
  SLUICE_RETURN_IF_ERROR(st);
  pb::Arena arena;
  auto* req = pb::Arena::CreateMessage<ExportLogsServiceRequest>(&arena);
  if (!req->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("invalid protobuf: not an ExportLogsServiceRequest");
  }
  SLUICE_ASSIGN_OR_RETURN(OtlpLogs out, map_request(*req, received_ns, form, limits));
  if (!form.json) {
    const pb::UnknownFieldSet& unknown = req->GetReflection()->GetUnknownFields(*req);
    for (int i = 0; i < unknown.field_count(); ++i) {
      const pb::UnknownField& f = unknown.field(i);
      if (f.number() == kSluicePositionsField && f.type() == pb::UnknownField::TYPE_LENGTH_DELIMITED) {
        out.sluice_positions = f.length_delimited();
      }
    }
  }
  return out;
}

}  // namespace

Result<OtlpLogs> decode_otlp_logs_proto(std::string_view bytes, int64_t received_ns, const OtlpLimits& limits) {
  if (auto fast = decode_otlp_logs_wire(bytes, received_ns, limits)) return std::move(*fast);
  return decode_binary(bytes, received_ns, otlp_logs_map::kProtoForm, limits);
}

Result<OtlpLogs> decode_otlp_logs_proto_reference(std::string_view bytes, int64_t received_ns,
                                                  const OtlpLimits& limits) {
  return decode_binary(bytes, received_ns, otlp_logs_map::kProtoForm, limits);
}

Result<OtlpLogs> decode_otlp_logs_json(std::string_view text, int64_t received_ns, const OtlpLimits& limits) {
  static const std::unique_ptr<pb::util::TypeResolver> kResolver(pb::util::NewTypeResolverForDescriptorPool(
      "type.googleapis.com", ExportLogsServiceRequest::descriptor()->file()->pool()));
  static const std::string kTypeUrl = "type.googleapis.com/" + ExportLogsServiceRequest::descriptor()->full_name();
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const std::string rewritten = rewrite_otlp_json_ids(text);
  std::string binary;
  auto st = pb::util::JsonToBinaryString(kResolver.get(), kTypeUrl, rewritten, &binary, options);
  if (!st.ok()) return Status::InvalidArgument("invalid OTLP/JSON: " + std::string(st.message()));
  auto r = decode_binary(binary, received_ns, otlp_logs_map::kJsonForm, limits);
  if (!r.ok() && r.status().code() == StatusCode::kInvalidArgument) {
    // E.g. invalid UTF-8 that the JSON parser passed on. The byte offset is
    // into the converted protobuf, meaningless to the client; keep the
    // field path and the reason.
    std::string m = r.status().message();
    size_t path = m.find(" (");
    return Status::InvalidArgument("invalid OTLP/JSON" + (path == std::string::npos ? ": " + m : m.substr(path)));
  }
  return r;
}

}  // namespace sluice
