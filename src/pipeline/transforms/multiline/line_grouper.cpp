#include "pipeline/transforms/multiline/line_grouper.hpp"

namespace sluice {

namespace {

constexpr std::string_view kSplitAttribute = "log.split";

std::string_view piece_name(int piece, bool last) {
  if (last) return "last";
  return piece == 0 ? "first" : "middle";
}

}  // namespace

void LineGrouper::feed(const std::string& key, const std::string& tag, LogRecord&& line, uint64_t seq, int64_t now_ns,
                       std::vector<GroupedRecord>& out) {
  work_.push_back(Line{std::move(line), seq});
  run(key, tag, now_ns, out);
}

void LineGrouper::run(const std::string& key, const std::string& tag, int64_t now_ns, std::vector<GroupedRecord>& out) {
  while (!work_.empty()) {
    Line line = std::move(work_.front());
    work_.pop_front();
    auto it = groups_.find(key);
    if (it == groups_.end()) {
      const MultilineRule* r = MultilineProgram::match(program_->start, line.record.body);
      if (r != nullptr) {
        begin(key, tag, std::move(line), r->next, now_ns);
      } else {
        out.push_back(GroupedRecord{std::move(line.record), {line.seq}, tag});
      }
      continue;
    }
    Group& g = it->second;
    const auto& rules = program_->states[static_cast<size_t>(g.state)].rules;
    const MultilineRule* r = MultilineProgram::match(rules, line.record.body);
    const LineAction action = r == nullptr ? LineAction::kEndExclude : r->action;
    g.last_ns = now_ns;
    if (action == LineAction::kEndExclude) {
      work_.push_front(std::move(line));
      emit(g, /*last=*/true, out);  // puts its tentative lines in front of `line`
      groups_.erase(it);
      continue;
    }
    join(g, std::move(line), r->tentative, out);
    if (action == LineAction::kJoin) {
      g.state = r->next;
    } else {
      emit(g, /*last=*/true, out);
      groups_.erase(it);
    }
  }
}

void LineGrouper::begin(const std::string& key, const std::string& tag, Line&& line, int state, int64_t now_ns) {
  Group g;
  g.tag = tag;
  g.bytes = line.record.body.size();
  g.lines = 1;
  g.seqs.push_back(line.seq);
  g.head = std::move(line.record);
  g.state = state;
  g.last_ns = now_ns;
  groups_.emplace(key, std::move(g));
}

void LineGrouper::commit_tentative(Group& g) {
  for (Line& t : g.tentative) {
    g.head.body += '\n';
    g.head.body += t.record.body;
    g.seqs.push_back(t.seq);
  }
  g.tentative.clear();
}

void LineGrouper::join(Group& g, Line&& line, bool tentative, std::vector<GroupedRecord>& out) {
  const uint64_t size = line.record.body.size();
  if (g.lines + 1 > limits_.max_lines || g.bytes + 1 + size > limits_.max_bytes) {
    // Too big: emit what is held (tentative lines included) as one piece
    // and continue the group, in the same state, with this line.
    commit_tentative(g);
    emit(g, /*last=*/false, out);
    const int piece = g.piece;
    g.head = std::move(line.record);
    g.seqs = {line.seq};
    g.lines = 1;
    g.bytes = size;
    g.piece = piece;
    return;
  }
  g.lines += 1;
  g.bytes += 1 + size;
  if (tentative) {
    g.tentative.push_back(std::move(line));
    return;
  }
  commit_tentative(g);
  g.head.body += '\n';
  g.head.body += line.record.body;
  g.seqs.push_back(line.seq);
}

void LineGrouper::emit(Group& g, bool last, std::vector<GroupedRecord>& out) {
  for (auto t = g.tentative.rbegin(); t != g.tentative.rend(); ++t) work_.push_front(std::move(*t));
  g.tentative.clear();
  if (g.piece > 0 || !last) set_key_value(g.head.attributes, kSplitAttribute, std::string(piece_name(g.piece, last)));
  out.push_back(GroupedRecord{std::move(g.head), std::move(g.seqs), g.tag});
  g.head = LogRecord{};
  g.seqs.clear();
  g.lines = 0;
  g.bytes = 0;
  ++g.piece;
}

std::optional<std::string> LineGrouper::due_tag(int64_t now_ns) const {
  for (const auto& [key, g] : groups_) {
    if (now_ns - g.last_ns >= limits_.timeout_ns) return g.tag;
  }
  return std::nullopt;
}

void LineGrouper::flush_due(const std::string& tag, int64_t now_ns, std::vector<GroupedRecord>& out) {
  std::vector<std::string> due;
  for (const auto& [key, g] : groups_) {
    if (g.tag == tag && now_ns - g.last_ns >= limits_.timeout_ns) due.push_back(key);
  }
  for (const auto& key : due) {
    auto it = groups_.find(key);
    emit(it->second, /*last=*/true, out);
    groups_.erase(it);
    run(key, tag, now_ns, out);  // the tentative lines, afresh
  }
}

void LineGrouper::flush_all(std::vector<GroupedRecord>& out) {
  while (!groups_.empty()) {
    auto it = groups_.begin();
    const std::string key = it->first;
    const std::string tag = it->second.tag;
    emit(it->second, /*last=*/true, out);
    groups_.erase(it);
    run(key, tag, 0, out);  // may hold some of the tentative lines again
  }
}

}  // namespace sluice
