// The sluice agent protocol: what a `sluice` sink (src/pipeline/sinks/sluice/)
// adds to an OTLP/HTTP export so that the `otlp` source of a sluice server
// stores each batch exactly once (docs/protocols/otlp.md, "Agents:
// exactly-once delivery").
//
//   POST /v1/logs, /v1/metrics or /v1/traces  (an ordinary OTLP/HTTP
//   protobuf export of log records, metric samples or spans) with
//     X-Sluice-Agent: <agent id>          who is sending ([A-Za-z0-9._:@-]{1,255})
//     X-Sluice-Stream: <stream>           optional: the stream to store in
//     X-Sluice-Positions: <positions>     the source positions the batch advances
//   positions = a JSON array (RFC 8259) of [source, key, offset] triples, e.g.
//     [["app","2049:131:9f86d081884c7d65",1048576]]
//   or [source, key, offset, "reset"] when the key's offset went back (a file
//   truncated and rewritten with the same first line keeps its key): the
//   server then takes the lower offset instead of ignoring it as old.
//   When that text is over kMaxPositionsHeaderBytes or not printable ASCII,
//   it travels in the body instead: as field kSluicePositionsField
//   (length-delimited, the same JSON) of the Export*ServiceRequest, a
//   field number OTLP does not use and every other OTLP receiver skips as
//   unknown.
//
//   Metric samples travel as gauges marked with kSluiceMetricKindKey in
//   Metric.metadata (otlp_metrics_encode.hpp); in a request with
//   X-Sluice-Agent the server stores such a metric's points verbatim (name,
//   kind, labels as sent) instead of mapping them from OTLP to Prometheus.
//
//   The answer to a /v1/logs request with X-Sluice-Agent carries
//     X-Sluice-Pipelining: ordered
//   when the server stores an agent's requests on one connection in the
//   order sent, decoding the next while it stores one, and closes the
//   connection after an answer that is not 2xx without storing the
//   requests sent after it. Only then may the agent send a request before
//   the answer to the one before (pipelining, RFC 9112 section 9.3.2): a
//   later batch stored before a failed earlier one would make the earlier
//   one's retry look like a duplicate.
//
//   GET /v1/sluice/positions?agent=A&source=S
//     200 {"<key>": offset, ...}: the positions of agent A's source S that
//     the server has made durable.
//
// On the server, a position (source s, key k, offset o) of agent a becomes a
// position of the otlp source itself with key "a/s/k" (hence no '/' in agent
// ids and source names), stored in the same WAL entry as the records.
//
// Thread-safety: constants and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_text.hpp"
#include "common/status.hpp"
#include "model/batch.hpp"

namespace sluice {

inline constexpr char kSluiceAgentHeader[] = "X-Sluice-Agent";
inline constexpr char kSluiceStreamHeader[] = "X-Sluice-Stream";
inline constexpr char kSluicePositionsHeader[] = "X-Sluice-Positions";
inline constexpr char kSluicePositionsPath[] = "/v1/sluice/positions";
/// The answer header that allows pipelining (file comment), and its value.
inline constexpr char kSluicePipeliningHeader[] = "X-Sluice-Pipelining";
inline constexpr char kSluicePipeliningOrdered[] = "ordered";
/// The Export{Logs,Metrics,Trace}ServiceRequest field that carries positions
/// too large for the header (OTLP uses field 1 only; protobuf reserves
/// 19000-19999).
inline constexpr int kSluicePositionsField = 1000000;
/// The Metric.metadata key whose string value is a sample's kind name
/// (metric_kind_name) in a sluice agent's metrics export (file comment).
inline constexpr char kSluiceMetricKindKey[] = "sluice.metric.kind";
/// Largest X-Sluice-Positions value a sink sends (the server reads request
/// headers up to 64 KiB in all); about 200 file positions.
inline constexpr size_t kMaxPositionsHeaderBytes = 16 * 1024;

/// One position as the protocol carries it.
struct SluicePosition {
  std::string source;  ///< the agent's source (server side: unused, see key)
  std::string key;     ///< the agent's key (server side: "<agent>/<source>/<key>")
  uint64_t offset = 0;
  bool reset = false;  ///< the offset went back: replace, do not compare

  bool operator==(const SluicePosition&) const = default;
};

/// True when `agent` is a valid agent id: 1..255 bytes of [A-Za-z0-9._:@-]
/// (a host name fits; '/' does not, it separates the parts of server keys).
inline bool valid_sluice_agent(std::string_view agent) {
  if (agent.empty() || agent.size() > 255) return false;
  for (char c : agent) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == ':' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

/// Appends `positions` as the positions JSON (file comment) to `out`.
inline void append_sluice_positions_json(std::string& out, const std::vector<SluicePosition>& positions) {
  out += '[';
  for (size_t i = 0; i < positions.size(); ++i) {
    if (i > 0) out += ',';
    out += '[';
    append_json_string(out, positions[i].source);
    out += ',';
    append_json_string(out, positions[i].key);
    out += ',';
    out += std::to_string(positions[i].offset);
    if (positions[i].reset) out += ",\"reset\"";
    out += ']';
  }
  out += ']';
}

/// True when positions JSON `json` may travel in the X-Sluice-Positions
/// header: at most kMaxPositionsHeaderBytes of printable ASCII.
inline bool fits_sluice_positions_header(std::string_view json) {
  if (json.size() > kMaxPositionsHeaderBytes) return false;
  for (char c : json) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/// Parses positions JSON (file comment). InvalidArgument naming the element
/// and what is wrong (not an array, not [string, string, unsigned integer]
/// with an optional "reset", an empty source or key, a '/' in a source
/// name); ResourceExhausted past `max_positions` entries.
Result<std::vector<SluicePosition>> parse_sluice_positions(std::string_view json, size_t max_positions);

/// Agent `agent`'s `positions` with server keys "<agent>/<source>/<key>".
std::vector<SluicePosition> sluice_server_keys(const std::string& agent, const std::vector<SluicePosition>& positions);

/// Positions with server keys as positions of the server's source
/// `server_source` (what its batch carries to the store).
std::vector<SourcePosition> sluice_source_positions(const std::string& server_source, const std::string& agent,
                                                    const std::vector<SluicePosition>& server_keyed);

/// The answer of GET /v1/sluice/positions: {"key": offset, ...}.
std::string sluice_committed_json(const std::vector<std::pair<std::string, uint64_t>>& committed);

}  // namespace sluice
