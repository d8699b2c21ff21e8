// What the OTLP metrics and traces decoders share (otlp_metrics_decode.hpp,
// otlp_traces_decode.hpp): attribute text, the checked protobuf parse and the
// OTLP/JSON conversion. The logs decoder (otlp_logs_decode.cpp) does the same
// steps with its own copies; the semantics here are identical to it.
//
// Thread-safety: free functions, no shared mutable state.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "model/log_record.hpp"
#include "opentelemetry/proto/common/v1/common.pb.h"

namespace sluice {

/// Appends `kvs` to `out` with text values (otlp_any_value.hpp: a string as
/// is, other kinds as text); a repeated key keeps its first position and
/// takes the later value.
void append_otlp_attributes(const google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>& kvs,
                            KeyValues& out);

/// What parse_otlp_proto() allows and how it names the counted messages.
struct OtlpParseLimits {
  const google::protobuf::Descriptor* counted = nullptr;  ///< e.g. Span; null: count none
  uint64_t max_counted = UINT64_MAX;
  const char* counted_what = "messages";  ///< "spans", for the error message
  uint64_t max_messages = UINT64_MAX;     ///< nested messages of any type
};

/// Checks `bytes` with scan_protobuf_wire (otlp_wire_scan.hpp) against
/// `limits`, then parses them into `*msg` (a request message whose
/// descriptor is the scan's root).
/// Errors: InvalidArgument "invalid protobuf at byte N (path): what";
/// ResourceExhausted "more than N spans in one request
/// (max_records_per_request)" or "... messages in one request
/// (max_values_per_request)"; larger than protobuf's 2 GiB limit.
Status parse_otlp_proto(std::string_view bytes, const OtlpParseLimits& limits, google::protobuf::Message* msg);

/// Converts an OTLP/JSON request (OTLP specification, "JSON Protobuf
/// Encoding") into the binary protobuf of message type `root`: protobuf's
/// JSON parser (unknown fields ignored, nesting limit 100) after
/// rewrite_otlp_json_ids (otlp_json_ids.hpp), so that `traceId`/`spanId`
/// bytes fields hold the hex text as sent.
/// Errors: InvalidArgument "invalid OTLP/JSON: <parser message with the
/// field path>".
Result<std::string> otlp_json_to_binary(std::string_view text, const google::protobuf::Descriptor* root);

/// An InvalidArgument from decoding the binary form of a JSON request, with
/// the byte offset (into the converted protobuf, meaningless to the client)
/// dropped: "invalid OTLP/JSON (path): what". Other statuses unchanged.
Status otlp_json_error(const Status& st);

/// `ns` (fixed64 nanoseconds since the epoch) as int64, or false when it
/// does not fit (after the year 2262).
inline bool otlp_time_ns(uint64_t ns, int64_t* out) {
  if (ns > static_cast<uint64_t>(INT64_MAX)) return false;
  *out = static_cast<int64_t>(ns);
  return true;
}

}  // namespace sluice
