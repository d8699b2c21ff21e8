// The fast path of decode_otlp_logs_proto (otlp_logs_decode.hpp): an
// ExportLogsServiceRequest decoded straight from the protobuf wire format
// (https://protobuf.dev/programming-guides/encoding/) into LogRecords, in one
// pass that also does the checks of scan_protobuf_wire (otlp_wire_scan.hpp)
// and the limits, without building protobuf messages.
//
// Why: for records with a dozen attributes (a parsed access log shipped by a
// `sluice` sink) the pre-flight scan, the arena parse and the copy out of the
// messages were most of the server's CPU (docs/benchmarks.md, "Shipping").
//
// It handles the canonical encodings every OTLP exporter writes. Anything
// else it declines (returns nullopt) and the caller takes the protobuf
// library's path, which is its specification and gives the exact error
// messages: malformed or truncated bytes, a tag or length written in more
// than 5 bytes (protobuf's parser refuses them), invalid UTF-8, nesting past 100,
// limits passed, and the merge cases of the protobuf spec (a singular
// message field such as `body` or `resource` sent twice, an AnyValue with
// more than one value). On every input it does not decline, its result
// equals decode_otlp_logs_proto_reference's; a unit test and the
// otlp_logs_wire_fuzz target check that.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "pipeline/sources/otlp/otlp_logs_decode.hpp"

namespace sluice {

/// Decodes `bytes` as decode_otlp_logs_proto does, or nullopt when the
/// request needs the general path (see the file comment).
std::optional<OtlpLogs> decode_otlp_logs_wire(std::string_view bytes, int64_t received_ns, const OtlpLimits& limits);

}  // namespace sluice
