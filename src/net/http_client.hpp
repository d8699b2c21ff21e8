// A blocking HTTP/1.1 client (Boost.Beast) for `sluice query` and the
// network sinks. One request per connection; no TLS (http:// only).
//
// Thread-safety: free functions, no shared state; callable from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.hpp"

namespace sluice {

struct HttpClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

struct HttpClientRequest {
  std::string method = "POST";
  std::string url;  ///< "http://host:port/path?query"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);  ///< connect + send + receive
  uint64_t max_response_bytes = 64ULL << 20;
};

/// Sends `request`. InvalidArgument for a URL that is not http://host[:port]/...;
/// Unavailable when the server cannot be reached, the connection breaks, or
/// the time-out passes; a non-2xx answer is returned, not an error.
Result<HttpClientResponse> http_send(const HttpClientRequest& request);

/// POSTs `body` with `content_type` to `url` (no time-out beyond the
/// default, for the CLI).
Result<HttpClientResponse> http_post(const std::string& url, const std::string& content_type, const std::string& body);

}  // namespace sluice
