// A minimal blocking HTTP/1.1 client (Boost.Beast) for `sluice query`.
#pragma once

#include <string>

#include "common/status.hpp"

namespace sluice {

struct HttpClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

/// POSTs `body` to `url` ("http://host:port/path?query"). IOError when the
/// server cannot be reached; a non-2xx answer is returned, not an error.
Result<HttpClientResponse> http_post(const std::string& url, const std::string& content_type, const std::string& body);

}  // namespace sluice
