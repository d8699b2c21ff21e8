// FileSource: glob scans, directory and file watches, identity and start
// offsets (see file_source.hpp).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <spdlog/spdlog.h>

#include "pipeline/sources/file/compressed.hpp"
#include "pipeline/sources/file/file_source.hpp"

namespace sluice {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// Rotated logs that were compressed, by name (the content is checked too,
/// in become_ready, for names that do not say so).
bool is_compressed_name(std::string_view path) {
  for (std::string_view ext : {".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4"}) {
    if (ends_with(path, ext)) return true;
  }
  return false;
}

}  // namespace

bool FileSource::path_matches(const std::string& path) const {
  if (options_.ignore_compressed && is_compressed_name(path)) return false;
  if (std::any_of(exclude_.begin(), exclude_.end(), [&](const Glob& g) { return g.matches(path); })) return false;
  return std::any_of(include_.begin(), include_.end(), [&](const Glob& g) { return g.matches(path); });
}

void FileSource::consider_path(const std::string& path, int64_t now) {
  if (!path_matches(path)) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  auto it = files_.find(FileId{st.st_dev, st.st_ino});
  TailedFile* f = it != files_.end() ? it->second.get() : open_file(path, /*initial=*/false, now);
  if (f == nullptr || f->ignored) return;
  if (f->path != path) set_path(*f, path);
  f->missing_scans = 0;
  queue(*f);
}

void FileSource::follow_rotated(const std::string& path, const std::string& origin, const struct stat& st,
                                int64_t now) {
  // Followed, or read to its end and closed since: nothing was missed.
  if (!S_ISREG(st.st_mode) || files_.count(FileId{st.st_dev, st.st_ino}) || closed_lately(path, st)) return;
  TailedFile* f = open_file(path, /*initial=*/false, now);
  if (f == nullptr || f->ignored) return;
  spdlog::debug("file source {}: {} left {} before it was followed; reading it from its start", name_, path, origin);
  // Its records carry the name they were written under. No pattern matches
  // where it is now: the next scans miss it, and it is read to its end and
  // closed like any file renamed away.
  set_path(*f, origin);
  rescan_requested_ = true;
}

bool FileSource::closed_lately(const std::string& path, const struct stat& st) const {
  const FileId id{st.st_dev, st.st_ino};
  auto same_inode = [&](const Closed& c) { return c.id == id; };
  auto it = std::find_if(closed_.rbegin(), closed_.rend(), same_inode);
  if (it == closed_.rend()) return false;
  // The same inode may hold a new file since: compare the first lines.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat now {};
  if (fd.fd() < 0 || ::fstat(fd.fd(), &now) != 0 || FileId{now.st_dev, now.st_ino} != id) return false;
  auto fp = read_fingerprint(fd.fd(), options_.fingerprint_bytes, /*force=*/false, path);
  return fp.ok() && fp->has_value() && (*fp)->hash == it->hash;
}

std::vector<std::string> FileSource::matched_paths(std::vector<std::string>* dirs) const {
  std::vector<std::string> paths;
  for (const auto& g : include_) g.expand(&paths, dirs);
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  std::erase_if(paths, [this](const std::string& p) {
    if (options_.ignore_compressed && is_compressed_name(p)) return true;
    return std::any_of(exclude_.begin(), exclude_.end(), [&](const Glob& g) { return g.matches(p); });
  });
  return paths;
}

void FileSource::scan(bool initial) {
  const int64_t now = file_steady_now_ns();
  std::vector<std::string> dirs;
  std::vector<FileId> seen;
  for (const std::string& path : matched_paths(&dirs)) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    auto it = files_.find(FileId{st.st_dev, st.st_ino});
    if (it != files_.end() && it->second->ignored && static_cast<uint64_t>(st.st_size) != it->second->size) {
      // A compressed file that changed: look at its first bytes again.
      close_file(it);
      it = files_.end();
    }
    TailedFile* f = it != files_.end() ? it->second.get() : open_file(path, initial, now);
    if (f == nullptr) continue;
    if (f->path != path) set_path(*f, path);
    f->missing_scans = 0;
    seen.push_back(f->id());
  }
  std::sort(seen.begin(), seen.end());
  for (auto it = files_.begin(); it != files_.end();) {
    auto next = std::next(it);
    TailedFile& f = *it->second;
    if (!std::binary_search(seen.begin(), seen.end(), it->first)) {
      ++f.missing_scans;
      if (f.ignored && f.missing_scans >= 2) {
        close_file(it);
      } else {
        // A second scan soon confirms that it is gone (a single listing can
        // miss an entry being renamed); then it is drained and closed.
        if (f.missing_scans == 1) rescan_requested_ = true;
        queue(f);
      }
    }
    it = next;
  }
  update_dir_watches(std::move(dirs));
}

void FileSource::update_dir_watches(std::vector<std::string> dirs) {
  if (!inotify_active()) return;
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  bool added = false;
  bool failed = false;
  for (const std::string& d : dirs) {
    if (dir_watches_.count(d)) continue;
    std::string error;
    int wd = watcher_->add_dir(d, &error);
    if (wd < 0) {
      failed = true;
      if (std::find(warned_paths_.begin(), warned_paths_.end(), d) == warned_paths_.end()) {
        spdlog::warn(
            "file source {}: {}; scanning it every glob_interval instead (if out of watches, raise "
            "fs.inotify.max_user_watches)",
            name_, error);
        warned_paths_.push_back(d);
      }
      continue;
    }
    dir_watches_.emplace(d, wd);
    ++dir_wd_refs_[wd];
    dir_paths_.emplace(wd, d);
    added = true;
  }
  for (auto it = dir_watches_.begin(); it != dir_watches_.end();) {
    if (std::binary_search(dirs.begin(), dirs.end(), it->first)) {
      ++it;
      continue;
    }
    const int wd = it->second;
    const std::string gone = it->first;
    it = dir_watches_.erase(it);
    if (--dir_wd_refs_[wd] <= 0) {
      watcher_->remove(wd);
      dir_wd_refs_.erase(wd);
      dir_paths_.erase(wd);
    } else if (dir_paths_[wd] == gone) {
      for (const auto& [p, w] : dir_watches_) {
        if (w == wd) dir_paths_[wd] = p;
      }
    }
  }
  dirs_unwatched_ = failed;
  // Entries created between the listing and the new watch: look once more.
  if (added) rescan_requested_ = true;
}

TailedFile* FileSource::open_file(const std::string& path, bool initial, int64_t now) {
  // Open, then identify by the descriptor: the path may have been replaced
  // between stat and open.
  struct stat st {};
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd() < 0 || ::fstat(fd.fd(), &st) != 0) {
    if (std::find(warned_paths_.begin(), warned_paths_.end(), path) == warned_paths_.end()) {
      spdlog::warn("file source {}: cannot open {}: {}", name_, path, std::strerror(errno));
      warned_paths_.push_back(path);
    }
    return nullptr;
  }
  if (!warned_paths_.empty()) std::erase(warned_paths_, path);
  FileId id{st.st_dev, st.st_ino};
  if (auto it = files_.find(id); it != files_.end()) return it->second.get();

  auto owned = std::make_unique<TailedFile>(std::move(fd), st.st_dev, st.st_ino, path, options_.max_line_bytes);
  TailedFile& f = *owned;
  files_.emplace(id, std::move(owned));
  f.found_at_start = initial;
  f.size = static_cast<uint64_t>(st.st_size);
  f.last_change_ns = now;
  if (options_.max_read_bytes_per_second > 0) {
    f.bucket.emplace(options_.max_read_bytes_per_second, options_.max_read_bytes_per_second, now);
  }
  if (inotify_active()) {
    std::string error;
    f.watch = watcher_->add_file(f.fd.fd(), &error);
    if (f.watch >= 0) {
      file_watches_[f.watch] = id;
    } else if (!warned_unwatched_file_) {
      spdlog::warn(
          "file source {}: {} ({}); polling such files every {} ms (if out of watches, raise "
          "fs.inotify.max_user_watches)",
          name_, error, path, effective_poll_interval(options_, false).count() / 1'000'000);
      warned_unwatched_file_ = true;
    }
  }
  f.metric_path = path;
  metrics_->add_file(path);
  if (!skip_if_compressed(f, /*force=*/false)) {
    auto fp = read_fingerprint(f.fd.fd(), options_.fingerprint_bytes, false, f.path);
    if (fp.ok() && fp->has_value() && (f.sniffed || !options_.ignore_compressed)) become_ready(f, **fp, initial);
  }
  if (!f.ignored) {
    spdlog::debug("file source {}: following {} from byte {}", name_, f.path, f.position);
    queue(f);
  }
  stats_dirty_ = true;
  return &f;
}

void FileSource::set_path(TailedFile& f, const std::string& path) {
  if (!f.metric_path.empty()) {
    metrics_->remove_file(f.metric_path, f.reported_lag);
    metrics_->add_file(path);
    metrics_->update(path, 0, f.reported_lag);
    f.metric_path = path;
  }
  f.set_path(path);
  stats_dirty_ = true;
}

void FileSource::report_lag(TailedFile& f) {
  if (f.metric_path.empty()) return;
  uint64_t lag = f.lag();
  metrics_->update(f.metric_path, f.reported_lag, lag);
  f.reported_lag = lag;
}

bool FileSource::skip_if_compressed(TailedFile& f, bool force) {
  if (!options_.ignore_compressed || f.sniffed || f.ignored) return f.ignored;
  char head[kCompressedMagicBytes];
  auto n = pread_full(f.fd.fd(), head, sizeof head, 0, f.path);
  if (!n.ok()) return false;
  std::string_view format;
  CompressedVerdict v = sniff_compressed(std::string_view(head, *n), &format);
  if (v == CompressedVerdict::kUndecided && !force) return false;  // too few bytes to tell yet
  f.sniffed = true;
  if (v != CompressedVerdict::kCompressed) return false;
  spdlog::info("file source {}: skipping {}: {}-compressed", name_, f.path, format);
  f.ignored = true;
  if (f.watch >= 0) {
    watcher_->remove(f.watch);
    file_watches_.erase(f.watch);
    f.watch = -1;
  }
  if (!f.metric_path.empty()) metrics_->remove_file(f.metric_path, f.reported_lag);
  f.metric_path.clear();
  f.fd = UniqueFd();
  stats_dirty_ = true;
  return true;
}

void FileSource::become_ready(TailedFile& f, const Fingerprint& fp, bool initial) {
  make_ready(f, fp, initial);
  if (!initial) detect_copy(f);
  report_lag(f);
}

void FileSource::make_ready(TailedFile& f, const Fingerprint& fp, bool initial) {
  f.fingerprint = fp;
  f.key = identity_key(f.dev, f.ino, fp.hash);
  index_fingerprint(f, /*add=*/true);
  f.verified_size = f.size;
  f.position = 0;
  f.splitter.set_mid_line(false);
  f.checkpoints.clear();
  f.tail.clear();
  f.cuts.clear();
  f.replay_until = 0;
  if (!initial) return;

  auto committed = ctx_->committed.find(f.key);
  if (committed != ctx_->committed.end()) {
    uint64_t off = committed->second;
    if (off > f.size) {
      spdlog::warn(
          "file source {}: {} ({}) is {} bytes, shorter than its committed position {}: truncated, "
          "reading it from the beginning",
          name_, f.path, f.key, f.size, off);
      return;
    }
    f.resumed = true;
    // A cut past the end: the file was truncated since some sink read it
    // there, and what it holds now is new to every sink.
    if (auto cuts = ctx_->resume_cuts.find(f.key);
        cuts != ctx_->resume_cuts.end() && !cuts->second.empty() && cuts->second.back() <= f.size) {
      f.cuts = cuts->second;
      f.replay_until = f.cuts.back();
    }
    start_at_offset(f, off, /*report=*/false);
    return;
  }
  if (options_.start_at != "end" || f.size == 0) return;
  // Start after the last complete line, so that a line being written now is
  // emitted whole once it is complete.
  uint64_t window = std::min<uint64_t>(f.size, options_.max_line_bytes + 1);
  std::vector<char> tail(window);
  auto n = pread_full(f.fd.fd(), tail.data(), window, f.size - window, f.path);
  uint64_t at = f.size;
  bool mid_line = false;
  if (n.ok() && *n == window) {
    auto it = std::find(tail.rbegin(), tail.rend(), '\n');
    if (it != tail.rend()) {
      at = f.size - static_cast<uint64_t>(it - tail.rbegin());
    } else if (window == f.size) {
      at = 0;
    } else {
      mid_line = true;  // inside a line longer than max_line_bytes
    }
  }
  if (at == 0) return;
  // Commit the starting point, so a restart does not skip what is written
  // between now and the first line.
  start_at_offset(f, at, /*report=*/true);
  if (mid_line) f.splitter.set_mid_line(true);
}

}  // namespace sluice
