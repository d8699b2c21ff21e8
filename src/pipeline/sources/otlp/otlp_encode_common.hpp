// What the OTLP encoders share (otlp_logs_encode.hpp, otlp_metrics_encode.hpp,
// otlp_traces_encode.hpp): text repaired to UTF-8, string attributes, hex ids
// as bytes, the resource with its service name, and the sluice positions
// field (sluice_protocol.hpp).
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "model/log_record.hpp"
#include "opentelemetry/proto/common/v1/common.pb.h"
#include "opentelemetry/proto/resource/v1/resource.pb.h"

namespace sluice {

/// Sets `*out` to `text`, repaired to valid UTF-8 (U+FFFD per maximal
/// subpart) when it is not: protobuf `string` fields must be UTF-8.
void set_otlp_text(std::string* out, const std::string& text);

/// Appends a KeyValue with a string value.
void add_otlp_attribute(google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>* kvs,
                        const std::string& key, const std::string& value);

/// Appends every pair of `kvs` as a string attribute, in order.
void add_otlp_attributes(google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>* out,
                         const KeyValues& kvs);

/// The `bytes` bytes that lower- or upper-case hex id `hex` spells, or ""
/// when it is not exactly 2 * `bytes` hex digits.
std::string otlp_id_bytes(const std::string& hex, size_t bytes);

/// Fills `out` with `resource` as string attributes, "service.name" set to
/// `service_name` when that is not empty (added when absent, its first
/// occurrence replaced and later ones dropped when present).
void fill_otlp_resource(const KeyValues& resource, const std::string& service_name,
                        opentelemetry::proto::resource::v1::Resource* out);

/// Adds `positions` (positions JSON) to request `req` as the unknown
/// length-delimited field kSluicePositionsField; nothing when empty.
void add_sluice_positions_field(google::protobuf::Message* req, std::string_view positions);

/// The positions JSON of field kSluicePositionsField of a parsed request,
/// or "" when it has none (the last one when repeated).
std::string sluice_positions_field(const google::protobuf::Message& req);

}  // namespace sluice
