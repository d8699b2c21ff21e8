#include "pipeline/transforms/parse_cri/partial_joiner.hpp"

#include <algorithm>

namespace sluice {
namespace {

void add_unique(std::vector<std::shared_ptr<Acknowledgement>>& v, const std::shared_ptr<Acknowledgement>& a) {
  if (std::find(v.begin(), v.end(), a) == v.end()) v.push_back(a);
}

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

PartialJoiner::PartialJoiner(std::chrono::nanoseconds timeout, uint64_t max_bytes, Clock clock)
    : timeout_(timeout), max_bytes_(max_bytes == 0 ? 1 : max_bytes), clock_(std::move(clock)) {
  if (!clock_) clock_ = steady_now_ns;
}

void PartialJoiner::add(LogBatch& batch, LogRecord&& rec, LinePiece&& piece, std::vector<LogRecord>& out) {
  std::string key = std::move(piece.key);
  key += '\0';
  key += batch.stream;
  const bool final = piece.kind == LinePiece::Kind::kFinal;
  auto it = lines_.find(key);
  if (it == lines_.end()) {
    if (final) {  // a whole line: nothing to join
      out.push_back(std::move(rec));
      return;
    }
    it = lines_.emplace(std::move(key), Line{}).first;
  }
  Line& line = it->second;
  if (line.has_data && line.rec.body.size() + rec.body.size() > max_bytes_) {
    emit(line, line.continued ? "middle" : "first", out, pending_acks_);
  }
  if (!line.has_data) {
    line.rec = std::move(rec);
    line.has_data = true;
    line.path = std::move(piece.path);
    line.stream = batch.stream;
  } else {
    line.rec.body += rec.body;
  }
  line.last_ns = clock_();
  for (const auto& a : batch.acks) add_unique(line.acks, a);
  auto block = [&line](const SourcePosition& p) {
    for (const auto& b : line.blocks) {
      if (b.first == p.source && b.second == p.key) return;
    }
    line.blocks.emplace_back(p.source, p.key);
  };
  bool matched = false;
  for (const auto& p : batch.positions) {
    if (!line.path.empty() && p.path == line.path) {
      block(p);
      matched = true;
    }
  }
  if (!matched) {
    for (const auto& p : batch.positions) block(p);
  }
  if (final) {
    emit(line, line.continued ? "last" : "", out, pending_acks_);
    lines_.erase(it);
  } else if (line.rec.body.size() >= max_bytes_) {
    emit(line, line.continued ? "middle" : "first", out, pending_acks_);
  }
}

void PartialJoiner::emit(Line& line, std::string_view part, std::vector<LogRecord>& out,
                         std::vector<std::shared_ptr<Acknowledgement>>& acks) {
  LogRecord r = std::move(line.rec);
  line.rec = LogRecord{};
  if (!part.empty()) set_key_value(r.attributes, "log.split", std::string(part));
  out.push_back(std::move(r));
  for (const auto& a : line.acks) add_unique(acks, a);
  line.acks.clear();
  line.blocks.clear();
  line.has_data = false;
  if (part == "first" || part == "middle") {
    line.continued = true;
    line.last_ns = clock_();
  }
}

void PartialJoiner::trim_continued() {
  if (lines_.size() <= kMaxContinued) return;
  std::vector<std::map<std::string, Line>::iterator> markers;
  for (auto it = lines_.begin(); it != lines_.end(); ++it) {
    if (!it->second.has_data) markers.push_back(it);
  }
  if (markers.size() <= kMaxContinued) return;
  const size_t excess = markers.size() - kMaxContinued;
  std::nth_element(markers.begin(), markers.begin() + static_cast<std::ptrdiff_t>(excess), markers.end(),
                   [](const auto& a, const auto& b) { return a->second.last_ns < b->second.last_ns; });
  for (size_t i = 0; i < excess; ++i) lines_.erase(markers[i]);
}

bool PartialJoiner::blocked(const SourcePosition& p) const {
  for (const auto& [key, line] : lines_) {
    if (!line.has_data) continue;
    for (const auto& b : line.blocks) {
      if (b.first == p.source && b.second == p.key) return true;
    }
  }
  return false;
}

void PartialJoiner::settle_positions(LogBatch& batch) {
  std::vector<SourcePosition> all = std::move(withheld_);
  withheld_.clear();
  for (auto& p : batch.positions) {
    auto same = std::find_if(all.begin(), all.end(),
                             [&p](const SourcePosition& q) { return q.source == p.source && q.key == p.key; });
    if (same != all.end()) {
      *same = std::move(p);  // the batch's position is the later one
    } else {
      all.push_back(std::move(p));
    }
  }
  batch.positions.clear();
  for (auto& p : all) (blocked(p) ? withheld_ : batch.positions).push_back(std::move(p));
  for (const auto& a : pending_acks_) add_unique(batch.acks, a);
  pending_acks_.clear();
  trim_continued();
}

void PartialJoiner::flush(LogBatch& out, bool final) {
  const int64_t now = clock_();
  bool have_stream = !out.records.empty();
  for (auto it = lines_.begin(); it != lines_.end();) {
    Line& line = it->second;
    if (line.has_data && (final || now - line.last_ns >= timeout_.count())) {
      if (!have_stream) {
        out.stream = line.stream;
        have_stream = true;
      }
      if (final || line.stream == out.stream) emit(line, line.continued ? "middle" : "first", out.records, out.acks);
    }
    it = final ? lines_.erase(it) : std::next(it);
  }
  std::vector<SourcePosition> keep;
  for (auto& p : withheld_) {
    if (!final && blocked(p)) {
      keep.push_back(std::move(p));
    } else {
      out.positions.push_back(std::move(p));
    }
  }
  withheld_ = std::move(keep);
  trim_continued();
}

size_t PartialJoiner::held_lines() const {
  return static_cast<size_t>(
      std::count_if(lines_.begin(), lines_.end(), [](const auto& kv) { return kv.second.has_data; }));
}

}  // namespace sluice
