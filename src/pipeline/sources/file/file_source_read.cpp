// FileSource: one file's turn, reading lines, building batches (see
// file_source.hpp).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

#include "pipeline/sources/file/file_source.hpp"

namespace sluice {

namespace {

int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Smallest read while the turn's budget is smaller (rate limits): enough
/// for many short lines, small enough not to overshoot much.
constexpr uint64_t kMinReadBytes = 4096;

}  // namespace

bool FileSource::will_read(const TailedFile& f, uint64_t size, bool settled) {
  // A held partial line is not read again until the file grows.
  return settled || size > std::max(f.position, f.read_end);
}

void FileSource::log_io_error(TailedFile& f, const Status& st) {
  if (st.message() == f.last_error) return;
  f.last_error = st.message();
  spdlog::warn("file source {}: {}", name_, st.message());
}

Status FileSource::service(TailedFile& f, int64_t now, Turn* turn) {
  Status st = take_turn(f, now, turn);
  // Every way out of a turn may have changed the size or the position
  // (truncations, a first line still incomplete, a copy).
  report_lag(f);
  return st;
}

Status FileSource::take_turn(TailedFile& f, int64_t now, Turn* turn) {
  if (f.ignored) return Status::Ok();
  struct stat st {};
  if (::fstat(f.fd.fd(), &st) != 0) {
    log_io_error(f, Status::FromErrno("fstat " + f.path, errno));
    return Status::Ok();
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size != f.size) {
    f.size = size;
    f.last_change_ns = now;
  }
  if (st.st_nlink == 0) f.deleted = true;
  // Drained-and-gone rule: deleted or missing from two scans in a row, and
  // no growth for rotate_wait.
  const bool gone = f.deleted || f.missing_scans >= 2;
  const int64_t settle_at = f.last_change_ns + options_.rotate_wait.count();
  const bool settled = gone && now >= settle_at;
  if (gone && !settled) turn->wake_ns = settle_at;

  if (!f.fingerprint) {
    if (skip_if_compressed(f, /*force=*/settled)) return Status::Ok();
    auto fp = read_fingerprint(f.fd.fd(), options_.fingerprint_bytes, /*force=*/settled, f.path);
    if (!fp.ok()) {
      log_io_error(f, fp.status());
      return Status::Ok();
    }
    // Not ready while the first line is incomplete, or the first bytes may
    // still turn out to be a compression signature.
    bool sniffed = f.sniffed || !options_.ignore_compressed;
    if (!fp->has_value() || !sniffed) {
      turn->close = settled;
      return Status::Ok();
    }
    become_ready(f, **fp, /*initial=*/false);
  } else if (check_truncated(f, size, !f.copy_of && will_read(f, size, settled) ? Look::kSize : Look::kResized)) {
    // (A turn that reads checks the content after its read, in read_lines.)
    turn->more = true;
    return Status::Ok();
  }
  if (f.copy_of) {
    // A copy is not read; once deleted it has nothing left to offer.
    if (settled) {
      turn->close = true;
    } else {
      service_copy(f);
    }
    return Status::Ok();
  }

  uint64_t budget = options_.max_bytes_per_turn;
  if (f.bucket) {
    f.bucket->refill(now);
    budget = std::min(budget, f.bucket->available());
  }
  bool eof = true;
  if (will_read(f, size, settled)) {
    if (budget == 0) {
      eof = false;
    } else {
      uint64_t consumed = 0;
      bool departed = false;
      SLUICE_RETURN_IF_ERROR(read_lines(f, settled, budget, &consumed, &eof, &departed));
      if (f.bucket) f.bucket->take(consumed);
      if (departed) {
        turn->more = true;  // read it again from 0 under its new identity
        return Status::Ok();
      }
    }
    if (!eof && f.last_error.empty()) {
      if (f.bucket && f.bucket->available() == 0) {
        // Wait for a useful amount: about 1/20 s of the rate.
        uint64_t want = std::clamp<uint64_t>(options_.max_read_bytes_per_second / 20, 1, kMinReadBytes);
        int64_t at = f.bucket->ready_at_ns(want);
        turn->wake_ns = turn->wake_ns == 0 ? at : std::min(turn->wake_ns, at);
      } else {
        turn->more = true;  // turn over, more to read
      }
    }
  }
  if (settled && eof) {
    turn->close = true;
    return Status::Ok();
  }
  if (eof && !gone && f.missing_scans == 0 && f.watch < 0) {
    // Polled, idle and believed live: a cheap check whether the path now
    // names another file (rotation), to re-scan without waiting for
    // glob_interval. (A watched file reports its rename.)
    struct stat ps {};
    if (::stat(f.path.c_str(), &ps) != 0 || ps.st_dev != f.dev || ps.st_ino != f.ino) rescan_requested_ = true;
  }
  return Status::Ok();
}

Status FileSource::read_lines(TailedFile& f, bool final, uint64_t budget, uint64_t* consumed, bool* eof,
                              bool* departed) {
  *consumed = 0;
  *eof = false;
  *departed = false;
  const uint64_t start = f.position;
  size_t have = 0;  // valid bytes in buffer_, starting at file offset f.position
  while (*consumed < budget && !*eof) {
    // Read what the budget allows, at least kMinReadBytes more than held
    // (a partial line needs more), at most a buffer: a full buffer always
    // holds a piece (it has room for max_line_bytes + 2).
    uint64_t target = std::min<uint64_t>(buffer_.size(), std::max<uint64_t>(budget - *consumed, have + kMinReadBytes));
    size_t want = static_cast<size_t>(target) - have;
    auto n = pread_full(f.fd.fd(), buffer_.data() + have, want, f.position + have, f.path);
    if (!n.ok()) {
      log_io_error(f, n.status());
      break;
    }
    f.bytes_read += *n;
    read_time_ns_ = unix_now_ns();  // the lines of one read are observed together
    if (*n > 0) {
      // The bytes belong to f's generation only if it is still there now:
      // truncated (and rewritten, maybe to the size seen before) before the
      // read, the file no longer has f's first line or the bytes before
      // f.position. Checked after the read, so that no truncation can slip
      // in between the check and the read.
      std::string why;
      auto same = same_generation(f, &why);
      if (!same.ok()) {
        log_io_error(f, same.status());
        break;
      }
      if (!*same) {
        // The departed generation's newest checkpoint must be at f.position,
        // for its copy to be read on from there.
        if (f.position != start) record_checkpoint(f);
        depart(f, why);
        *departed = true;
        *eof = false;
        return Status::Ok();
      }
      f.verified_size = f.size;
    }
    f.last_error.clear();
    have += *n;
    if (*n < want) *eof = true;
    if (have == 0) break;
    const uint64_t base = f.position;
    const uint64_t stop_after = budget - *consumed;  // bytes of this chunk that end the turn
    bool budget_spent = false;
    Status emit_status;
    size_t used = f.splitter.split(std::string_view(buffer_.data(), have), final && *eof,
                                   [&](std::string_view text, LinePart part, size_t end) {
                                     emit_status = add_record(f, text, part, base + end);
                                     budget_spent = end >= stop_after;
                                     return emit_status.ok() && !budget_spent;
                                   });
    SLUICE_RETURN_IF_ERROR(emit_status);
    f.position = base + used;
    *consumed += used;
    // Keep the bytes before the position: the checkpoint is taken from what
    // was read, as the file may be truncated by now.
    if (used >= kCheckpointBytes) {
      f.tail.assign(buffer_.data() + used - kCheckpointBytes, kCheckpointBytes);
    } else if (used > 0) {
      f.tail.append(buffer_.data(), used);
      if (f.tail.size() > kCheckpointBytes) f.tail.erase(0, f.tail.size() - kCheckpointBytes);
    }
    if (budget_spent) {
      *eof = false;  // complete lines may be left in the buffer: not a place to wait for growth
      break;
    }
    std::memmove(buffer_.data(), buffer_.data() + used, have - used);
    have -= used;
  }
  if (*eof) f.read_end = f.position + have;
  if (f.position != start) record_checkpoint(f);
  return Status::Ok();
}

void FileSource::record_checkpoint(TailedFile& f) {
  if (f.tail.size() == std::min(f.position, kCheckpointBytes)) {
    f.checkpoints.record(make_checkpoint(f.tail, f.position));
  } else if (auto r = read_checkpoint(f.fd.fd(), f.position, f.path); r.ok() && r->has_value()) {
    f.checkpoints.record(**r);  // cannot happen: the tail is kept from every start offset
  }
}

void FileSource::add_position(const TailedFile& f) {
  // Consecutive lines mostly come from one file: its entry is checked
  // first, by key, before the lookup.
  if (batch_.positions.empty() || batch_.positions[batch_last_index_].key != f.key) {
    auto [it, inserted] = batch_position_index_.try_emplace(f.key, batch_.positions.size());
    if (inserted) batch_.positions.push_back(SourcePosition{name_, f.key, f.position, f.path});
    batch_last_index_ = it->second;
  }
  SourcePosition& p = batch_.positions[batch_last_index_];
  p.offset = f.position;
  p.path = f.path;
  p.replay =
      f.replay_until > 0 && f.position <= f.replay_until ? SourcePosition::Replay::kWhole : SourcePosition::Replay::kNo;
}

Status FileSource::add_record(TailedFile& f, std::string_view text, LinePart part, uint64_t offset_after) {
  // A batch of lines read again holds one file only, so that a sink whose
  // path had them can skip it whole.
  if (!batch_.positions.empty() &&
      (f.position < f.replay_until || batch_.positions[batch_last_index_].replay != SourcePosition::Replay::kNo) &&
      batch_.positions[batch_last_index_].key != f.key) {
    SLUICE_RETURN_IF_ERROR(flush());
  }
  if (batch_.records.empty()) {
    batch_.records.reserve(
        std::min<size_t>(static_cast<size_t>(options_.max_batch_records), std::max<size_t>(last_batch_records_, 16)));
  }
  LogRecord& r = batch_.records.emplace_back();
  r.observed_timestamp_ns = read_time_ns_;
  r.body.assign(text.data(), text.size());
  r.attributes.reserve(part == LinePart::kWhole ? 2 : 3);
  static const AttributeKey kPath("log.file.path"), kName("log.file.name");
  r.attributes.emplace_back(kPath, f.path);
  r.attributes.emplace_back(kName, f.name);
  if (part != LinePart::kWhole) r.attributes.emplace_back("log.split", std::string(line_part_name(part)));
  batch_bytes_ += text.size();
  ++f.lines_emitted;
  f.position = offset_after;
  add_position(f);
  bool cut = false;
  while (!f.cuts.empty() && f.cuts.front() <= f.position) {
    f.cuts.erase(f.cuts.begin());
    cut = true;
  }
  if (cut || batch_.records.size() >= static_cast<uint64_t>(options_.max_batch_records) ||
      batch_bytes_ >= options_.max_batch_bytes) {
    return flush();
  }
  return Status::Ok();
}

Status FileSource::flush() {
  if (batch_.empty()) return Status::Ok();
  last_batch_records_ = batch_.records.size();
  LogBatch out = std::move(batch_);
  batch_ = LogBatch{};
  batch_bytes_ = 0;
  batch_position_index_.clear();
  return ctx_->emit(std::move(out));
}

}  // namespace sluice
