#include "pipeline/sources/otlp/otlp_logs_encode.hpp"

#include <google/protobuf/arena.h>
#include <google/protobuf/unknown_field_set.h>

#include "model/utf8.hpp"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

namespace pb = google::protobuf;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::common::v1::KeyValue;
namespace otlp_logs = opentelemetry::proto::logs::v1;

/// `text`, repaired to valid UTF-8 when it is not.
void set_text(std::string* out, const std::string& text) {
  if (is_valid_utf8(text)) {
    *out = text;
  } else {
    out->clear();
    append_valid_utf8(*out, text);
  }
}

void add_attribute(pb::RepeatedPtrField<KeyValue>* kvs, const std::string& key, const std::string& value) {
  KeyValue* kv = kvs->Add();
  set_text(kv->mutable_key(), key);
  set_text(kv->mutable_value()->mutable_string_value(), value);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// The `bytes` bytes that hex id `hex` spells, or "" when it is not exactly
/// 2 * `bytes` hex digits.
std::string id_bytes(const std::string& hex, size_t bytes) {
  if (hex.size() != 2 * bytes) return {};
  std::string out(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) {
    int hi = hex_digit(hex[2 * i]);
    int lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return {};
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

void fill_resource(const LogRecord& r, opentelemetry::proto::resource::v1::Resource* resource) {
  auto* kvs = resource->mutable_attributes();
  bool service_written = false;
  for (const auto& [k, v] : r.resource) {
    if (k == "service.name" && !r.service_name.empty()) {
      if (service_written) continue;
      add_attribute(kvs, k, r.service_name);
      service_written = true;
    } else {
      add_attribute(kvs, k, v);
    }
  }
  if (!service_written && !r.service_name.empty()) add_attribute(kvs, "service.name", r.service_name);
}

void fill_record(const LogRecord& r, otlp_logs::LogRecord* out) {
  if (r.timestamp_ns > 0) out->set_time_unix_nano(static_cast<uint64_t>(r.timestamp_ns));
  if (r.observed_timestamp_ns > 0) out->set_observed_time_unix_nano(static_cast<uint64_t>(r.observed_timestamp_ns));
  if (r.severity_number <= 24) {
    out->set_severity_number(static_cast<otlp_logs::SeverityNumber>(r.severity_number));
  }
  set_text(out->mutable_severity_text(), r.severity_text);
  set_text(out->mutable_body()->mutable_string_value(), r.body);
  for (const auto& [k, v] : r.attributes) add_attribute(out->mutable_attributes(), k, v);
  if (std::string id = id_bytes(r.trace_id, 16); !id.empty()) out->set_trace_id(std::move(id));
  if (std::string id = id_bytes(r.span_id, 8); !id.empty()) out->set_span_id(std::move(id));
  out->set_flags(r.trace_flags);
}

}  // namespace

std::string encode_otlp_logs_proto(std::span<const LogRecord> records, std::string_view sluice_positions) {
  pb::Arena arena;
  auto* req = pb::Arena::CreateMessage<ExportLogsServiceRequest>(&arena);
  otlp_logs::ResourceLogs* rl = nullptr;
  otlp_logs::ScopeLogs* sl = nullptr;
  const LogRecord* prev = nullptr;
  for (const LogRecord& r : records) {
    if (prev == nullptr || r.resource != prev->resource || r.service_name != prev->service_name) {
      rl = req->add_resource_logs();
      fill_resource(r, rl->mutable_resource());
      sl = nullptr;
    }
    if (sl == nullptr || r.scope_name != prev->scope_name || r.scope_version != prev->scope_version) {
      sl = rl->add_scope_logs();
      if (!r.scope_name.empty()) set_text(sl->mutable_scope()->mutable_name(), r.scope_name);
      if (!r.scope_version.empty()) set_text(sl->mutable_scope()->mutable_version(), r.scope_version);
    }
    fill_record(r, sl->add_log_records());
    prev = &r;
  }
  if (!sluice_positions.empty()) {
    req->GetReflection()->MutableUnknownFields(req)->AddLengthDelimited(kSluicePositionsField,
                                                                        std::string(sluice_positions));
  }
  return req->SerializeAsString();
}

}  // namespace sluice
