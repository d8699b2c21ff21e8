#include "pipeline/sources/otlp/sluice_protocol.hpp"

#include <simdjson.h>

namespace sluice {

Result<std::vector<SluicePosition>> parse_sluice_positions(std::string_view json, size_t max_positions) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::padded_string padded(json);
  if (auto err = parser.parse(padded).get(doc); err) {
    return Status::InvalidArgument(std::string("positions: not JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::array list;
  if (doc.get_array().get(list)) {
    return Status::InvalidArgument("positions: expected a JSON array of [source, key, offset], found " +
                                   std::string(json.substr(0, 40)));
  }
  std::vector<SluicePosition> out;
  size_t i = 0;
  for (simdjson::dom::element e : list) {
    if (i >= max_positions) {
      return Status::ResourceExhausted("positions: more than " + std::to_string(max_positions) + " entries");
    }
    auto bad = [&](const std::string& what) {
      return Status::InvalidArgument("positions[" + std::to_string(i) + "]: " + what);
    };
    simdjson::dom::array triple;
    std::string_view source, key, flag;
    uint64_t offset = 0;
    if (e.get_array().get(triple) || triple.size() < 3 || triple.size() > 4 || triple.at(0).get(source) ||
        triple.at(1).get(key) || triple.at(2).get(offset) ||
        (triple.size() == 4 && (triple.at(3).get(flag) || flag != "reset"))) {
      return bad("expected [source (string), key (string), offset (unsigned integer)] or [..., \"reset\"]");
    }
    if (source.empty() || key.empty()) return bad("source and key must not be empty");
    if (source.find('/') != std::string_view::npos) {
      return bad("source \"" + std::string(source.substr(0, 64)) + "\" contains '/'");
    }
    out.push_back(SluicePosition{std::string(source), std::string(key), offset, triple.size() == 4});
    ++i;
  }
  return out;
}

std::vector<SluicePosition> sluice_server_keys(const std::string& agent, const std::vector<SluicePosition>& positions) {
  std::vector<SluicePosition> out;
  out.reserve(positions.size());
  for (const auto& p : positions) {
    out.push_back(SluicePosition{p.source, agent + "/" + p.source + "/" + p.key, p.offset, p.reset});
  }
  return out;
}

std::vector<SourcePosition> sluice_source_positions(const std::string& server_source, const std::string& agent,
                                                    const std::vector<SluicePosition>& server_keyed) {
  std::vector<SourcePosition> out;
  out.reserve(server_keyed.size());
  for (const auto& p : server_keyed) out.push_back(SourcePosition{server_source, p.key, p.offset, "agent " + agent});
  return out;
}

std::string sluice_committed_json(const std::vector<std::pair<std::string, uint64_t>>& committed) {
  std::string out = "{";
  for (size_t i = 0; i < committed.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, committed[i].first);
    out += ':';
    out += std::to_string(committed[i].second);
  }
  out += "}\n";
  return out;
}

}  // namespace sluice
