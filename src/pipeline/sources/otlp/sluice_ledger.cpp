#include "pipeline/sources/otlp/sluice_ledger.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

namespace sluice {

struct SluiceLedger::Turn::State {
  std::mutex mu;
  std::condition_variable turn_released;
  std::set<std::string> busy;                 ///< agents holding a turn
  std::map<std::string, uint64_t> committed;  ///< server key -> offset; ordered for prefix scans
};

SluiceLedger::SluiceLedger() : state_(std::make_shared<Turn::State>()) {}

SluiceLedger::Turn::~Turn() {
  {
    std::lock_guard<std::mutex> l(state_->mu);
    state_->busy.erase(agent_);
  }
  state_->turn_released.notify_all();
}

void SluiceLedger::load(const std::unordered_map<std::string, uint64_t>& committed) {
  std::lock_guard<std::mutex> l(state_->mu);
  for (const auto& [key, offset] : committed) {
    uint64_t& slot = state_->committed[key];
    slot = std::max(slot, offset);
  }
}

Result<std::shared_ptr<SluiceLedger::Turn>> SluiceLedger::take_turn(const std::string& agent,
                                                                    std::chrono::nanoseconds timeout) {
  std::unique_lock<std::mutex> l(state_->mu);
  if (!state_->turn_released.wait_for(l, timeout, [&] { return state_->busy.count(agent) == 0; })) {
    return Status::Unavailable("agent " + agent + ": its previous batch is still being stored; retry later");
  }
  state_->busy.insert(agent);
  return std::shared_ptr<Turn>(new Turn(state_, agent));  // NOLINT: private constructor
}

bool SluiceLedger::all_committed(const std::vector<SluicePosition>& positions) const {
  if (positions.empty()) return false;
  std::lock_guard<std::mutex> l(state_->mu);
  for (const auto& p : positions) {
    auto it = state_->committed.find(p.key);
    if (it == state_->committed.end()) return false;
    if (p.reset ? p.offset != it->second : p.offset > it->second) return false;
  }
  return true;
}

void SluiceLedger::commit(const std::vector<SluicePosition>& positions) {
  std::lock_guard<std::mutex> l(state_->mu);
  for (const auto& p : positions) {
    uint64_t& slot = state_->committed[p.key];
    slot = p.reset ? p.offset : std::max(slot, p.offset);
  }
}

std::vector<std::pair<std::string, uint64_t>> SluiceLedger::committed_for(const std::string& agent,
                                                                          const std::string& source) const {
  const std::string prefix = agent + "/" + source + "/";
  std::vector<std::pair<std::string, uint64_t>> out;
  std::lock_guard<std::mutex> l(state_->mu);
  for (auto it = state_->committed.lower_bound(prefix);
       it != state_->committed.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    out.emplace_back(it->first.substr(prefix.size()), it->second);
  }
  return out;
}

}  // namespace sluice
