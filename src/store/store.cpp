#include "store/store.hpp"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <thread>

#include "common/metrics.hpp"
#include "common/thread_name.hpp"
#include "common/thread_priority.hpp"
#include "store/merge_attributes.hpp"

namespace sluice {

Result<std::unique_ptr<Store>> Store::open(Env* env, const StoreOptions& options) {
  std::unique_ptr<Store> s(new Store(env, options));  // NOLINT: private constructor
  // One process per data directory: two would corrupt each other's WALs,
  // and one's recovery could truncate a segment the other has mapped.
  SLUICE_ASSIGN_OR_RETURN(s->lock_, lock_data_dir(env, options.data_dir, "store: data_dir"));
  std::vector<std::pair<std::string, std::string>> settings = {{"memory_limit", options.memory_limit}};
  if (options.threads > 0) settings.emplace_back("threads", std::to_string(options.threads));
  // DuckDB's worker threads (compaction, and the parallel part of queries)
  // take the nice value of the thread that starts them: open the database on
  // a thread at maintenance_nice.
  Result<std::unique_ptr<Database>> db = Status::Internal("the database was not opened");
  std::thread([&] {
    if (options.maintenance_nice > 0 && !lower_thread_priority(static_cast<int>(options.maintenance_nice))) {
      spdlog::debug("store: could not lower the priority of DuckDB's threads");
    }
    db = Database::open(settings);
  }).join();
  SLUICE_ASSIGN_OR_RETURN(s->db_, std::move(db));
  SLUICE_ASSIGN_OR_RETURN(s->admin_con_, s->db_->connect());
  SLUICE_RETURN_IF_ERROR(register_hot_scan(s->admin_con_.get(), s.get()));
  SLUICE_RETURN_IF_ERROR(register_merge_attributes(s->admin_con_.get()));
  SLUICE_ASSIGN_OR_RETURN(auto names, env->list_dir(options.data_dir));
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    if (!valid_stream_name(n) || !env->exists(options.data_dir + "/" + n + "/wal")) continue;
    SLUICE_ASSIGN_OR_RETURN(Stream * st, s->stream(n));
    (void)st;
  }
  MetricsRegistry::global().gauge_fn("sluice_store_streams", "Streams in the store.", {}, [p = s.get()] {
    return static_cast<double>(p->stream_count_.load(std::memory_order_relaxed));
  });
  return s;
}

Store::~Store() {
  stop_maintenance();
  MetricsRegistry::global().remove("sluice_store_streams", {});
}

Result<std::vector<HotChunk>> Store::hot_snapshot(const std::string& stream, int64_t gen) {
  Stream* s = find_stream(stream);
  if (s == nullptr) return Status::NotFound("no stream named \"" + stream + "\"");
  return s->hot_snapshot(gen);
}

Result<Stream*> Store::stream(const std::string& name) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = streams_.find(name);
  if (it != streams_.end()) return it->second.get();
  SLUICE_ASSIGN_OR_RETURN(auto st, Stream::open(env_, db_.get(), name, options_.data_dir + "/" + name, options_));
  Stream* raw = st.get();
  streams_.emplace(name, std::move(st));
  stream_count_.store(streams_.size(), std::memory_order_relaxed);
  spdlog::info("store: stream {} ready", name);
  return raw;
}

Stream* Store::find_stream(const std::string& name) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = streams_.find(name);
  return it == streams_.end() ? nullptr : it->second.get();
}

std::vector<Stream*> Store::all_streams() {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<Stream*> out;
  for (auto& [n, s] : streams_) out.push_back(s.get());
  return out;
}

std::vector<StreamInfo> Store::list_streams() {
  std::vector<StreamInfo> out;
  for (Stream* s : all_streams()) out.push_back(s->info());
  return out;
}

Status Store::compact_all(bool force) {
  Status first;
  for (Stream* s : all_streams()) {
    Status st = s->compact(force);
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

Result<uint64_t> Store::apply_retention() {
  uint64_t freed = 0;
  auto streams = all_streams();
  for (Stream* s : streams) {
    SLUICE_ASSIGN_OR_RETURN(uint64_t f, s->apply_retention(options_.retention, options_.stream_max_bytes));
    freed += f;
  }
  if (options_.max_bytes == 0) return freed;
  // Total cap: drop the globally oldest segment until under it.
  while (true) {
    uint64_t total = 0;
    for (Stream* s : streams) total += s->info().bytes;
    if (total <= options_.max_bytes) break;
    Stream* oldest = nullptr;
    int64_t t = INT64_MAX;
    for (Stream* s : streams) {
      int64_t st = s->oldest_segment_time();
      if (st < t) {
        t = st;
        oldest = s;
      }
    }
    if (oldest == nullptr) break;  // only WAL bytes left; compaction will make segments
    SLUICE_ASSIGN_OR_RETURN(bool dropped, oldest->drop_oldest_segment());
    if (!dropped) break;
  }
  return freed;
}

void Store::start_maintenance() {
  std::lock_guard<std::mutex> l(maint_mu_);
  if (maint_thread_.joinable()) return;
  stopping_ = false;
  maint_thread_ = std::thread([this] {
    set_thread_name("store-maint");
    if (options_.maintenance_nice > 0) (void)lower_thread_priority(static_cast<int>(options_.maintenance_nice));
    maintenance_loop();
  });
  if (options_.fsync == "interval") {
    sync_thread_ = std::thread([this] {
      set_thread_name("store-fsync");
      std::unique_lock<std::mutex> lk(maint_mu_);
      while (!stopping_) {
        maint_cv_.wait_for(lk, options_.fsync_interval);
        lk.unlock();
        for (Stream* s : all_streams()) {
          Status st = s->sync_now();
          if (!st.ok()) spdlog::error("store: {}", st.to_string());
        }
        lk.lock();
      }
    });
  }
}

void Store::stop_maintenance() {
  {
    std::lock_guard<std::mutex> l(maint_mu_);
    stopping_ = true;
  }
  maint_cv_.notify_all();
  if (maint_thread_.joinable()) maint_thread_.join();
  if (sync_thread_.joinable()) sync_thread_.join();
}

void Store::maintenance_loop() {
  auto& errors = MetricsRegistry::global().counter("sluice_store_maintenance_errors_total",
                                                   "Failed compaction or retention runs.");
  auto& free_bytes = MetricsRegistry::global().gauge("sluice_store_disk_free_bytes",
                                                     "Free bytes on the data directory's file system.");
  int tick = 0;
  std::unique_lock<std::mutex> lk(maint_mu_);
  while (!stopping_) {
    maint_cv_.wait_for(lk, std::chrono::seconds(1));
    if (stopping_) break;
    lk.unlock();
    struct statvfs vfs {};
    if (::statvfs(options_.data_dir.c_str(), &vfs) == 0) {
      uint64_t avail = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
      free_bytes.set(static_cast<double>(avail));
      bool low = avail < options_.min_free_bytes;
      for (Stream* s : all_streams()) s->set_disk_low(low);
    }
    Status st = compact_all(false);
    if (!st.ok()) {
      errors.inc();
      spdlog::error("store: {}", st.to_string());
    }
    if (++tick % 10 == 0) {
      auto r = apply_retention();
      if (!r.ok()) {
        errors.inc();
        spdlog::error("store: retention: {}", r.status().to_string());
      }
    }
    lk.lock();
  }
}

}  // namespace sluice
