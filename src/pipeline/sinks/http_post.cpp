#include "pipeline/sinks/http_post.hpp"

namespace sluice {

SinkResult encode_next_hop_body(HttpClientRequest& req, Compression c, CompressionLevel level, bool compressed,
                                std::string* error) {
  if (c == Compression::kNone) return SinkResult::kOk;
  if (!compressed) {
    auto packed = compress(c, req.body, level);
    if (!packed.ok()) {
      *error = packed.status().to_string();
      return SinkResult::kRetry;
    }
    req.body = std::move(*packed);
  }
  req.headers.emplace_back("Content-Encoding", compression_name(c));
  return SinkResult::kOk;
}

SinkResult next_hop_outcome(const Result<HttpClientResponse>& res, const std::string& url, std::string* error) {
  if (!res.ok()) {
    *error = res.status().to_string();
    return res.status().code() == StatusCode::kInvalidArgument ? SinkResult::kFatal : SinkResult::kRetry;
  }
  if (res->status >= 200 && res->status < 300) return SinkResult::kOk;
  *error = url + " answered " + std::to_string(res->status) + ": " + res->body.substr(0, 500);
  bool retry = res->status == 408 || res->status == 429 || res->status >= 500;
  return retry ? SinkResult::kRetry : SinkResult::kFatal;
}

}  // namespace sluice
