// The fast path of encode_otlp_logs_proto (otlp_logs_encode.hpp): the same
// ExportLogsServiceRequest bytes written straight in the protobuf wire
// format (https://protobuf.dev/programming-guides/encoding/: fields in
// field-number order, minimal varints, proto3 defaults left out), without
// building protobuf messages. A unit test checks the bytes equal the
// protobuf library's for the same records.
//
// Why: building a message per record and per attribute was most of a
// shipping agent's CPU (docs/benchmarks.md, "Shipping").
//
// Thread-safety: a pure function.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "model/log_record.hpp"

namespace sluice {

/// encode_otlp_logs_proto's bytes for `records` and `sluice_positions`, or
/// nullopt when some text is not valid UTF-8 (the library path repairs it).
std::optional<std::string> encode_otlp_logs_wire(std::span<const LogRecord> records, std::string_view sluice_positions);
/// The same into `*out`, replacing its content and reusing its capacity (a
/// caller that keeps one buffer has only what it grows by zero-filled);
/// false, `*out` unspecified, where the other returns nullopt.
bool encode_otlp_logs_wire(std::span<const LogRecord> records, std::string_view sluice_positions, std::string* out);

}  // namespace sluice
