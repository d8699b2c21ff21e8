// A request (POST, or the `http` sink's PUT) of a network sink (`http`,
// `sluice`) to its next hop, around the
// sending (each sink sends on an HttpConnection it keeps): the body
// compressed per the sink's Content-Encoding, and the outcome mapped to the
// pipeline's retry rules.
//
// Outcome: 2xx -> kOk; a connection that fails or times out, 408, 429 and
// 5xx -> kRetry (the engine backs off and sends again); any other answer and
// a request that can never be sent (a bad URL) -> kFatal. `*error` names the
// URL, the status and the start of the answer's body.
//
// Thread-safety: free functions; callable from any thread.
#pragma once

#include <string>

#include "common/compression.hpp"
#include "net/http_client.hpp"
#include "pipeline/component.hpp"

namespace sluice {

/// Adds Content-Encoding for `c` to `req` and compresses its body at
/// `level` unless `compressed`. kRetry (with `*error`) when compressing
/// fails, else kOk.
SinkResult encode_next_hop_body(HttpClientRequest& req, Compression c, CompressionLevel level, bool compressed,
                                std::string* error);

/// The outcome of an answer (or failure) `res` to a request to `url`
/// (above).
SinkResult next_hop_outcome(const Result<HttpClientResponse>& res, const std::string& url, std::string* error);

}  // namespace sluice
