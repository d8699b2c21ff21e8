#include "pipeline/sources/journald/journal_progress.hpp"

#include <cstdint>

namespace sluice {

namespace {
constexpr std::string_view kSequencePrefix = "seqnum:";
}  // namespace

std::string journal_sequence_key(std::string_view seqnum_id) {
  std::string key(kSequencePrefix);
  key.append(seqnum_id.data(), seqnum_id.size());
  return key;
}

JournalProgress::JournalProgress(const std::unordered_map<std::string, uint64_t>& committed) {
  for (const auto& [key, offset] : committed) {
    if (key.size() > kSequencePrefix.size() && key.compare(0, kSequencePrefix.size(), kSequencePrefix) == 0) {
      next_[key.substr(kSequencePrefix.size())] = offset;
    } else if (key == kJournalStartKey) {
      start_usec_ = offset;
    }
  }
}

std::optional<uint64_t> JournalProgress::next(std::string_view seqnum_id) const {
  auto it = next_.find(std::string(seqnum_id));
  if (it == next_.end()) return std::nullopt;
  return it->second;
}

bool JournalProgress::should_emit(const JournalSeqnum& at, uint64_t realtime_usec) const {
  auto it = next_.find(at.seqnum_id);
  if (it != next_.end()) return at.seqnum >= it->second;
  return start_usec_ == 0 || realtime_usec >= start_usec_;
}

void JournalProgress::advance(const JournalSeqnum& at) {
  const uint64_t after = at.seqnum == UINT64_MAX ? UINT64_MAX : at.seqnum + 1;  // a damaged file's seqnum
  uint64_t& n = next_[at.seqnum_id];
  if (after > n) n = after;
}

std::vector<SourcePosition> JournalProgress::positions(const std::string& source, const std::vector<std::string>& ids,
                                                       const std::string& path) const {
  std::vector<SourcePosition> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    auto it = next_.find(id);
    if (it != next_.end()) out.push_back(SourcePosition{source, journal_sequence_key(id), it->second, path});
  }
  return out;
}

}  // namespace sluice
