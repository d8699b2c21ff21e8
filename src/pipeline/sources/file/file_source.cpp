#include "pipeline/sources/file/file_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

namespace sluice {

namespace {

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// Rotated logs that were compressed; tailing them would emit binary.
bool is_compressed_name(std::string_view path) {
  for (std::string_view ext : {".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4"}) {
    if (ends_with(path, ext)) return true;
  }
  return false;
}

}  // namespace

FileSource::FileSource(std::string name, FileSourceOptions options)
    : name_(std::move(name)), options_(std::move(options)) {
  for (const auto& p : options_.include) include_.emplace_back(p);
  for (const auto& p : options_.exclude) exclude_.emplace_back(p);
  // Room for a whole max-length line plus CR LF, so that every full buffer
  // holds at least one piece to emit.
  buffer_.resize(std::max<uint64_t>(options_.read_buffer_bytes, options_.max_line_bytes + 2));
}

FileSource::~FileSource() { stop(); }

Status FileSource::start(SourceContext* ctx) {
  if (ctx == nullptr || !ctx->emit) return Status::InvalidArgument("file source " + name_ + ": no emit function");
  if (ctx_ != nullptr) return Status::InvalidArgument("file source " + name_ + ": already started");
  ctx_ = ctx;
  scan(/*initial=*/true);
  next_scan_ns_ = steady_now_ns() + options_.glob_interval.count();
  publish_stats();
  thread_ = std::thread([this] { run(); });
  return Status::Ok();
}

void FileSource::stop() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    stop_.store(true, std::memory_order_release);
  }
  wake_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<FileStats> FileSource::file_stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

void FileSource::publish_stats() {
  std::vector<FileStats> s;
  s.reserve(files_.size());
  for (const auto& [id, f] : files_) s.push_back(f->stats());
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.swap(s);
}

void FileSource::run() {
  while (!stopping()) {
    int64_t now = steady_now_ns();
    if (rescan_requested_ || now >= next_scan_ns_) {
      rescan_requested_ = false;
      scan(/*initial=*/false);
      now = steady_now_ns();
      next_scan_ns_ = now + options_.glob_interval.count();
    }
    bool progressed = false;
    for (auto it = files_.begin(); it != files_.end() && !stopping();) {
      bool close = false;
      Status st = service(*it->second, now, &progressed, &close);
      if (!st.ok()) {
        if (st.code() != StatusCode::kCancelled) spdlog::error("file source {}: stopping: {}", name_, st.to_string());
        publish_stats();
        return;
      }
      if (close) {
        spdlog::debug("file source {}: closed {} ({}) at byte {}", name_, it->second->path, it->second->key,
                      it->second->position);
        it = files_.erase(it);
      } else {
        ++it;
      }
    }
    Status st = flush();
    publish_stats();
    if (!st.ok()) {
      if (st.code() != StatusCode::kCancelled) spdlog::error("file source {}: stopping: {}", name_, st.to_string());
      return;
    }
    if (progressed || rescan_requested_) continue;
    int64_t wake = std::min(now + options_.poll_interval.count(), next_scan_ns_);
    std::unique_lock<std::mutex> lock(wake_mu_);
    wake_cv_.wait_for(lock, std::chrono::nanoseconds(std::max<int64_t>(0, wake - steady_now_ns())),
                      [this] { return stopping(); });
  }
}

std::vector<std::string> FileSource::matched_paths() const {
  std::vector<std::string> paths;
  for (const auto& g : include_) g.expand(&paths);
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  std::erase_if(paths, [this](const std::string& p) {
    if (options_.ignore_compressed && is_compressed_name(p)) return true;
    return std::any_of(exclude_.begin(), exclude_.end(), [&](const Glob& g) { return g.matches(p); });
  });
  return paths;
}

void FileSource::scan(bool initial) {
  std::vector<Inode> seen;
  for (const std::string& path : matched_paths()) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    Inode id{st.st_dev, st.st_ino};
    auto it = files_.find(id);
    if (it == files_.end()) {
      // Open, then identify by the descriptor: the path may have been
      // replaced between stat and open.
      UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (fd.fd() < 0 || ::fstat(fd.fd(), &st) != 0) {
        if (std::find(warned_paths_.begin(), warned_paths_.end(), path) == warned_paths_.end()) {
          spdlog::warn("file source {}: cannot open {}: {}", name_, path, std::strerror(errno));
          warned_paths_.push_back(path);
        }
        continue;
      }
      std::erase(warned_paths_, path);
      id = Inode{st.st_dev, st.st_ino};
      it = files_.find(id);
      if (it == files_.end()) {
        auto f = std::make_unique<TailedFile>(std::move(fd), st.st_dev, st.st_ino, path, options_.max_line_bytes);
        f->found_at_start = initial;
        f->size = static_cast<uint64_t>(st.st_size);
        f->last_change_ns = steady_now_ns();
        TailedFile& ref = *f;
        it = files_.emplace(id, std::move(f)).first;
        auto fp = read_fingerprint(ref.fd.fd(), options_.fingerprint_bytes, false, ref.path);
        if (fp.ok() && fp->has_value()) make_ready(ref, **fp, initial);
        spdlog::debug("file source {}: following {} from byte {}", name_, ref.path, ref.position);
      }
    }
    TailedFile& f = *it->second;
    if (f.path != path) f.set_path(path);
    f.missing_scans = 0;
    seen.push_back(id);
  }
  std::sort(seen.begin(), seen.end());
  for (auto& [id, f] : files_) {
    if (!std::binary_search(seen.begin(), seen.end(), id)) ++f->missing_scans;
  }
}

void FileSource::make_ready(TailedFile& f, const Fingerprint& fp, bool initial) {
  f.fingerprint = fp;
  f.key = identity_key(f.dev, f.ino, fp.hash);
  f.verified_size = f.size;
  f.position = 0;
  f.splitter.set_mid_line(false);
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
    f.position = off;
    if (off > 0) {
      char prev = '\n';
      auto n = pread_full(f.fd.fd(), &prev, 1, off - 1, f.path);
      f.splitter.set_mid_line(n.ok() && *n == 1 && prev != '\n');
    }
    return;
  }
  if (options_.start_at != "end" || f.size == 0) return;
  // Start after the last complete line, so that a line being written now is
  // emitted whole once it is complete.
  uint64_t window = std::min<uint64_t>(f.size, options_.max_line_bytes + 1);
  std::vector<char> tail(window);
  auto n = pread_full(f.fd.fd(), tail.data(), window, f.size - window, f.path);
  if (!n.ok() || *n != window) {
    f.position = f.size;
  } else {
    auto it = std::find(tail.rbegin(), tail.rend(), '\n');
    if (it != tail.rend()) {
      f.position = f.size - static_cast<uint64_t>(it - tail.rbegin());
    } else if (window == f.size) {
      f.position = 0;
    } else {
      f.position = f.size;  // inside a line longer than max_line_bytes
      f.splitter.set_mid_line(true);
    }
  }
  // Commit the starting point, so a restart does not skip what is written
  // between now and the first line.
  if (f.position > 0) add_position(f);
}

void FileSource::reset(TailedFile& f, const std::string& why) {
  spdlog::warn("file source {}: {} ({}) {}; reading it again from the beginning", name_, f.path, f.key, why);
  f.fingerprint.reset();
  f.key.clear();
  f.position = 0;
  f.verified_size = 0;
  f.read_end = 0;
  f.found_at_start = false;
  f.splitter.set_mid_line(false);
}

void FileSource::log_io_error(TailedFile& f, const Status& st) {
  if (st.message() == f.last_error) return;
  f.last_error = st.message();
  spdlog::warn("file source {}: {}", name_, st.message());
}

Status FileSource::service(TailedFile& f, int64_t now, bool* progressed, bool* close) {
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
  // no growth for a whole poll interval.
  bool gone = f.deleted || f.missing_scans >= 2;
  bool settled = gone && now - f.last_change_ns >= options_.poll_interval.count();

  if (!f.fingerprint) {
    auto fp = read_fingerprint(f.fd.fd(), options_.fingerprint_bytes, /*force=*/settled, f.path);
    if (!fp.ok()) {
      log_io_error(f, fp.status());
      return Status::Ok();
    }
    if (!fp->has_value()) {
      *close = settled;
      return Status::Ok();
    }
    make_ready(f, **fp, /*initial=*/false);
  } else if (size < f.position) {
    reset(f, "shrank from " + std::to_string(f.position) + " to " + std::to_string(size) + " bytes (truncated)");
    *progressed = true;
    return Status::Ok();
  } else if (size != f.verified_size) {
    // Same inode, new size: make sure the file was not truncated and
    // rewritten past our position in between two polls.
    auto fp = read_fingerprint(f.fd.fd(), options_.fingerprint_bytes, false, f.path);
    if (!fp.ok()) {
      log_io_error(f, fp.status());
      return Status::Ok();
    }
    if (!fp->has_value() || **fp != *f.fingerprint) {
      reset(f, "has a different first line (truncated and rewritten)");
      *progressed = true;
      return Status::Ok();
    }
    f.verified_size = size;
  }

  uint64_t consumed = 0;
  bool eof = false;
  // A held partial line is not read again until the file grows.
  if (size > std::max(f.position, f.read_end) || settled) {
    SLUICE_RETURN_IF_ERROR(read_lines(f, settled, options_.max_bytes_per_turn, &consumed, &eof));
    if (consumed > 0) *progressed = true;
    if (!eof && f.last_error.empty()) *progressed = true;  // turn over, more to read
  } else {
    eof = true;
  }
  if (settled && eof) {
    *close = true;
    return Status::Ok();
  }
  if (eof && !gone && f.missing_scans == 0) {
    // Idle and believed live: a cheap check whether the path now names
    // another file (rotation), to re-scan without waiting for glob_interval.
    struct stat ps {};
    if (::stat(f.path.c_str(), &ps) != 0 || ps.st_dev != f.dev || ps.st_ino != f.ino) rescan_requested_ = true;
  }
  return Status::Ok();
}

Status FileSource::read_lines(TailedFile& f, bool final, uint64_t budget, uint64_t* consumed, bool* eof) {
  *consumed = 0;
  *eof = false;
  size_t have = 0;  // valid bytes in buffer_, starting at file offset f.position
  while (*consumed < budget && !*eof) {
    // Read no more than the turn's budget, but always enough to hold one
    // piece (max_line_bytes + 2), so that every read makes progress.
    uint64_t room = std::max<uint64_t>(budget - *consumed, options_.max_line_bytes + 2);
    size_t want = static_cast<size_t>(std::min<uint64_t>(buffer_.size(), room)) - have;
    auto n = pread_full(f.fd.fd(), buffer_.data() + have, want, f.position + have, f.path);
    if (!n.ok()) {
      log_io_error(f, n.status());
      return Status::Ok();
    }
    f.last_error.clear();
    f.bytes_read += *n;
    have += *n;
    if (*n < want) *eof = true;
    if (have == 0) break;
    const uint64_t base = f.position;
    Status emit_status;
    size_t used = f.splitter.split(std::string_view(buffer_.data(), have), final && *eof,
                                   [&](std::string_view text, LinePart part, size_t end) {
                                     emit_status = add_record(f, text, part, base + end);
                                     return emit_status.ok();
                                   });
    SLUICE_RETURN_IF_ERROR(emit_status);
    f.position = base + used;
    *consumed += used;
    if (used == 0 && !*eof) break;  // cannot happen: a full buffer always holds a piece
    std::memmove(buffer_.data(), buffer_.data() + used, have - used);
    have -= used;
  }
  if (*eof) f.read_end = f.position + have;
  return Status::Ok();
}

void FileSource::add_position(const TailedFile& f) {
  auto [it, inserted] = batch_position_index_.try_emplace(f.key, batch_.positions.size());
  if (inserted) {
    batch_.positions.push_back(SourcePosition{name_, f.key, f.position, f.path});
  } else {
    SourcePosition& p = batch_.positions[it->second];
    p.offset = f.position;
    p.path = f.path;
  }
}

Status FileSource::add_record(TailedFile& f, std::string_view text, LinePart part, uint64_t offset_after) {
  LogRecord r;
  r.observed_timestamp_ns = unix_now_ns();
  r.body.assign(text.data(), text.size());
  r.attributes.reserve(part == LinePart::kWhole ? 2 : 3);
  r.attributes.emplace_back("log.file.path", f.path);
  r.attributes.emplace_back("log.file.name", f.name);
  if (part != LinePart::kWhole) r.attributes.emplace_back("log.split", std::string(line_part_name(part)));
  batch_bytes_ += text.size();
  batch_.records.push_back(std::move(r));
  ++f.lines_emitted;
  f.position = offset_after;
  add_position(f);
  if (batch_.records.size() >= static_cast<uint64_t>(options_.max_batch_records) ||
      batch_bytes_ >= options_.max_batch_bytes) {
    return flush();
  }
  return Status::Ok();
}

Status FileSource::flush() {
  if (batch_.empty()) return Status::Ok();
  LogBatch out = std::move(batch_);
  batch_ = LogBatch{};
  batch_bytes_ = 0;
  batch_position_index_.clear();
  return ctx_->emit(std::move(out));
}

Result<std::unique_ptr<Source>> make_file_source(std::string name, const FileSourceOptions& options) {
  SLUICE_RETURN_IF_ERROR(validate_file_source_options(options));
  return std::unique_ptr<Source>(std::make_unique<FileSource>(std::move(name), options));
}

}  // namespace sluice
