#include "pipeline/sources/otlp/otlp_response.hpp"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>

#include "google/rpc/status.pb.h"
#include "net/http_types.hpp"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "pipeline/sources/otlp/otlp_wire_scan.hpp"

namespace sluice {
namespace {

std::string encode(OtlpEncoding e, const google::protobuf::Message& m) {
  std::string out;
  if (e == OtlpEncoding::kProtobuf) {
    m.SerializeToString(&out);
  } else {
    // Cannot fail for these messages: no Any fields, no unknown enums.
    (void)google::protobuf::util::MessageToJsonString(m, &out);
  }
  return out;
}

}  // namespace

std::optional<OtlpEncoding> otlp_encoding_from_content_type(std::string_view content_type) {
  const std::string lower = media_type(content_type);
  if (lower == "application/x-protobuf") return OtlpEncoding::kProtobuf;
  if (lower == "application/json") return OtlpEncoding::kJson;
  return std::nullopt;
}

const char* otlp_content_type(OtlpEncoding e) {
  return e == OtlpEncoding::kProtobuf ? "application/x-protobuf" : "application/json";
}

std::string encode_export_logs_response(OtlpEncoding e, uint64_t rejected, const std::string& error_message) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse r;
  if (rejected > 0) {
    r.mutable_partial_success()->set_rejected_log_records(static_cast<int64_t>(rejected));
    std::string text = error_message;  // proto3 strings must be UTF-8; messages may quote client bytes
    make_valid_utf8(text);
    r.mutable_partial_success()->set_error_message(text);
  }
  return encode(e, r);
}

std::string encode_rpc_status(OtlpEncoding e, int code, const std::string& message) {
  google::rpc::Status s;
  s.set_code(code);
  std::string text = message;
  make_valid_utf8(text);
  s.set_message(text);
  return encode(e, s);
}

}  // namespace sluice
