#include "pipeline/transforms/multiline/multiline.hpp"

#include <algorithm>

namespace sluice {

namespace {

void add_ack(LogBatch& out, const std::shared_ptr<Acknowledgement>& a) {
  if (std::find(out.acks.begin(), out.acks.end(), a) == out.acks.end()) out.acks.push_back(a);
}

// Adds `p` to `out`, replacing an earlier position of the same input
// (later batches are further along).
void add_position(LogBatch& out, SourcePosition&& p) {
  for (auto& q : out.positions) {
    if (q.source == p.source && q.key == p.key) {
      q = std::move(p);
      return;
    }
  }
  out.positions.push_back(std::move(p));
}

void put(std::string& key, std::string_view s) {
  key += std::to_string(s.size());
  key += ':';
  key += s;
}

}  // namespace

const OptionTable<MultilineOptions>& multiline_option_table() {
  static const OptionTable<MultilineOptions> table = [] {
    OptionTable<MultilineOptions> t;
    t.add_string("preset", &MultilineOptions::preset, "",
                 "Built-in rules for stack traces: java, python or go. Exclusive with start_pattern.")
        .add_string("start_pattern", &MultilineOptions::start_pattern, "",
                    "RE2 pattern: with nothing held, a matching line begins a record (other lines pass alone).")
        .add_string("condition_pattern", &MultilineOptions::condition_pattern, "",
                    "RE2 pattern the mode applies to the lines after the first. Default (halt_before only): "
                    "start_pattern.")
        .add_enum("mode", &MultilineOptions::mode, "halt_before",
                  {"continue_through", "continue_past", "halt_before", "halt_with"},
                  "How condition_pattern ends a record (Vector's modes): continue_through: matching lines join; "
                  "continue_past: matching lines and the next one join; halt_before: a matching line begins the "
                  "next record; halt_with: a matching line is the last of the record.")
        .add_duration("timeout", &MultilineOptions::timeout, "1s", "1ms", "1h",
                      "Emit a held record after this long without another line from its file.")
        .add_integer("max_lines", &MultilineOptions::max_lines, 1000, 1, 1'000'000,
                     "Lines per record at most; a longer record is cut into pieces flagged "
                     "attributes[\"log.split\"].")
        .add_size("max_bytes", &MultilineOptions::max_bytes, "1MiB", "16B", "64MiB",
                  "Body bytes per record at most (lines are never cut); beyond, as max_lines.")
        .add_string_list("group_by", &MultilineOptions::group_by, {"attributes.log.file.path"},
                         "Field paths whose values keep records apart: lines join only with lines that have the "
                         "same values.");
    return t;
  }();
  return table;
}

Result<std::unique_ptr<Multiline>> Multiline::create(const MultilineOptions& options, Clock clock) {
  std::shared_ptr<const MultilineProgram> program;
  if (options.preset.empty() == options.start_pattern.empty()) {
    return Status::InvalidArgument("multiline: set exactly one of preset (" +
                                   option_detail::list_text(multiline_preset_names()) + ") and start_pattern");
  }
  if (!options.preset.empty()) {
    if (!options.condition_pattern.empty()) {
      return Status::InvalidArgument("multiline: condition_pattern applies to start_pattern, not to a preset");
    }
    SLUICE_ASSIGN_OR_RETURN(program, preset_rules(options.preset));
  } else {
    std::string condition = options.condition_pattern;
    if (condition.empty()) {
      if (options.mode != "halt_before") {
        return Status::InvalidArgument("multiline: mode \"" + options.mode + "\" needs condition_pattern");
      }
      condition = options.start_pattern;
    }
    SLUICE_ASSIGN_OR_RETURN(program, rules_from_mode(options.start_pattern, condition, options.mode));
  }
  if (options.max_lines < 1 || options.max_bytes < 1 || options.timeout.count() <= 0) {
    return Status::InvalidArgument("multiline: max_lines, max_bytes and timeout must be positive");
  }
  if (!clock) {
    clock = [] {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  }
  LineGrouper::Limits limits{static_cast<uint64_t>(options.max_lines), options.max_bytes, options.timeout.count()};
  std::vector<FieldPath> group_by;
  for (const auto& g : options.group_by) {
    auto p = parse_field_path(g);
    if (!p.ok()) return p.status().with_context("multiline: group_by");
    group_by.push_back(std::move(p).value());
  }
  return std::make_unique<Multiline>(std::move(program), limits, std::move(group_by), std::move(clock));
}

std::string Multiline::key_of(const LogRecord& rec, const std::string& stream) const {
  std::string key;
  put(key, stream);
  std::string scratch;
  for (const auto& p : group_by_) {
    std::optional<std::string_view> v = p.get(rec, scratch);
    if (v) {
      put(key, *v);
    } else {
      key += '-';
    }
  }
  return key;
}

void Multiline::process(LogBatch& batch) {
  const uint64_t seq = base_seq_ + pending_.size();
  pending_.push_back(Pending{std::move(batch.positions), std::move(batch.acks), batch.records.size()});
  std::vector<LogRecord> records = std::move(batch.records);
  batch.records.clear();
  batch.positions.clear();
  batch.acks.clear();
  const int64_t now = clock_();
  for (LogRecord& rec : records) {
    std::string key = key_of(rec, batch.stream);
    grouper_.feed(key, batch.stream, std::move(rec), seq, now, emitted_);
  }
  deliver(batch);
  release(batch);
}

std::chrono::nanoseconds Multiline::flush_interval() const {
  return std::clamp<std::chrono::nanoseconds>(std::chrono::nanoseconds(timeout_ / 4), std::chrono::milliseconds(1),
                                              std::chrono::milliseconds(250));
}

void Multiline::flush(LogBatch& out, bool final) {
  if (!final) {
    const int64_t now = clock_();
    std::optional<std::string> tag = grouper_.due_tag(now);
    if (!tag) return;
    out.stream = *tag;
    grouper_.flush_due(*tag, now, emitted_);
    deliver(out);
    release(out);
    return;
  }
  grouper_.flush_all(emitted_);
  if (!emitted_.empty()) out.stream = emitted_.front().tag;
  // One batch names one stream: records of another stream (several
  // network sources feeding one multiline) cannot go out now. Their batches
  // are failed (the client retries) and their positions stay uncommitted
  // (the source reads them again after a restart).
  auto other = std::stable_partition(emitted_.begin(), emitted_.end(),
                                     [&](const GroupedRecord& r) { return r.tag == out.stream; });
  for (auto it = other; it != emitted_.end(); ++it) {
    for (uint64_t s : it->seqs) {
      for (auto& a : pending_[s - base_seq_].acks) {
        a->fail(DeliveryStatus::kErrored, "multiline: the pipeline stopped before the record was written");
      }
    }
  }
  emitted_.erase(other, emitted_.end());
  deliver(out);
  release(out);
}

void Multiline::deliver(LogBatch& out) {
  for (GroupedRecord& r : emitted_) {
    for (uint64_t s : r.seqs) {
      Pending& p = pending_[s - base_seq_];
      for (const auto& a : p.acks) add_ack(out, a);
      --p.held;
    }
    out.records.push_back(std::move(r.record));
  }
  emitted_.clear();
}

void Multiline::release(LogBatch& out) {
  while (!pending_.empty() && pending_.front().held == 0) {
    Pending& p = pending_.front();
    for (auto& pos : p.positions) add_position(out, std::move(pos));
    for (const auto& a : p.acks) add_ack(out, a);
    pending_.pop_front();
    ++base_seq_;
  }
}

Result<std::unique_ptr<Transform>> make_multiline(const MultilineOptions& options) {
  auto t = Multiline::create(options);
  if (!t.ok()) return t.status();
  return std::unique_ptr<Transform>(std::move(t).value());
}

}  // namespace sluice
