#include "pipeline/path_positions.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

namespace sluice {

namespace {
constexpr std::string_view kMark = "#via:";
}  // namespace

std::string path_suffix(const std::string& from, const std::string& to) {
  std::string s(kMark);
  s += from;
  if (!to.empty()) s += ">" + to;
  return s;
}

ResumePlan plan_resume(const std::vector<SinkPathPositions>& sinks) {
  struct Seen {
    uint64_t min = UINT64_MAX;
    size_t pairs = 0;
    std::set<uint64_t> offsets;
  };
  std::map<std::string, Seen> seen;
  size_t pairs = 0;
  std::vector<const std::string*> earlier;  // keys of other paths than today's
  struct Held {
    std::string input;     // the input's key
    std::string received;  // the key as the sink gets it now
    uint64_t offset;
  };
  std::vector<std::vector<Held>> held;  // per sink
  for (const SinkPathPositions& s : sinks) {
    auto& mine = held.emplace_back();
    pairs += s.suffixes.size();
    std::vector<const std::string*> longest_first;
    for (const auto& suffix : s.suffixes) longest_first.push_back(&suffix);
    std::sort(longest_first.begin(), longest_first.end(),
              [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
    const bool marked = !longest_first.empty() && !longest_first.back()->empty();
    for (const auto& [key, offset] : s.committed) {
      const std::string* matched = nullptr;
      for (const std::string* suffix : longest_first) {
        if (key.size() >= suffix->size() && key.compare(key.size() - suffix->size(), suffix->size(), *suffix) == 0) {
          matched = suffix;
          break;
        }
      }
      if (matched == nullptr || (!marked && key.find(kMark) != std::string::npos)) earlier.push_back(&key);
      size_t input_length = matched ? key.size() - matched->size() : std::string::npos;
      // A sink with one path, marked since an edge above it became marked,
      // still has what that path committed under the key without the mark.
      if (!matched && marked && s.suffixes.size() == 1 && !s.committed.count(key + s.suffixes[0])) {
        input_length = key.size();
      }
      if (input_length == std::string::npos) continue;
      std::string input = key.substr(0, input_length);
      mine.push_back(Held{input, matched ? key : key + s.suffixes[0], offset});
      Seen& k = seen[input];
      k.min = std::min(k.min, offset);
      k.pairs++;
      k.offsets.insert(offset);
    }
  }
  ResumePlan plan;
  for (const auto& [key, k] : seen) {
    const uint64_t from = k.pairs == pairs ? k.min : 0;
    plan.committed[key] = from;
    std::vector<uint64_t> above(k.offsets.upper_bound(from), k.offsets.end());
    if (!above.empty()) plan.cuts[key] = std::move(above);
  }
  for (size_t i = 0; i < sinks.size(); ++i) {
    auto& ahead = plan.ahead.emplace_back();
    for (const Held& h : held[i]) {
      if (h.offset > plan.committed.at(h.input)) ahead[h.received] = h.offset;
    }
  }
  // A key of an earlier topology's paths still says its input was read: it
  // is read again from its start rather than taken for a new one (which
  // `start_at = "end"` would skip).
  for (const std::string* key : earlier) plan.committed.try_emplace(key->substr(0, key->find(kMark)), 0);
  return plan;
}

}  // namespace sluice
