// libFuzzer target: plan_resume over positions that come from outside (a
// checkpoint file's keys, a sluice server's answer to an agent), with the
// path suffixes a topology gives. The input is split at '\n' into lines:
// "s" starts a sink; "+<suffix>" adds a path suffix to it; "<key>=<offset>"
// a committed position. Checks, for any input: every resume offset is at
// most each pair's offset for that key, and above 0 only when every pair
// holds the key (nothing a path lacks is skipped); each cut is above its
// key's resume offset and ascending; each sink's `ahead` entry is one of
// its positions.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/path_positions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<sluice::SinkPathPositions> sinks;
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    if (line == "s" || sinks.empty()) sinks.emplace_back();
    if (line == "s") continue;
    if (!line.empty() && line[0] == '+') {
      std::string suffix(line.substr(1));
      auto& sx = sinks.back().suffixes;
      if (std::find(sx.begin(), sx.end(), suffix) == sx.end()) sx.push_back(suffix);
      continue;
    }
    size_t eq = line.rfind('=');
    if (eq == std::string_view::npos) continue;
    uint64_t offset = 0;
    for (char c : line.substr(eq + 1)) offset = offset * 10 + static_cast<uint8_t>(c) % 10;
    sinks.back().committed[std::string(line.substr(0, eq))] = offset;
  }
  for (auto& s : sinks) {
    if (s.suffixes.empty()) s.suffixes.push_back("");
  }
  const sluice::ResumePlan plan = sluice::plan_resume(sinks);
  if (plan.ahead.size() != sinks.size()) std::abort();
  for (size_t i = 0; i < sinks.size(); ++i) {
    // Nothing a path lacks is skipped: where a key resumes is at most the
    // offset of every pair that holds it (its sink's longest suffix).
    for (const auto& [key, offset] : sinks[i].committed) {
      const std::string* longest = nullptr;
      for (const auto& suffix : sinks[i].suffixes) {
        if (key.size() >= suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0 &&
            (longest == nullptr || suffix.size() > longest->size())) {
          longest = &suffix;
        }
      }
      if (longest == nullptr) continue;
      auto base = plan.committed.find(key.substr(0, key.size() - longest->size()));
      if (base == plan.committed.end() || base->second > offset) std::abort();
    }
    // A sink skips only what it holds: each `ahead` entry is one of its
    // positions, under the key it gets now.
    const auto& sfx = sinks[i].suffixes;
    for (const auto& [key, offset] : plan.ahead[i]) {
      auto held = sinks[i].committed.find(key);
      bool ok = held != sinks[i].committed.end() && held->second == offset;
      if (!ok && sfx.size() == 1 && key.size() >= sfx[0].size() &&
          key.compare(key.size() - sfx[0].size(), sfx[0].size(), sfx[0]) == 0) {
        held = sinks[i].committed.find(key.substr(0, key.size() - sfx[0].size()));
        ok = held != sinks[i].committed.end() && held->second == offset;
      }
      if (!ok || offset == 0) std::abort();
    }
  }
  // A key resumes above 0 only if every (sink, path) pair holds it, at or
  // above that offset: a pair that lacks it reads it from its start.
  for (const auto& [input, from] : plan.committed) {
    if (from == 0) continue;
    for (const auto& s : sinks) {
      for (const auto& suffix : s.suffixes) {
        auto held = s.committed.find(input + suffix);
        if (held == s.committed.end() && s.suffixes.size() == 1 && !suffix.empty()) held = s.committed.find(input);
        if (held == s.committed.end() || held->second < from) std::abort();
      }
    }
  }
  for (const auto& [key, cuts] : plan.cuts) {
    auto from = plan.committed.find(key);
    if (from == plan.committed.end() || cuts.empty()) std::abort();
    uint64_t last = from->second;
    for (uint64_t c : cuts) {
      if (c <= last) std::abort();
      last = c;
    }
  }
  return 0;
}
