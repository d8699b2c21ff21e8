// Store: every stream of one data directory, the embedded DuckDB database
// their views live in, and the maintenance thread that compacts, applies
// retention, watches free disk space and (fsync = "interval") syncs WALs.
//
// Ownership: one per process, owned by the server/CLI; outlives every
// pipeline sink and query that uses it. Thread-safe: streams are created on
// first use under a lock; Stream objects are never destroyed before the Store.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/env.hpp"
#include "store/duckdb_handle.hpp"
#include "store/store_options.hpp"
#include "store/stream.hpp"

namespace sluice {

class Store final : public HotSource {
 public:
  /// Opens `options.data_dir`, recovering every stream found in it.
  static Result<std::unique_ptr<Store>> open(Env* env, const StoreOptions& options);
  ~Store() override;

  /// HotSource: the hot chunks of `stream` for the sluice_hot table function.
  Result<std::vector<HotChunk>> hot_snapshot(const std::string& stream, int64_t gen) override;

  /// The stream named `name`, created when missing. InvalidArgument for a
  /// bad name.
  Result<Stream*> stream(const std::string& name);
  /// The stream if it exists, else nullptr.
  Stream* find_stream(const std::string& name);
  std::vector<StreamInfo> list_streams();

  Database* database() { return db_.get(); }
  const StoreOptions& options() const { return options_; }

  /// Starts the maintenance thread (compaction, retention, disk floor).
  void start_maintenance();
  /// Stops and joins it. Idempotent.
  void stop_maintenance();
  /// Compacts every stream now (tests, shutdown).
  Status compact_all(bool force);
  /// Applies retention once; returns bytes freed.
  Result<uint64_t> apply_retention();

 private:
  Store(Env* env, StoreOptions options) : env_(env), options_(std::move(options)) {}
  void maintenance_loop();
  std::vector<Stream*> all_streams();

  Env* env_;
  std::unique_ptr<FileLock> lock_;  ///< on data_dir/LOCK; released last
  StoreOptions options_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> admin_con_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Stream>> streams_;
  std::atomic<size_t> stream_count_{0};  ///< for the metrics gauge, which must not take mu_

  std::mutex maint_mu_;
  std::condition_variable maint_cv_;
  bool stopping_ = false;
  std::thread maint_thread_;
  std::thread sync_thread_;
};

}  // namespace sluice
