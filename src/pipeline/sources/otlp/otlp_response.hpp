// OTLP/HTTP content types and answer bodies (OTLP specification,
// "OTLP/HTTP": "Binary Protobuf Encoding", "JSON Protobuf Encoding",
// "OTLP/HTTP Response"): a success is an ExportLogsServiceResponse, an error
// (4xx/5xx) a google.rpc.Status, each in the encoding of the request.
//
// Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

enum class OtlpEncoding { kProtobuf, kJson };

/// "application/x-protobuf" or "application/json" (parameters such as
/// "; charset=utf-8" and letter case ignored); nullopt for anything else.
std::optional<OtlpEncoding> otlp_encoding_from_content_type(std::string_view content_type);

/// The Content-Type header value for `e`.
const char* otlp_content_type(OtlpEncoding e);

/// An ExportLogsServiceResponse; `partial_success` is set only when
/// `rejected` > 0 (the spec leaves it unset on full success).
std::string encode_export_logs_response(OtlpEncoding e, uint64_t rejected, const std::string& error_message);

/// A google.rpc.Status with `code` (a google.rpc.Code) and `message`.
std::string encode_rpc_status(OtlpEncoding e, int code, const std::string& message);

}  // namespace sluice
