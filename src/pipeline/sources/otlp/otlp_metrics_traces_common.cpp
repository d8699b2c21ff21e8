#include "pipeline/sources/otlp/otlp_metrics_traces_common.hpp"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <climits>
#include <memory>
#include <unordered_map>

#include "pipeline/sources/otlp/otlp_any_value.hpp"
#include "pipeline/sources/otlp/otlp_json_ids.hpp"
#include "pipeline/sources/otlp/otlp_wire_scan.hpp"

namespace sluice {

namespace pb = google::protobuf;

void append_otlp_attributes(const pb::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>& kvs,
                            KeyValues& out) {
  out.reserve(out.size() + static_cast<size_t>(kvs.size()));
  if (out.size() + static_cast<size_t>(kvs.size()) <= 32) {
    for (const auto& kv : kvs) set_key_value(out, kv.key(), any_value_text(kv.value()));
    return;
  }
  // Hashed for large lists: a request may carry thousands of attributes.
  std::unordered_map<std::string, size_t> index;
  index.reserve(out.size() + static_cast<size_t>(kvs.size()));
  for (size_t i = 0; i < out.size(); ++i) index.emplace(out[i].first, i);
  for (const auto& kv : kvs) {
    auto [it, inserted] = index.emplace(kv.key(), out.size());
    if (inserted) {
      out.emplace_back(kv.key(), any_value_text(kv.value()));
    } else {
      out[it->second].second = any_value_text(kv.value());
    }
  }
}

Status parse_otlp_proto(std::string_view bytes, const OtlpParseLimits& limits, pb::Message* msg) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Status::ResourceExhausted("request of " + std::to_string(bytes.size()) +
                                     " bytes is larger than protobuf's 2 GiB limit");
  }
  WireScanLimits wl;
  wl.max_counted = limits.max_counted;
  wl.max_messages = limits.max_messages;
  WireScanCounts counts;
  Status st = scan_protobuf_wire(bytes, msg->GetDescriptor(), limits.counted, wl, &counts);
  if (st.code() == StatusCode::kResourceExhausted) {
    if (limits.counted != nullptr && counts.counted > limits.max_counted) {
      return Status::ResourceExhausted("more than " + std::to_string(limits.max_counted) + " " + limits.counted_what +
                                       " in one request (max_records_per_request)");
    }
    return Status::ResourceExhausted("more than " + std::to_string(limits.max_messages) +
                                     " attributes, values and other messages in one request (max_values_per_request)");
  }
  SLUICE_RETURN_IF_ERROR(st);
  if (!msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("invalid protobuf: not an " + msg->GetDescriptor()->name());
  }
  return Status::Ok();
}

Result<std::string> otlp_json_to_binary(std::string_view text, const pb::Descriptor* root) {
  static const std::unique_ptr<pb::util::TypeResolver> kResolver(
      pb::util::NewTypeResolverForDescriptorPool("type.googleapis.com", pb::DescriptorPool::generated_pool()));
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const std::string rewritten = rewrite_otlp_json_ids(text);
  std::string binary;
  auto st = pb::util::JsonToBinaryString(kResolver.get(), "type.googleapis.com/" + root->full_name(), rewritten,
                                         &binary, options);
  if (!st.ok()) return Status::InvalidArgument("invalid OTLP/JSON: " + std::string(st.message()));
  return binary;
}

Status otlp_json_error(const Status& st) {
  if (st.code() != StatusCode::kInvalidArgument) return st;
  const std::string& m = st.message();
  size_t path = m.find(" (");
  return Status::InvalidArgument("invalid OTLP/JSON" + (path == std::string::npos ? ": " + m : m.substr(path)));
}

}  // namespace sluice
