// Text forms of OTLP AnyValue (opentelemetry/proto/common/v1/common.proto)
// for sluice's string-valued columns: `body`, `attributes` and `resource`
// values are VARCHAR (ARCHITECTURE.md "Data model").
//
// A string value is kept as it is. Other kinds become the text a reader
// expects: bool "true"/"false", int decimal, double in its shortest
// round-trip form ("NaN", "Infinity", "-Infinity" as in the protobuf JSON
// mapping), bytes base64 (RFC 4648 section 4, padded), an empty value "".
// Arrays and key/value lists become JSON text (RFC 8259) in which strings are
// JSON strings, bytes base64 strings, non-finite doubles the strings above
// and empty values null; a key/value list is an object with its keys in
// order (a repeated key appears twice, as sent).
//
// Thread-safety: free functions, no shared state. Recursion depth is bounded
// by the protobuf parser's nesting limit (100 messages).
#pragma once

#include <string>
#include <string_view>

#include "opentelemetry/proto/common/v1/common.pb.h"

namespace sluice {

/// The column text of `v` (see the file comment).
std::string any_value_text(const opentelemetry::proto::common::v1::AnyValue& v);

/// Appends `v` as a JSON value to `out`.
void append_any_value_json(std::string& out, const opentelemetry::proto::common::v1::AnyValue& v);

/// Appends `d` as AnyValue text: the shortest form that reads back as `d`,
/// or "NaN", "Infinity", "-Infinity".
void append_double(std::string& out, double d);

/// Standard base64 with padding (RFC 4648 section 4).
std::string base64_encode(std::string_view bytes);

}  // namespace sluice
