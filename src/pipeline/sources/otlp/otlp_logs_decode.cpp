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
#include "pipeline/sources/otlp/otlp_wire_scan.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

namespace pb = google::protobuf;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::common::v1::KeyValue;
namespace otlp_logs = opentelemetry::proto::logs::v1;

/// How the request spelled trace and span ids, and its field names.
struct Form {
  bool json;  ///< ids hold the hex text as sent (otlp_json_ids.hpp), not the id bytes
  const char* resource_logs;
  const char* scope_logs;
  const char* log_records;
  const char* trace_id;
  const char* span_id;
  const char* time;
  const char* observed_time;
  const char* severity_number;
};
constexpr Form kProtoForm{.json = false,
                          .resource_logs = "resource_logs",
                          .scope_logs = "scope_logs",
                          .log_records = "log_records",
                          .trace_id = "trace_id",
                          .span_id = "span_id",
                          .time = "time_unix_nano",
                          .observed_time = "observed_time_unix_nano",
                          .severity_number = "severity_number"};
constexpr Form kJsonForm{.json = true,
                         .resource_logs = "resourceLogs",
                         .scope_logs = "scopeLogs",
                         .log_records = "logRecords",
                         .trace_id = "traceId",
                         .span_id = "spanId",
                         .time = "timeUnixNano",
                         .observed_time = "observedTimeUnixNano",
                         .severity_number = "severityNumber"};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// A trace or span id as lower-case hex ("" when absent or all zero), or
/// false with `*why` when it is not `want` bytes (in JSON: 2 * `want` hex
/// digits, which `raw` holds as text).
bool id_hex(const std::string& raw, size_t want, const Form& form, const char* name, std::string* out,
            std::string* why) {
  out->clear();
  if (raw.empty()) return true;
  static constexpr char kHex[] = "0123456789abcdef";
  bool zero = true;
  if (!form.json) {
    if (raw.size() != want) {
      *why = std::string(name) + " is " + std::to_string(raw.size()) + " bytes, expected " + std::to_string(want);
      return false;
    }
    out->reserve(2 * want);
    for (char ch : raw) {
      auto c = static_cast<unsigned char>(ch);
      zero = zero && c == 0;
      *out += kHex[c >> 4];
      *out += kHex[c & 15];
    }
  } else {
    bool ok = raw.size() == 2 * want;
    for (size_t i = 0; ok && i < raw.size(); ++i) ok = hex_value(raw[i]) >= 0;
    if (!ok) {
      std::string shown = raw.substr(0, 64);
      for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '"') c = '?';
      }
      *why = std::string(name) + " \"" + shown + (raw.size() > 64 ? "...\"" : "\"") + " is not " +
             std::to_string(2 * want) + " hex digits";
      return false;
    }
    out->reserve(2 * want);
    for (char c : raw) {
      int v = hex_value(c);
      zero = zero && v == 0;
      *out += kHex[v];
    }
  }
  if (zero) out->clear();
  return true;
}

/// Appends `kvs` to `out` as text values; a repeated key keeps its first
/// position and takes the later value. Linear for small lists, hashed for
/// large ones (a request may carry thousands of attributes on one record).
void append_attributes(const pb::RepeatedPtrField<KeyValue>& kvs, KeyValues& out) {
  out.reserve(out.size() + static_cast<size_t>(kvs.size()));
  if (out.size() + static_cast<size_t>(kvs.size()) <= 32) {
    for (const auto& kv : kvs) set_key_value(out, kv.key(), any_value_text(kv.value()));
    return;
  }
  std::unordered_map<std::string_view, size_t> index;
  index.reserve(out.size() + static_cast<size_t>(kvs.size()));
  for (size_t i = 0; i < out.size(); ++i) index.emplace(out[i].first, i);
  for (const auto& kv : kvs) {
    auto it = index.find(kv.key());
    if (it != index.end()) {
      out[it->second].second = any_value_text(kv.value());
    } else {
      out.emplace_back(kv.key(), any_value_text(kv.value()));
      index.emplace(kv.key(), out.size() - 1);  // a view of the request's key, which outlives `index`
    }
  }
}

/// Maps one record; false with `*why` when it must be rejected.
bool map_record(const otlp_logs::LogRecord& in, const Form& form, int64_t received_ns, LogRecord* r, std::string* why) {
  if (in.time_unix_nano() > static_cast<uint64_t>(INT64_MAX) ||
      in.observed_time_unix_nano() > static_cast<uint64_t>(INT64_MAX)) {
    bool t = in.time_unix_nano() > static_cast<uint64_t>(INT64_MAX);
    *why = std::string(t ? form.time : form.observed_time) + " " +
           std::to_string(t ? in.time_unix_nano() : in.observed_time_unix_nano()) +
           " does not fit int64 nanoseconds (after year 2262)";
    return false;
  }
  int severity = static_cast<int>(in.severity_number());
  if (severity < 0 || severity > 24) {
    *why = std::string(form.severity_number) + " " + std::to_string(severity) + " is outside 0..24";
    return false;
  }
  if (!id_hex(in.trace_id(), 16, form, form.trace_id, &r->trace_id, why)) return false;
  if (!id_hex(in.span_id(), 8, form, form.span_id, &r->span_id, why)) return false;
  r->observed_timestamp_ns =
      in.observed_time_unix_nano() != 0 ? static_cast<int64_t>(in.observed_time_unix_nano()) : received_ns;
  r->timestamp_ns = in.time_unix_nano() != 0 ? static_cast<int64_t>(in.time_unix_nano()) : r->observed_timestamp_ns;
  r->severity_text = in.severity_text();
  r->severity_number = severity != 0 ? static_cast<uint8_t>(severity) : severity_number_from_text(r->severity_text);
  if (in.has_body()) r->body = any_value_text(in.body());
  append_attributes(in.attributes(), r->attributes);
  if (!in.event_name().empty() && find_key_value(r->attributes, "event.name") == nullptr) {
    r->attributes.emplace_back("event.name", in.event_name());
  }
  r->trace_flags = in.flags() & 0xffu;
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
  return decode_binary(bytes, received_ns, kProtoForm, limits);
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
  auto r = decode_binary(binary, received_ns, kJsonForm, limits);
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
