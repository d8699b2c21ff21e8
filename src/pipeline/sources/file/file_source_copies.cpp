// FileSource: copytruncate rotation (see the notes in file_source.hpp and
// copy_detection.hpp).
#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "pipeline/sources/file/file_source.hpp"

namespace sluice {

namespace {

/// How long a truncated generation is remembered for its copy to show up
/// (logrotate makes the copy before it truncates, so it is normally there
/// already; this covers a slow directory scan).
constexpr int64_t kDepartedTtlNs = 60'000'000'000;
constexpr size_t kMaxDeparted = 64;
/// Files with the same first line compared per new file: copies are one or
/// two; thousands of files sharing a header line must not cost n^2 reads.
constexpr size_t kMaxCopyCandidates = 8;

uint64_t fstat_size(const TailedFile& f, uint64_t fallback) {
  struct stat st {};
  return ::fstat(f.fd.fd(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : fallback;
}

}  // namespace

void FileSource::index_fingerprint(const TailedFile& f, bool add) {
  if (!f.fingerprint) return;
  const uint64_t hash = f.fingerprint->hash;
  if (add) {
    by_fingerprint_.emplace(hash, f.id());
    return;
  }
  auto [b, e] = by_fingerprint_.equal_range(hash);
  for (auto it = b; it != e; ++it) {
    if (it->second == f.id()) {
      by_fingerprint_.erase(it);
      return;
    }
  }
}

std::vector<TailedFile*> FileSource::same_fingerprint(const TailedFile& f) {
  std::vector<TailedFile*> out;
  if (!f.fingerprint) return out;
  auto [b, e] = by_fingerprint_.equal_range(f.fingerprint->hash);
  for (auto it = b; it != e && out.size() < kMaxCopyCandidates; ++it) {
    if (it->second == f.id()) continue;
    auto fit = files_.find(it->second);
    if (fit != files_.end() && !fit->second->ignored && fit->second->fingerprint) out.push_back(fit->second.get());
  }
  return out;
}

bool FileSource::is_prefix_copy(TailedFile& copy, TailedFile& origin) {
  copy.size = fstat_size(copy, copy.size);
  const uint64_t origin_size = fstat_size(origin, origin.size);
  if (copy.size > origin_size || copy.size == 0) return false;
  auto same = same_bytes_before(copy.fd.fd(), copy.path, origin.fd.fd(), origin.path, copy.size);
  return same.ok() && *same;
}

void FileSource::start_at_offset(TailedFile& f, uint64_t offset, bool report) {
  f.position = offset;
  f.read_end = 0;
  f.tail.clear();
  if (offset > 0) {
    const uint64_t len = std::min(offset, kCheckpointBytes);
    char before[kCheckpointBytes];
    auto n = pread_full(f.fd.fd(), before, len, offset - len, f.path);
    if (n.ok() && *n == len) {
      f.tail.assign(before, len);
      f.checkpoints.record(make_checkpoint(f.tail, offset));
    }
  }
  f.splitter.set_mid_line(!f.tail.empty() && f.tail.back() != '\n');
  if (report) add_position(f);
  report_lag(f);
  stats_dirty_ = true;
}

void FileSource::take_over(TailedFile& f, TailedFile& shorter) {
  spdlog::info("file source {}: {} holds all of {} and more: reading it on from byte {}", name_, f.path, shorter.path,
               shorter.position);
  f.copy_of.reset();
  start_at_offset(f, shorter.position, /*report=*/true);
  shorter.copy_of = f.id();
  shorter.linked_size = shorter.size;
  report_lag(shorter);
  queue(f);
}

bool FileSource::check_truncated(TailedFile& f, uint64_t size, Look look) {
  if (!f.fingerprint) return false;
  if (size < f.position) {
    depart(f, "shrank from " + std::to_string(f.position) + " to " + std::to_string(size) + " bytes (truncated)");
    return true;
  }
  if (look == Look::kSize || (look == Look::kResized && size == f.verified_size)) return false;
  // Make sure the file was not truncated and rewritten past our position
  // (or to the very size it had) in between two looks.
  std::string why;
  auto same = same_generation(f, &why);
  if (!same.ok()) {
    log_io_error(f, same.status());
    return false;
  }
  if (!*same) {
    depart(f, why);
    return true;
  }
  f.verified_size = size;
  return false;
}

Result<bool> FileSource::same_generation(TailedFile& f, std::string* why) {
  SLUICE_ASSIGN_OR_RETURN(bool first, starts_with_fingerprint(f.fd.fd(), *f.fingerprint, f.path));
  if (!first) {
    *why = "has a different first line (truncated and rewritten)";
    return false;
  }
  std::optional<Checkpoint> cp;
  if (f.position > 0 && f.tail.size() == std::min(f.position, kCheckpointBytes)) {
    cp = make_checkpoint(f.tail, f.position);
  } else if (const Checkpoint* newest = f.checkpoints.newest(); newest != nullptr) {
    cp = *newest;
  }
  if (cp && cp->offset > 0) {
    SLUICE_ASSIGN_OR_RETURN(bool same, matches_checkpoint(f.fd.fd(), *cp, f.path));
    if (!same) {
      *why = "no longer holds the bytes before byte " + std::to_string(cp->offset) + " (truncated)";
      return false;
    }
  }
  return true;
}

void FileSource::depart(TailedFile& f, const std::string& why) {
  spdlog::info("file source {}: {} ({}) {}; reading it again from the beginning", name_, f.path, f.key, why);
  if (f.copy_of) {
    f.copy_of.reset();  // a copy that was itself truncated: a file of its own now
  } else if (resolve_copies(f, /*truncated=*/true) == 0 && f.position > 0 && f.fingerprint) {
    departed_.push_back(Departed{f.id(), f.fingerprint->hash, f.position, f.checkpoints, f.path,
                                 file_steady_now_ns() + kDepartedTtlNs});
    if (departed_.size() > kMaxDeparted) departed_.pop_front();
  }
  index_fingerprint(f, /*add=*/false);
  f.fingerprint.reset();
  f.key.clear();
  f.position = 0;
  f.verified_size = 0;
  f.read_end = 0;
  f.found_at_start = false;
  f.resumed = false;
  f.splitter.set_mid_line(false);
  f.checkpoints.clear();
  f.tail.clear();
  report_lag(f);
  stats_dirty_ = true;
}

int FileSource::resolve_copies(const TailedFile& origin, bool truncated) {
  int resolved = 0;
  for (TailedFile* c : same_fingerprint(origin)) {
    if (!c->copy_of || *c->copy_of != origin.id()) continue;
    c->copy_of.reset();
    c->size = fstat_size(*c, c->size);
    queue(*c);
    if (!truncated && c->size <= c->fingerprint->length) {
      // Only the first line in common and no truncation: a new file that
      // starts like the old one (a header line), not a copy.
      report_lag(*c);
      continue;
    }
    uint64_t at = std::min(origin.position, c->size);
    spdlog::info(
        "file source {}: reading {} from byte {}: it is a copy of {}, which was read to byte {} before it "
        "was {}",
        name_, c->path, at, origin.path, origin.position, truncated ? "truncated" : "closed");
    start_at_offset(*c, at, /*report=*/true);
    ++resolved;
  }
  return resolved;
}

void FileSource::detect_copy(TailedFile& f) {
  // 1. A followed file with the same first line whose bytes f repeats. The
  // bytes are compared first and truncation is checked after, so that a
  // truncation racing with the comparison is seen (then step 2 applies).
  for (TailedFile* o : same_fingerprint(f)) {
    if (o->copy_of) continue;
    // o's position is only worth something for o's generation: o may have
    // been truncated and rewritten since it was last read, even to the same
    // size (the source held back), and nothing looked yet.
    if (check_truncated(*o, fstat_size(*o, o->size), Look::kContent)) {
      queue(*o);  // its generation departed: step 2
      continue;
    }
    if (is_prefix_copy(f, *o)) {
      spdlog::info("file source {}: {} is a copy of {} (same first {} bytes); not reading it while that is followed",
                   name_, f.path, o->path, f.size);
      f.copy_of = o->id();
      f.linked_size = f.size;
      report_lag(f);
      return;
    }
    if (o->size > o->fingerprint->length && is_prefix_copy(*o, f)) {
      take_over(f, *o);  // more than a shared first line: f continues o
      return;
    }
    if (check_truncated(*o, fstat_size(*o, o->size), Look::kContent)) queue(*o);  // its generation departed
  }
  // 2. A generation truncated a moment ago whose checkpoints f repeats.
  const int64_t now = file_steady_now_ns();
  std::erase_if(departed_, [now](const Departed& d) { return d.expires_ns <= now; });
  for (auto it = departed_.begin(); it != departed_.end(); ++it) {
    if (it->hash != f.fingerprint->hash || it->id == f.id()) continue;
    auto at = copy_resume_offset(f.fd.fd(), fstat_size(f, f.size), f.path, it->position, it->checkpoints);
    if (!at.ok() || !at->has_value()) {
      spdlog::info(
          "file source {}: {} ({} bytes) starts like {} did before its truncation at byte {}, but its "
          "bytes differ: a new file",
          name_, f.path, fstat_size(f, f.size), it->path, it->position);
      continue;
    }
    spdlog::info(
        "file source {}: reading {} from byte {}: it is a copy of {}, which was read to byte {} before it "
        "was truncated",
        name_, f.path, **at, it->path, it->position);
    start_at_offset(f, **at, /*report=*/true);
    departed_.erase(it);
    return;
  }
}

void FileSource::service_copy(TailedFile& f) {
  auto it = files_.find(*f.copy_of);
  if (it == files_.end() || !it->second->fingerprint || it->second->fingerprint->hash != f.fingerprint->hash) {
    f.copy_of.reset();  // cannot happen: origins resolve their copies when they go
    queue(f);
    return;
  }
  TailedFile& origin = *it->second;
  if (f.size == f.linked_size) return;
  if (check_truncated(origin, fstat_size(origin, origin.size), Look::kContent)) {
    queue(origin);  // truncated meanwhile: that resolved f (resolve_copies)
    return;
  }
  if (is_prefix_copy(f, origin)) {
    f.linked_size = f.size;
    return;
  }
  if (origin.size > origin.fingerprint->length && is_prefix_copy(origin, f)) {
    take_over(f, origin);
    return;
  }
  if (check_truncated(origin, fstat_size(origin, origin.size), Look::kContent)) {
    queue(origin);  // truncated meanwhile: that resolved f (resolve_copies)
    return;
  }
  spdlog::info("file source {}: {} is no longer a copy of {}; reading it as a file of its own", name_, f.path,
               origin.path);
  f.copy_of.reset();
  queue(f);
}

void FileSource::detect_initial_copies() {
  // Committed generations by fingerprint: the keys "dev:inode:hash".
  std::unordered_multimap<uint64_t, std::pair<FileId, uint64_t>> committed;
  for (const auto& [key, offset] : ctx_->committed) {
    if (auto p = parse_identity_key(key)) committed.emplace(p->hash, std::make_pair(FileId{p->dev, p->ino}, offset));
  }
  for (auto& [id, owned] : files_) {
    TailedFile& f = *owned;
    if (!f.fingerprint || f.ignored || f.resumed || f.copy_of) continue;
    // 1. A copy of another file found now: the one with a committed
    // position, else the longer one (then the lower inode) is read.
    TailedFile* origin = nullptr;
    for (TailedFile* o : same_fingerprint(f)) {
      bool o_first = o->resumed || o->size > f.size || (o->size == f.size && o->id() < f.id());
      if (o_first && is_prefix_copy(f, *o)) {
        origin = o;
        break;
      }
    }
    if (origin != nullptr) {
      spdlog::info("file source {}: {} is a copy of {}; not reading it while that is followed", name_, f.path,
                   origin->path);
      f.copy_of = origin->id();
      f.linked_size = f.size;
      f.position = 0;
      report_lag(f);
      continue;
    }
    // 2. The generation of a committed key was truncated while sluice was
    // down (its inode now has another first line, or is shorter), and f has
    // its first line: f is its copy, read on from the committed position.
    uint64_t best = 0;
    std::string from;
    auto [b, e] = committed.equal_range(f.fingerprint->hash);
    size_t looked = 0;
    for (auto it = b; it != e && looked < 64; ++it, ++looked) {
      const auto& [oid, offset] = it->second;
      auto o = files_.find(oid);
      if (oid == f.id() || o == files_.end() || offset <= best) continue;
      const TailedFile& t = *o->second;
      if (t.ignored) continue;
      bool truncated = !t.fingerprint || t.fingerprint->hash != f.fingerprint->hash || fstat_size(t, t.size) < offset;
      if (!truncated) continue;
      best = offset;
      from = t.path;
    }
    if (best == 0) continue;
    uint64_t at = std::min(best, f.size);
    spdlog::info(
        "file source {}: reading {} from byte {}: it is a copy of {}, committed at byte {} before it was "
        "truncated",
        name_, f.path, at, from, best);
    f.resumed = true;
    start_at_offset(f, at, /*report=*/true);
  }
}

}  // namespace sluice
