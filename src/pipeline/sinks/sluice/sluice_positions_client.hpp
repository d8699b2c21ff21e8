// How a `sluice` sink learns, at agent start, which of its sources'
// positions the server has made durable: GET
// <endpoint>/v1/sluice/positions?agent=A&source=S, answered {"key": offset}
// (src/pipeline/sources/otlp/sluice_protocol.hpp).
//
// While the server cannot be reached (network error, 408, 429, 5xx) the
// request is repeated with backoff (100 ms doubling to 5 s), logging
// "waiting for server", because starting the sources without the positions
// would read again what the server has or skip what it lacks. It gives up,
// returning no positions (the sources then start per their start_at and the
// server drops whole batches it already has: at-least-once), when the server
// answers that it does not serve positions (404: not a sluice server), when
// `give_up_after` passes, or when `should_stop` says the agent is shutting
// down.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.hpp"

namespace sluice {

struct PositionsQuery {
  std::string endpoint;  ///< "http://host:port", no trailing '/'
  std::string agent;
  std::string source;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra request headers
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(30);
  std::chrono::nanoseconds give_up_after = std::chrono::nanoseconds(0);  ///< 0 = never
};

/// The committed positions of `q.source` by key; empty when the server has
/// none or they could not be learned (see the file comment). `should_stop`
/// is polled between attempts; by default it is sluice_shutdown_requested().
std::unordered_map<std::string, uint64_t> fetch_committed_positions(const PositionsQuery& q,
                                                                    const std::function<bool()>& should_stop = {});

/// Parses the server's answer, a JSON object of unsigned integers.
/// InvalidArgument naming the first bad member.
Result<std::unordered_map<std::string, uint64_t>> parse_committed_positions(std::string_view json);

/// True when SIGINT or SIGTERM is pending for this process: `sluice agent`
/// blocks both and waits for them only after the pipeline has started, so a
/// pending one means a shutdown was asked for while the pipeline starts.
bool sluice_shutdown_requested();

/// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode_component(std::string_view s);

}  // namespace sluice
