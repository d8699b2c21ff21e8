#include "pipeline/sinks/http_post.hpp"

namespace sluice {

SinkResult post_to_next_hop(HttpClientRequest req, Compression c, CompressionLevel level, bool compressed,
                            std::string* error) {
  if (c != Compression::kNone) {
    if (!compressed) {
      auto packed = compress(c, req.body, level);
      if (!packed.ok()) {
        *error = packed.status().to_string();
        return SinkResult::kRetry;
      }
      req.body = std::move(*packed);
    }
    req.headers.emplace_back("Content-Encoding", compression_name(c));
  }
  auto res = http_send(req);
  if (!res.ok()) {
    *error = res.status().to_string();
    return res.status().code() == StatusCode::kInvalidArgument ? SinkResult::kFatal : SinkResult::kRetry;
  }
  if (res->status >= 200 && res->status < 300) return SinkResult::kOk;
  *error = req.url + " answered " + std::to_string(res->status) + ": " + res->body.substr(0, 500);
  bool retry = res->status == 408 || res->status == 429 || res->status >= 500;
  return retry ? SinkResult::kRetry : SinkResult::kFatal;
}

}  // namespace sluice
