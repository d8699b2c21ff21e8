#include "pipeline/sources/otlp/otlp_encode_common.hpp"

#include <google/protobuf/unknown_field_set.h>

#include "model/utf8.hpp"
#include "pipeline/sources/otlp/otlp_ids.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {

namespace pb = google::protobuf;
using opentelemetry::proto::common::v1::KeyValue;

void set_otlp_text(std::string* out, const std::string& text) {
  if (is_valid_utf8(text)) {
    *out = text;
  } else {
    out->clear();
    append_valid_utf8(*out, text);
  }
}

void add_otlp_attribute(pb::RepeatedPtrField<KeyValue>* kvs, const std::string& key, const std::string& value) {
  KeyValue* kv = kvs->Add();
  set_otlp_text(kv->mutable_key(), key);
  set_otlp_text(kv->mutable_value()->mutable_string_value(), value);
}

void add_otlp_attributes(pb::RepeatedPtrField<KeyValue>* out, const KeyValues& kvs) {
  out->Reserve(out->size() + static_cast<int>(kvs.size()));
  for (const auto& [k, v] : kvs) add_otlp_attribute(out, k, v);
}

std::string otlp_id_bytes(const std::string& hex, size_t bytes) {
  if (hex.size() != 2 * bytes) return {};
  std::string out(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) {
    int hi = hex_digit_value(hex[2 * i]);
    int lo = hex_digit_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return {};
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

void fill_otlp_resource(const KeyValues& resource, const std::string& service_name,
                        opentelemetry::proto::resource::v1::Resource* out) {
  auto* kvs = out->mutable_attributes();
  bool service_written = false;
  for (const auto& [k, v] : resource) {
    if (k == "service.name" && !service_name.empty()) {
      if (service_written) continue;
      add_otlp_attribute(kvs, k, service_name);
      service_written = true;
    } else {
      add_otlp_attribute(kvs, k, v);
    }
  }
  if (!service_written && !service_name.empty()) add_otlp_attribute(kvs, "service.name", service_name);
}

void add_sluice_positions_field(pb::Message* req, std::string_view positions) {
  if (positions.empty()) return;
  req->GetReflection()->MutableUnknownFields(req)->AddLengthDelimited(kSluicePositionsField, std::string(positions));
}

std::string sluice_positions_field(const pb::Message& req) {
  std::string out;
  const pb::UnknownFieldSet& unknown = req.GetReflection()->GetUnknownFields(req);
  for (int i = 0; i < unknown.field_count(); ++i) {
    const pb::UnknownField& f = unknown.field(i);
    if (f.number() == kSluicePositionsField && f.type() == pb::UnknownField::TYPE_LENGTH_DELIMITED) {
      out = f.length_delimited();
    }
  }
  return out;
}

}  // namespace sluice
