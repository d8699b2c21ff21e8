#include "pipeline/sources/file/file_source.hpp"

#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "common/thread_name.hpp"

namespace sluice {

namespace {

constexpr int64_t kPublishEveryNs = 100'000'000;  // file_stats() staleness per 1,000 files
constexpr int64_t kMinEventRescanNs = 100'000'000;
/// How long a rename out of a followed name is remembered (FileSource::holders_).
constexpr int64_t kRenameTrailNs = 60'000'000'000;

/// Each followed file holds a descriptor: allow as many as the hard limit
/// (thousands of files are normal for an agent; the soft limit is often 1024).
void raise_descriptor_limit() {
  static std::once_flag once;
  std::call_once(once, [] {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
    rlim_t old = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &lim) == 0) {
      spdlog::debug("file source: raised the open-file limit from {} to {}", old, lim.rlim_cur);
    }
  });
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
  raise_descriptor_limit();
  SLUICE_ASSIGN_OR_RETURN(watcher_, FileWatcher::open(options_.inotify, name_));
  inotify_active_.store(watcher_->active(), std::memory_order_release);
  metrics_ = std::make_unique<FileSourceMetrics>(name_, MetricsRegistry::global());
  ctx_ = ctx;
  int64_t now = file_steady_now_ns();
  scan(/*initial=*/true);
  detect_initial_copies();
  last_scan_ns_ = now;
  next_scan_ns_ = now + scan_period_ns();
  next_poll_ns_ = now + poll_ns();
  publish_stats(now, /*force=*/true);
  thread_ = std::thread([this] { run(); });
  return Status::Ok();
}

void FileSource::stop() {
  stop_.store(true, std::memory_order_release);
  if (watcher_) watcher_->wake();
  if (thread_.joinable()) thread_.join();
  if (metrics_) metrics_->clear();
}

std::vector<FileStats> FileSource::file_stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

int64_t FileSource::poll_ns() const { return effective_poll_interval(options_, inotify_active()).count(); }

int64_t FileSource::scan_period_ns() const {
  // Watched directories report changes; the periodic scan is a safety net.
  if (inotify_active() && !dirs_unwatched_) return std::max(poll_ns(), options_.glob_interval.count());
  return options_.glob_interval.count();
}

int64_t FileSource::publish_period_ns() const {
  // Copying the counters of 10,000 files costs about a millisecond: do it
  // less often the more files there are.
  return kPublishEveryNs * std::max<int64_t>(1, static_cast<int64_t>(files_.size() / 1000));
}

void FileSource::publish_stats(int64_t now, bool force) {
  if (!stats_dirty_ || (!force && now - last_publish_ns_ < publish_period_ns())) return;
  std::vector<FileStats> s;
  s.reserve(files_.size());
  for (const auto& [id, f] : files_) {
    if (!f->ignored) s.push_back(f->stats());
  }
  metrics_->set_watched_files(s.size());
  stats_dirty_ = false;
  last_publish_ns_ = now;
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.swap(s);
}

void FileSource::queue(TailedFile& f) {
  if (f.queued) return;
  f.queued = true;
  run_queue_.push_back(f.id());
}

void FileSource::arm_timer(TailedFile& f, int64_t at_ns) {
  if (f.timer_ns != 0 && f.timer_ns <= at_ns) return;
  f.timer_ns = at_ns;
  timers_.emplace(at_ns, f.id());
}

void FileSource::close_file(std::map<FileId, std::unique_ptr<TailedFile>>::iterator it) {
  TailedFile& f = *it->second;
  spdlog::debug("file source {}: closed {} ({}) at byte {}", name_, f.path, f.key, f.position);
  if (f.fingerprint && !f.copy_of) resolve_copies(f, /*truncated=*/false);
  if (f.fingerprint) closed_.push_back(Closed{file_steady_now_ns(), f.id(), f.fingerprint->hash});
  index_fingerprint(f, /*add=*/false);
  if (f.watch >= 0) {
    watcher_->remove(f.watch);
    file_watches_.erase(f.watch);
  }
  if (!f.metric_path.empty()) metrics_->remove_file(f.metric_path, f.reported_lag);
  files_.erase(it);
  stats_dirty_ = true;
}

void FileSource::track_renames(const FileWatcher::Event& e, const std::string& path, int64_t now,
                               std::vector<std::pair<std::string, std::string>>* rotated) {
  // Whatever happens to a name, it no longer holds the file it held.
  auto held = holders_.find(path);
  std::optional<std::string> origin;
  if (held != holders_.end()) {
    origin = std::move(held->second.origin);
    holders_.erase(held);
  }
  if ((e.mask & IN_MOVED_FROM) && e.cookie != 0) {
    if (path_matches(path)) origin = path;
    if (origin) moves_from_[e.cookie] = Trail{std::move(*origin), now};
    return;
  }
  if (!(e.mask & IN_MOVED_TO)) return;
  auto from = moves_from_.find(e.cookie);
  if (e.cookie == 0 || from == moves_from_.end()) return;
  Trail t = std::move(from->second);
  moves_from_.erase(from);
  if (path_matches(path)) return;  // followed by its new name (consider_path)
  t.at_ns = now;
  rotated->emplace_back(path, t.origin);
  holders_[path] = std::move(t);
}

void FileSource::handle_events(const std::vector<FileWatcher::Event>& events, int64_t now) {
  std::vector<std::pair<std::string, std::string>> rotated;  // (path, origin) to look at after the batch
  for (const auto& e : events) {
    if (e.wd < 0) {  // the kernel's queue overflowed: events were lost
      rescan_requested_ = true;
      for (auto& [id, f] : files_) queue(*f);
      continue;
    }
    if (auto fw = file_watches_.find(e.wd); fw != file_watches_.end()) {
      auto it = files_.find(fw->second);
      if (it == files_.end()) continue;
      TailedFile& f = *it->second;
      if (e.mask & IN_IGNORED) {  // the kernel dropped the watch: poll this file from now on
        file_watches_.erase(fw);
        f.watch = -1;
      }
      if (e.mask & IN_MOVE_SELF) rescan_requested_ = true;
      queue(f);
      continue;
    }
    auto dir = dir_paths_.find(e.wd);
    if (dir == dir_paths_.end()) continue;
    if (!(e.mask & IN_ISDIR) && !e.name.empty()) {
      const std::string path = dir->second == "/" ? "/" + e.name : dir->second + "/" + e.name;
      track_renames(e, path, now, &rotated);
      if (e.mask & (IN_CREATE | IN_MOVED_TO)) {
        // A new entry: follow it now (a file may live at its path only for
        // moments before it is rotated away).
        consider_path(path, now);
        continue;
      }
    }
    // Entries gone or renamed away, new directories, the directory itself
    // going: a scan sorts it out.
    rescan_requested_ = true;
    if (e.mask & IN_IGNORED) {
      std::erase_if(dir_watches_, [&](const auto& kv) { return kv.second == e.wd; });
      dir_wd_refs_.erase(e.wd);
      dir_paths_.erase(dir);
    }
  }
  // The files still where their renames left them, oldest first: by their
  // last write, and (file times are as coarse as the kernel's tick) then by
  // their last rename, as logrotate renames the oldest first. Naming schemes
  // number generations either way.
  std::vector<std::tuple<struct stat, std::string, std::string>> found;
  for (auto r = rotated.rbegin(); r != rotated.rend(); ++r) {
    auto held = holders_.find(r->first);
    struct stat st {};
    if (held == holders_.end() || held->second.origin != r->second || ::stat(r->first.c_str(), &st) != 0) continue;
    if (std::none_of(found.begin(), found.end(), [&](const auto& f) { return std::get<1>(f) == r->first; })) {
      found.emplace_back(st, std::move(r->first), std::move(r->second));
    }
  }
  std::reverse(found.begin(), found.end());  // by last rename
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    const timespec &x = std::get<0>(a).st_mtim, &y = std::get<0>(b).st_mtim;
    return x.tv_sec != y.tv_sec ? x.tv_sec < y.tv_sec : x.tv_nsec < y.tv_nsec;
  });
  for (const auto& [st, path, origin] : found) follow_rotated(path, origin, st, now);
  std::erase_if(moves_from_, [&](const auto& kv) { return now - kv.second.at_ns > kRenameTrailNs; });
  std::erase_if(holders_, [&](const auto& kv) { return now - kv.second.at_ns > kRenameTrailNs; });
  while (!closed_.empty() && now - closed_.front().at_ns > 2 * kRenameTrailNs) closed_.pop_front();
}

void FileSource::run() {
  set_thread_name(name_);
  std::vector<FileWatcher::Event> events;
  std::vector<FileId> pass;
  auto fail = [this](const Status& st) {
    if (st.code() != StatusCode::kCancelled) spdlog::error("file source {}: stopping: {}", name_, st.to_string());
    stats_dirty_ = true;
    publish_stats(file_steady_now_ns(), /*force=*/true);
  };
  while (!stopping()) {
    int64_t now = file_steady_now_ns();
    const int64_t rescan_gap =
        inotify_active() ? std::min(kMinEventRescanNs, options_.glob_interval.count()) : int64_t{0};
    if (now >= next_scan_ns_ || (rescan_requested_ && now >= last_scan_ns_ + rescan_gap)) {
      rescan_requested_ = false;
      scan(/*initial=*/false);
      now = file_steady_now_ns();
      last_scan_ns_ = now;
      next_scan_ns_ = now + scan_period_ns();
    }
    if (now >= next_poll_ns_) {
      for (auto& [id, f] : files_) queue(*f);
      next_poll_ns_ = now + poll_ns();
    }
    while (!timers_.empty() && timers_.top().first <= now) {
      auto [at, id] = timers_.top();
      timers_.pop();
      auto it = files_.find(id);
      if (it == files_.end() || it->second->timer_ns != at) continue;  // stale
      it->second->timer_ns = 0;
      queue(*it->second);
    }

    // One pass: every queued file gets one turn, in queue order.
    pass.clear();
    pass.swap(run_queue_);
    const int64_t unwatched_poll = effective_poll_interval(options_, false).count();
    for (const FileId& id : pass) {
      if (stopping()) break;
      auto it = files_.find(id);
      if (it == files_.end()) continue;
      TailedFile& f = *it->second;
      f.queued = false;
      Turn turn;
      Status st = service(f, now, &turn);
      if (!st.ok()) return fail(st);
      stats_dirty_ = true;
      if (turn.close) {
        close_file(it);
        continue;
      }
      if (turn.more) queue(f);
      if (turn.wake_ns != 0) arm_timer(f, turn.wake_ns);
      if (f.watch < 0 && inotify_active() && !f.ignored) arm_timer(f, now + unwatched_poll);
    }
    if (Status st = flush(); !st.ok()) return fail(st);
    publish_stats(now, /*force=*/false);
    if (stopping()) break;

    events.clear();
    if (!run_queue_.empty()) {
      watcher_->wait(0, &events);  // collect events without blocking, then the next pass
    } else {
      int64_t wake = std::min(next_poll_ns_, next_scan_ns_);
      if (!timers_.empty()) wake = std::min(wake, timers_.top().first);
      if (rescan_requested_) wake = std::min(wake, last_scan_ns_ + rescan_gap);
      if (stats_dirty_) wake = std::min(wake, last_publish_ns_ + publish_period_ns());
      watcher_->wait(wake - file_steady_now_ns(), &events);
    }
    handle_events(events, file_steady_now_ns());
  }
}

Result<std::unique_ptr<Source>> make_file_source(std::string name, const FileSourceOptions& options) {
  SLUICE_RETURN_IF_ERROR(validate_file_source_options(options));
  return std::unique_ptr<Source>(std::make_unique<FileSource>(std::move(name), options));
}

}  // namespace sluice
