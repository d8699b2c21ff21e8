// Transport-independent HTTP request/response values, so that API handlers
// can be unit-tested without sockets and the server (Boost.Beast) stays in
// one file.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

struct HttpRequest {
  std::string method;                          ///< "GET", "POST", ...
  std::string path;                            ///< decoded path without query, "/api/v1/query"
  std::map<std::string, std::string> params;   ///< decoded query parameters
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;

  /// Header value or "".
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  /// Extra response headers (name, value), e.g. X-Elastic-Product.
  std::vector<std::pair<std::string, std::string>> headers = {};
  /// When set, this answer is not the final one: the server calls
  /// `finish` later, on another thread, and sends what it returns instead,
  /// while it reads and handles the connection's next request (a client
  /// that pipelines, RFC 9112 section 9.3.2). The `finish`es of one
  /// connection run one at a time in the order of their requests, each
  /// after every earlier answer was sent. Once a connection has had a
  /// deferred answer, the server closes it after any answer that is not 2xx,
  /// and the later requests' `finish`es are destroyed without being called
  /// (their client sends them again, after the failed one). So a handler does the
  /// work that may overlap (decoding) before it returns, and puts in
  /// `finish` the work whose order matters (storing). Only the other fields
  /// of the answer `finish` returns are used.
  std::function<HttpResponse()> finish = {};
};

/// The answer a server sends for handler answer `r`: what `r.finish`
/// returns when it is deferred, else `r` (for callers without a
/// connection, such as tests).
inline HttpResponse final_answer(HttpResponse r) { return r.finish ? r.finish() : std::move(r); }

/// The media type of a Content-Type value (RFC 9110 section 8.3.1):
/// lower-case, parameters and surrounding whitespace removed
/// ("Application/JSON; charset=utf-8" -> "application/json").
std::string media_type(std::string_view content_type);

/// Handles one request; called concurrently from connection threads.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

/// Percent-decodes `s` ('+' becomes a space when `plus_is_space`).
std::string url_decode(std::string_view s, bool plus_is_space);
/// Splits "a=1&b=x%20y" into decoded pairs.
std::map<std::string, std::string> parse_query_string(std::string_view q);

}  // namespace sluice
