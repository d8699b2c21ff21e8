#include "store/stream.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "common/metrics.hpp"
#include "store/store.hpp"
#include "store/wal/batch_codec.hpp"

namespace sluice {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sluice_store_test_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    options_ = store_option_table().defaults();
    options_.data_dir = dir_.string();
    options_.min_free_bytes = 0;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> open() {
    auto s = Store::open(Env::posix(), options_);
    EXPECT_TRUE(s.ok()) << s.status().to_string();
    return std::move(s).value();
  }

  static int64_t count(Store* store, const std::string& sql) {
    auto con = store->database()->connect();
    DuckResult r;
    Status st = (*con)->query(sql, &r);
    EXPECT_TRUE(st.ok()) << st.to_string();
    return st.ok() ? duckdb_value_int64(r.raw(), 0, 0) : -1;
  }

  static LogBatch batch(int n, int64_t ts, const std::string& source = "", uint64_t pos = 0) {
    LogBatch b;
    for (int i = 0; i < n; ++i) {
      LogRecord r;
      r.timestamp_ns = ts + i;
      r.body = "line " + std::to_string(i);
      r.attributes = {{"http.response.status_code", i % 2 ? "200" : "404"}};
      b.records.push_back(std::move(r));
    }
    if (!source.empty()) b.positions.push_back({source, "1:2:abc", pos, "/var/log/x.log"});
    return b;
  }

  std::filesystem::path dir_;
  StoreOptions options_;
};

// Mappings of this test's WAL segment files in the process (Env::map_region),
// only those of deleted files when `deleted`.
int mapped_wal_segments(bool deleted = false) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int n = 0;
  while (std::getline(maps, line)) {
    if (line.find("sluice_store_test_") == std::string::npos) continue;
    n += deleted ? line.ends_with(".wal (deleted)") : line.ends_with(".wal");
  }
  return n;
}

// Env::posix() but for map_region, which fails as when the process holds
// Env::kMaxLiveMappings mappings already.
class NoMappingEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> open_appendable(const std::string& p) override {
    return base_->open_appendable(p);
  }
  Result<std::unique_ptr<ReadableFile>> open_readable(const std::string& p) override { return base_->open_readable(p); }
  bool exists(const std::string& p) override { return base_->exists(p); }
  Result<std::vector<std::string>> list_dir(const std::string& d) override { return base_->list_dir(d); }
  Status create_dirs(const std::string& d) override { return base_->create_dirs(d); }
  Status remove_file(const std::string& p) override { return base_->remove_file(p); }
  Status rename_file(const std::string& a, const std::string& b) override { return base_->rename_file(a, b); }
  Status truncate_file(const std::string& p, uint64_t n) override { return base_->truncate_file(p, n); }
  Result<uint64_t> file_size(const std::string& p) override { return base_->file_size(p); }
  Status sync_file(const std::string& p) override { return base_->sync_file(p); }
  Status sync_dir(const std::string& d) override { return base_->sync_dir(d); }
  Result<std::shared_ptr<const MappedRegion>> map_region(const std::string& p, uint64_t, size_t) override {
    ++refused;
    return Status::ResourceExhausted("map " + p + ": refused by the test");
  }
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& p) override { return base_->lock_file(p); }
  int64_t now_unix_nanos() override { return base_->now_unix_nanos(); }
  int64_t now_monotonic_nanos() override { return base_->now_monotonic_nanos(); }

  int refused = 0;

 private:
  Env* base_ = Env::posix();
};

constexpr int64_t kHour = 3600LL * 1000000000LL;
constexpr int64_t kT0 = 1763733600LL * 1000000000LL;  // 2025-11-21T14:00:00Z

TEST_F(StoreTest, ConcurrentAppendsGetDenseOffsetsAndAreQueryable) {
  auto store = open();
  Stream* s = *store->stream("app");
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> offsets;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        LogBatch b = batch(10, kT0);
        auto r = s->append(b);
        ASSERT_TRUE(r.ok()) << r.status().to_string();
        ASSERT_EQ(r->count, 10U);
        std::lock_guard<std::mutex> l(mu);
        for (uint64_t o = r->first_offset; o <= r->last_offset; ++o) EXPECT_TRUE(offsets.insert(o).second);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(offsets.size(), 2000U);
  EXPECT_EQ(*offsets.rbegin(), 1999U);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM app"), 2000);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM app WHERE attributes['http.response.status_code'] = '404'"), 1000);
  EXPECT_EQ(s->info().records, 2000U);
}

TEST_F(StoreTest, CompactionWritesPartitionedParquetAndRecoveryKeepsEverythingOnce) {
  {
    auto store = open();
    Stream* s = *store->stream("web");
    LogBatch a = batch(100, kT0, "nginx", 1000);
    LogBatch b = batch(50, kT0 + kHour, "nginx", 1500);
    ASSERT_TRUE(s->append(a).ok());
    ASSERT_TRUE(s->append(b).ok());
    ASSERT_TRUE(s->compact(true).ok());
    auto paths = s->segment_paths();
    ASSERT_EQ(paths.size(), 2U);  // two hours -> two partitions
    EXPECT_NE(paths[0].find("/web/date=2025-11-21/hour=14/"), std::string::npos) << paths[0];
    EXPECT_NE(paths[1].find("/hour=15/"), std::string::npos) << paths[1];
    for (const auto& p : paths) EXPECT_TRUE(std::filesystem::exists(p));
    LogBatch c = batch(25, kT0 + 2 * kHour, "nginx", 1800);
    ASSERT_TRUE(s->append(c).ok());  // hot, not compacted
    EXPECT_EQ(count(store.get(), "SELECT count(*) FROM web"), 175);
    EXPECT_EQ(count(store.get(), "SELECT count(DISTINCT _offset) FROM web"), 175);
  }
  auto store = open();
  Stream* s = store->find_stream("web");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM web"), 175);
  EXPECT_EQ(count(store.get(), "SELECT max(_offset) FROM web"), 174);
  EXPECT_EQ(s->committed_positions("nginx").at("1:2:abc"), 1800U);
  LogBatch d = batch(5, kT0);
  auto r = s->append(d);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first_offset, 175U);
  // Time-range queries see the right partitions.
  EXPECT_EQ(count(store.get(),
                  "SELECT count(*) FROM web WHERE timestamp >= TIMESTAMP '2025-11-21 15:00:00' AND "
                  "timestamp < TIMESTAMP '2025-11-21 16:00:00'"),
            50);
}

// Entries of 64 KiB or more are kept hot as mappings of their WAL segment
// (Stream::append_entry), smaller ones as copies: both read back the same
// while hot across segment rolls, then from Parquet after compaction, and
// after a restart.
TEST_F(StoreTest, LargeEntriesAreReadHotFromTheirWalSegmentsMapped) {
  options_.wal_segment_bytes = 256 << 10;  // a segment rolls every two large entries
  auto body = [](int batch, int i) {
    return "b" + std::to_string(batch) + "-" + std::to_string(i) + std::string(600, 'x');
  };
  const int kBatches = 8;
  {
    auto store = open();
    Stream* s = *store->stream("big");
    for (int k = 0; k < kBatches; ++k) {
      LogBatch b = batch(k % 2 ? 200 : 20, kT0 + k * 1000);  // ~130 KB and ~13 KB entries
      for (size_t i = 0; i < b.records.size(); ++i) b.records[i].body = body(k, static_cast<int>(i));
      ASSERT_TRUE(s->append(b).ok());
    }
    EXPECT_GT(mapped_wal_segments(), 0);
    const int64_t rows = 4 * 200 + 4 * 20;
    EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big"), rows);
    EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big WHERE body = '" + body(3, 199) + "'"), 1);
    EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big WHERE body = '" + body(6, 0) + "'"), 1);
    EXPECT_EQ(count(store.get(), "SELECT sum(length(body)) FROM big"),
              count(store.get(), "SELECT sum(length(body)) FROM big WHERE body LIKE 'b_-%'"));
    ASSERT_TRUE(s->compact(true).ok());
    EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big"), rows);
    LogBatch more = batch(200, kT0 + 9000);
    for (size_t i = 0; i < more.records.size(); ++i) more.records[i].body = body(9, static_cast<int>(i));
    ASSERT_TRUE(s->append(more).ok());
    EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big WHERE body = '" + body(9, 123) + "'"), 1);
  }
  auto store = open();
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big"), 4 * 200 + 4 * 20 + 200);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big WHERE body = '" + body(9, 123) + "'"), 1);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big WHERE body = '" + body(1, 5) + "'"), 1);
}

// A hot snapshot taken before compaction (as a query bound to the older
// view holds) still reads its rows after compaction trimmed the WAL
// segments its mapped chunks come from.
TEST_F(StoreTest, HotSnapshotReadsMappedChunksAfterTheirSegmentsAreTrimmed) {
  options_.wal_segment_bytes = 256 << 10;
  auto store = open();
  Stream* s = *store->stream("big");
  std::vector<std::string> bodies;
  for (int k = 0; k < 6; ++k) {
    LogBatch b = batch(200, kT0 + k * 1000);  // ~130 KB entries: mapped
    for (size_t i = 0; i < b.records.size(); ++i) {
      b.records[i].body = "k" + std::to_string(k) + "-" + std::to_string(i) + std::string(600, 'y');
      bodies.push_back(b.records[i].body);
    }
    ASSERT_TRUE(s->append(b).ok());
  }
  auto wal_files = [&] {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "big" / "wal")) n += e.path().extension() == ".wal";
    return n;
  };
  const size_t before = wal_files();
  std::vector<HotChunk> snapshot = s->hot_snapshot(-1);
  ASSERT_EQ(snapshot.size(), 6U);
  EXPECT_GE(mapped_wal_segments(), 3);
  ASSERT_TRUE(s->compact(true).ok());
  EXPECT_LT(wal_files(), before);
  EXPECT_GT(mapped_wal_segments(/*deleted=*/true), 0);  // the snapshot's chunks: mapped, their files gone
  std::vector<std::string> read;
  for (const HotChunk& c : snapshot) {
    LogBatch b;
    ASSERT_TRUE(decode_batch(c.payload(), &b).ok());
    for (const auto& r : b.records) read.push_back(r.body);
  }
  EXPECT_EQ(read, bodies);
}

// When an entry cannot be mapped, the hot set keeps a copy of it: the rows
// read back the same.
TEST_F(StoreTest, EntriesThatCannotBeMappedAreKeptAsCopies) {
  NoMappingEnv env;
  auto opened = Store::open(&env, options_);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  std::unique_ptr<Store> store = std::move(*opened);
  Stream* s = *store->stream("big");
  for (int k = 0; k < 3; ++k) {
    LogBatch b = batch(200, kT0 + k * 1000);
    for (size_t i = 0; i < b.records.size(); ++i) {
      b.records[i].body = "c" + std::to_string(k) + "-" + std::to_string(i) + std::string(600, 'z');
    }
    ASSERT_TRUE(s->append(b).ok());
  }
  EXPECT_EQ(env.refused, 3);
  EXPECT_EQ(mapped_wal_segments(), 0);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big"), 600);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big WHERE body = 'c2-199" + std::string(600, 'z') + "'"), 1);
}

// One store per data directory: a second open fails, naming the directory
// and the process holding it, until the first store is closed.
TEST_F(StoreTest, DataDirectoryIsLockedAgainstASecondStore) {
  auto first = open();
  auto second = Store::open(Env::posix(), options_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  const std::string message = second.status().message();
  EXPECT_NE(message.find("data_dir " + dir_.string() + " is in use"), std::string::npos) << message;
  EXPECT_NE(message.find("/LOCK is locked by process " + std::to_string(::getpid())), std::string::npos) << message;
  first.reset();
  auto third = Store::open(Env::posix(), options_);
  EXPECT_TRUE(third.ok()) << third.status().to_string();
}

TEST_F(StoreTest, CompactionLeftoversAreRemovedAtRecovery) {
  {
    auto store = open();
    Stream* s = *store->stream("x");
    LogBatch a = batch(10, kT0);
    ASSERT_TRUE(s->append(a).ok());
  }
  // A Parquet file not in the catalog, as after a crash mid-compaction.
  std::filesystem::create_directories(dir_ / "x/date=2025-11-21/hour=14");
  std::ofstream(dir_ / "x/date=2025-11-21/hour=14/00000000000000000000-00000000000000000009.parquet") << "junk";
  auto store = open();
  EXPECT_FALSE(
      std::filesystem::exists(dir_ / "x/date=2025-11-21/hour=14/00000000000000000000-00000000000000000009.parquet"));
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM x"), 10);
}

TEST_F(StoreTest, RetentionDropsWholeSegmentsOldestFirst) {
  auto store = open();
  Stream* s = *store->stream("r");
  int64_t now = Env::posix()->now_unix_nanos();
  LogBatch old_batch = batch(100, now - 10 * 24 * kHour);
  LogBatch new_batch = batch(100, now);
  ASSERT_TRUE(s->append(old_batch).ok());
  ASSERT_TRUE(s->append(new_batch).ok());
  ASSERT_TRUE(s->compact(true).ok());
  ASSERT_EQ(s->segment_paths().size(), 2U);
  auto freed = s->apply_retention(std::chrono::hours(24 * 7), 0);
  ASSERT_TRUE(freed.ok());
  EXPECT_GT(*freed, 0U);
  EXPECT_EQ(s->segment_paths().size(), 1U);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM r"), 100);
  // A byte cap smaller than one segment deletes the rest.
  ASSERT_TRUE(s->apply_retention(std::chrono::nanoseconds(0), 1).ok());
  EXPECT_EQ(s->segment_paths().size(), 0U);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM r"), 0);
}

// Regression: after compaction trims whole WAL segments the WAL no longer
// starts at offset 0, and the store must still reopen.
TEST_F(StoreTest, ReopensAfterTheWalWasTrimmed) {
  options_.wal_segment_bytes = 1 << 20;
  {
    auto store = open();
    Stream* s = *store->stream("t");
    for (int i = 0; i < 30; ++i) {
      LogBatch b = batch(500, kT0 + i, "src", static_cast<uint64_t>(i));
      for (auto& r : b.records) r.body.append(200, 'x');
      ASSERT_TRUE(s->append(b).ok());
    }
    ASSERT_TRUE(s->compact(true).ok());
    LogBatch tail = batch(10, kT0, "src", 99);
    ASSERT_TRUE(s->append(tail).ok());
  }
  auto files = std::filesystem::directory_iterator(dir_ / "t" / "wal");
  bool has_zero = false;
  for (const auto& f : files) has_zero |= f.path().filename().string().starts_with("00000000000000000000");
  EXPECT_FALSE(has_zero) << "the first WAL segment should have been trimmed";
  auto store = open();
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM t"), 15010);
  EXPECT_EQ(count(store.get(), "SELECT count(DISTINCT _offset) FROM t"), 15010);
  EXPECT_EQ(store->find_stream("t")->committed_positions("src").at("1:2:abc"), 99U);
}

// A batch the WAL refuses fails alone, as invalid (a retry would fail the
// same way); the stream keeps taking writes.
TEST_F(StoreTest, OversizedBatchFailsAloneAndTheStreamStaysUsable) {
  auto store = open();
  Stream* s = *store->stream("big");
  LogBatch huge;
  LogRecord r;
  r.body.assign(70u << 20, 'x');  // over the WAL's 64 MiB entry cap
  huge.records.push_back(std::move(r));
  auto bad = s->append(huge);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << bad.status().to_string();
  EXPECT_NE(bad.status().message().find("stream big: a record alone is too large to store"), std::string::npos)
      << bad.status().to_string();
  LogBatch small = batch(3, kT0);
  ASSERT_TRUE(s->append(small).ok());
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big"), 3);
}

// The total byte cap drops the globally oldest segment, one at a time.
TEST_F(StoreTest, DropOldestSegmentDropsExactlyTheOldest) {
  auto store = open();
  Stream* s = *store->stream("d");
  for (int h = 0; h < 3; ++h) {
    LogBatch b = batch(10, kT0 + (2 - h) * kHour);  // appended newest first
    ASSERT_TRUE(s->append(b).ok());
  }
  ASSERT_TRUE(s->compact(true).ok());
  ASSERT_EQ(s->segment_paths().size(), 3U);
  auto dropped = s->drop_oldest_segment();
  ASSERT_TRUE(dropped.ok() && *dropped);
  auto paths = s->segment_paths();
  ASSERT_EQ(paths.size(), 2U);
  for (const auto& p : paths) EXPECT_EQ(p.find("/hour=14/"), std::string::npos) << p;
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM d"), 20);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM d WHERE hour(timestamp) = 14"), 0);
  ASSERT_TRUE(s->drop_oldest_segment().ok());
  ASSERT_TRUE(s->drop_oldest_segment().ok());
  auto none = s->drop_oldest_segment();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
}

TEST_F(StoreTest, RejectsBadStreamNames) {
  auto store = open();
  EXPECT_FALSE(store->stream("Bad Name").ok());
  EXPECT_FALSE(store->stream("").ok());
  EXPECT_FALSE(store->stream(std::string(65, 'a')).ok());
  EXPECT_TRUE(store->stream("a.b-c_1").ok());
}

TEST_F(StoreTest, PositionOnlyCommitsAdvancePositions) {
  {
    auto store = open();
    Stream* s = *store->stream("p");
    LogBatch b;
    b.positions.push_back({"src", "k", 42, "/x"});
    auto r = s->append(b);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->count, 0U);
  }
  auto store = open();
  EXPECT_EQ(store->find_stream("p")->committed_positions("src").at("k"), 42U);
}

LogBatch samples(int n, int64_t ts) {
  LogBatch b;
  for (int i = 0; i < n; ++i) {
    MetricSample m;
    m.timestamp_ns = ts + i;
    m.name = i % 2 ? "up" : "http_requests_total";
    m.labels = {{"job", "api"}, {"instance", "h" + std::to_string(i % 3)}};
    m.value = i * 1.5;
    m.kind = i % 2 ? MetricKind::kGauge : MetricKind::kCounter;
    m.resource = {{"host.name", "h"}};
    b.samples.push_back(std::move(m));
  }
  return b;
}

TEST_F(StoreTest, AppendGroupWritesBatchesInOrderWithOneFsync) {
  auto store = open();
  Stream* s = *store->stream("g");
  Counter& fsyncs = MetricsRegistry::global().counter("sluice_wal_fsyncs_total", "", {{"stream", "g"}});
  LogBatch a = batch(3, kT0, "src", 10);
  LogBatch wrong_kind = samples(2, kT0);  // a logs stream refuses it alone
  LogBatch c = batch(2, kT0, "src", 20);
  std::vector<LogBatch*> group = {&a, &wrong_kind, &c};
  uint64_t before = fsyncs.value();
  std::vector<Result<AppendResult>> r = s->append_group(group);
  ASSERT_EQ(r.size(), 3U);
  ASSERT_TRUE(r[0].ok()) << r[0].status().to_string();
  EXPECT_EQ(r[0]->first_offset, 0U);
  EXPECT_EQ(r[0]->last_offset, 2U);
  EXPECT_EQ(r[1].status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(r[2].ok()) << r[2].status().to_string();
  EXPECT_EQ(r[2]->first_offset, 3U);
  EXPECT_EQ(r[2]->last_offset, 4U);
  EXPECT_EQ(fsyncs.value() - before, 1U);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM g"), 5);
  EXPECT_EQ(s->committed_positions("src").at("1:2:abc"), 20U);

  // Below min_free_bytes every batch of the group is refused, none stored.
  s->set_disk_low(true);
  LogBatch d = batch(1, kT0), e = batch(1, kT0);
  std::vector<LogBatch*> refused = {&d, &e};
  for (const auto& x : s->append_group(refused)) EXPECT_EQ(x.status().code(), StatusCode::kResourceExhausted);
  s->set_disk_low(false);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM g"), 5);
}

TEST_F(StoreTest, MetricsStreamIsQueryableHotCompactedAndAfterRestart) {
  {
    auto store = open();
    Stream* s = *store->stream("metrics");
    LogBatch b = samples(10, kT0);
    b.positions.push_back({"prom", "k", 10, ""});
    auto r = s->append(b);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->count, 10U);
    EXPECT_EQ(s->info().kind, "metrics");
    EXPECT_EQ(count(store.get(), "SELECT count(*) FROM metrics WHERE name = 'up' AND labels['job'] = 'api'"), 5);
    EXPECT_EQ(count(store.get(), "SELECT CAST(sum(value) * 10 AS BIGINT) FROM metrics"), 675);
    EXPECT_EQ(count(store.get(),
                    "SELECT count(*) FROM metrics WHERE kind = 'counter' AND resource['host.name'] = "
                    "'h' AND timestamp >= TIMESTAMP '2025-11-21 14:00:00'"),
              5);
    // Logs into a metrics stream are refused.
    LogBatch logs = batch(1, kT0);
    auto bad = s->append(logs);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find("holds metrics"), std::string::npos) << bad.status().to_string();
    ASSERT_TRUE(s->compact(true).ok());
    LogBatch more = samples(4, kT0 + kHour);
    ASSERT_TRUE(s->append(more).ok());
    EXPECT_EQ(count(store.get(), "SELECT count(*) FROM metrics"), 14);
    EXPECT_EQ(count(store.get(), "SELECT count(DISTINCT _offset) FROM metrics"), 14);
  }
  auto store = open();
  Stream* s = *store->stream("metrics");
  EXPECT_EQ(s->info().kind, "metrics");
  EXPECT_EQ(s->info().records, 14U);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM metrics WHERE name = 'up'"), 7);
  EXPECT_EQ(s->committed_positions("prom").at("k"), 10U);
}

TEST_F(StoreTest, LogsStreamRefusesSamplesAndMixedBatches) {
  auto store = open();
  Stream* s = *store->stream("app");
  LogBatch logs = batch(2, kT0);
  ASSERT_TRUE(s->append(logs).ok());
  LogBatch m = samples(1, kT0);
  auto r = s->append(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("holds logs"), std::string::npos) << r.status().to_string();
  Stream* e = *store->stream("empty");
  LogBatch mixed = batch(1, kT0);
  mixed.samples = samples(1, kT0).samples;
  r = e->append(mixed);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than one kind"), std::string::npos) << r.status().to_string();
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM app"), 2);
}

TEST_F(StoreTest, AttributeColumnsEqualTheMapInHotCompactedAndOlderSegments) {
  auto check = [&](Store* store, int64_t rows) {
    EXPECT_EQ(count(store, "SELECT count(*) FROM app"), rows);
    EXPECT_EQ(count(store,
                    "SELECT count(*) FROM app WHERE http.response.status_code IS NOT DISTINCT FROM "
                    "attributes['http.response.status_code'] AND log.level IS NOT DISTINCT FROM "
                    "attributes['log.level']"),
              rows);
    EXPECT_EQ(count(store, "SELECT count(*) FROM app WHERE http.response.status_code = '404'"), rows / 2);
  };
  auto add = [](LogBatch b) {
    // Every other record also carries log.level; records keep their map.
    for (size_t i = 0; i < b.records.size(); i += 2) b.records[i].attributes.emplace_back("log.level", "warn");
    return b;
  };
  options_.attribute_columns = 0;
  {
    auto store = open();
    Stream* s = *store->stream("app");
    LogBatch b = add(batch(10, kT0));
    ASSERT_TRUE(s->append(b).ok());
    ASSERT_TRUE(s->compact(true).ok());  // a segment without attribute columns
  }
  options_.attribute_columns = 32;
  auto store = open();
  Stream* s = *store->stream("app");
  LogBatch b = add(batch(10, kT0 + kHour));
  ASSERT_TRUE(s->append(b).ok());
  ASSERT_TRUE(s->compact(true).ok());  // promotes both keys, writes them as columns
  LogBatch hot = add(batch(10, kT0 + 2 * kHour));
  ASSERT_TRUE(s->append(hot).ok());
  check(store.get(), 30);
  auto catalog = load_catalog(Env::posix(), (dir_ / "app" / "catalog.json").string());
  ASSERT_TRUE(catalog.ok());
  EXPECT_EQ(catalog->attribute_columns, (std::vector<std::string>{"http.response.status_code", "log.level"}));
  ASSERT_EQ(catalog->segments.size(), 2U);
  EXPECT_EQ(catalog->segments[0].attribute_columns, 0U);
  EXPECT_EQ(catalog->segments[1].attribute_columns, 2U);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM read_parquet('" + (dir_ / "app").string() +
                                   "/**/*.parquet', union_by_name = true) WHERE \"attributes.log.level\" = 'warn'"),
            5);
  store.reset();
  auto reopened = open();  // the view is rebuilt from the catalog
  check(reopened.get(), 30);
}

TEST_F(StoreTest, AttributeColumnsFollowKeysInAnyOrderAndTakeTheFirstOfATwiceSetKey) {
  auto store = open();
  Stream* s = *store->stream("app");
  LogBatch b;
  for (int i = 0; i < 40; ++i) {
    LogRecord r;
    r.timestamp_ns = kT0 + i;
    r.attributes = {{"a", "a" + std::to_string(i)}, {"b", "b" + std::to_string(i)}, {"c", "c"}};
    if (i % 3 == 1) std::rotate(r.attributes.begin(), r.attributes.begin() + 1, r.attributes.end());
    if (i % 5 == 2) r.attributes.erase(r.attributes.begin());
    if (i % 7 == 3) r.attributes.emplace_back("a", "second");
    if (i % 4 == 0) r.attributes.emplace_back("x" + std::to_string(i), "unpromoted");
    b.records.push_back(std::move(r));
  }
  int64_t without_a = 0, first_a_second = 0;
  for (const auto& r : b.records) {
    const std::string* a = find_key_value(r.attributes, "a");
    without_a += a == nullptr;
    first_a_second += a != nullptr && *a == "second";
  }
  ASSERT_GT(without_a, 0);
  ASSERT_GT(first_a_second, 0);
  ASSERT_TRUE(s->append(b).ok());
  const std::string same =
      "SELECT count(*) FROM app WHERE a IS NOT DISTINCT FROM attributes['a'] AND b IS NOT DISTINCT FROM "
      "attributes['b'] AND c IS NOT DISTINCT FROM attributes['c']";
  ASSERT_TRUE(s->compact(true).ok());  // promotes a, b, c; the rows are now in Parquet
  EXPECT_EQ(count(store.get(), same), 40);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM app WHERE a = 'second'"), first_a_second);
  ASSERT_TRUE(s->append(b).ok());  // hot rows, through the same columns
  EXPECT_EQ(count(store.get(), same), 80);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM app WHERE a IS NULL"), 2 * without_a);
}

// Compaction stores each promoted key's value once, in its column, and the
// view puts the map back together: every record's attributes read the same
// (as a set of entries) hot, from split segments, and from a segment
// compacted before the keys were promoted.
TEST_F(StoreTest, SplitAttributesMapsReadBackWhole) {
  auto make = [](int n, int64_t t0) {
    LogBatch b;
    for (int i = 0; i < n; ++i) {
      LogRecord r;
      r.timestamp_ns = t0 + i;
      r.attributes = {{"a", "a" + std::to_string(i)}, {"b", "b" + std::to_string(i % 3)}};
      if (i % 4 == 1) r.attributes.erase(r.attributes.begin());     // no a
      if (i % 5 == 2) r.attributes.emplace_back("a", "again");      // a twice
      if (i % 6 == 3) r.attributes.emplace_back("z", "only here");  // never promoted
      if (i % 9 == 4) r.attributes.clear();                         // no attributes at all
      b.records.push_back(std::move(r));
    }
    return b;
  };
  // Each row's entries sorted, "k=v;" each; the row's first "a" as a lookup finds it.
  auto expected = [](const LogBatch& b) {
    std::vector<std::string> rows;
    for (const auto& r : b.records) {
      std::vector<std::string> kv;
      for (const auto& [k, v] : r.attributes) kv.push_back(k + "=" + v);
      std::sort(kv.begin(), kv.end());
      std::string row;
      for (const auto& e : kv) row += e + ";";
      const std::string* a = find_key_value(r.attributes, "a");
      rows.push_back(row + "|" + (a ? *a : "NULL"));
    }
    return rows;
  };
  auto actual = [](Store* store) {
    auto con = store->database()->connect();
    DuckResult r;
    Status st = (*con)->query(
        "SELECT coalesce(array_to_string(list_sort(list_transform(map_entries(attributes), e -> e.key || '=' || "
        "e.value)), ';'), '') || CASE WHEN cardinality(attributes) > 0 THEN ';' ELSE '' END || '|' || "
        "coalesce(attributes['a'], "
        "'NULL') FROM app ORDER BY _offset",
        &r);
    EXPECT_TRUE(st.ok()) << st.to_string();
    std::vector<std::string> rows;
    for (idx_t i = 0; st.ok() && i < duckdb_row_count(r.raw()); ++i) {
      char* v = duckdb_value_varchar(r.raw(), 0, i);
      rows.emplace_back(v ? v : "<null>");
      duckdb_free(v);
    }
    return rows;
  };
  options_.attribute_columns = 0;
  {
    auto store = open();
    LogBatch first = make(30, kT0);
    ASSERT_TRUE((*store->stream("app"))->append(first).ok());
    ASSERT_TRUE((*store->stream("app"))->compact(true).ok());  // a whole map, no columns
  }
  options_.attribute_columns = 32;
  auto store = open();
  Stream* s = *store->stream("app");
  const LogBatch second = make(30, kT0 + 100);
  LogBatch appended = second;
  ASSERT_TRUE(s->append(appended).ok());
  ASSERT_TRUE(s->compact(true).ok());  // promotes a and b; the map keeps z and the second a
  const LogBatch hot = make(12, kT0 + 200);
  appended = hot;
  ASSERT_TRUE(s->append(appended).ok());

  std::vector<std::string> want = expected(make(30, kT0));
  for (auto* b : {&second, &hot}) {
    auto more = expected(*b);
    want.insert(want.end(), more.begin(), more.end());
  }
  EXPECT_EQ(actual(store.get()), want);

  auto catalog = load_catalog(Env::posix(), (dir_ / "app" / "catalog.json").string());
  ASSERT_TRUE(catalog.ok());
  ASSERT_EQ(catalog->segments.size(), 2U);
  EXPECT_FALSE(catalog->segments[0].attributes_split);
  EXPECT_TRUE(catalog->segments[1].attributes_split);
  // In the split file, only the entries the columns do not hold are in the map.
  int64_t left = 0;
  for (const auto& r : second.records) {
    std::set<std::string> seen;
    for (const auto& [k, v] : r.attributes) left += k == "z" || !seen.insert(k).second;
  }
  EXPECT_EQ(count(store.get(), "SELECT sum(cardinality(attributes)) FROM read_parquet('" +
                                   (dir_ / "app" / catalog->segments[1].path).string() + "')"),
            left);
}

TEST_F(StoreTest, MergeAttributesFunctionSkipsNullValuesAndChecksItsKeys) {
  auto store = open();
  auto con = store->database()->connect();
  DuckResult r;
  ASSERT_TRUE((*con)
                  ->query("SELECT sluice_merge_attributes(MAP {'z': '9'}, ['a', 'b'], NULL, 'v')::VARCHAR, "
                          "sluice_merge_attributes(NULL, ['a'], 'w')::VARCHAR, "
                          "sluice_merge_attributes(MAP {'z': '9'}, [])::VARCHAR",
                          &r)
                  .ok());
  std::vector<std::string> got;
  for (idx_t c = 0; c < 3; ++c) {
    char* v = duckdb_value_varchar(r.raw(), c, 0);
    got.emplace_back(v ? v : "<null>");
    duckdb_free(v);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"{b=v, z=9}", "{a=w}", "{z=9}"}));
  DuckResult failed;
  Status st = (*con)->query("SELECT sluice_merge_attributes(MAP {'z': '9'}, ['a'], 'v', 'w')", &failed);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("sluice_merge_attributes: the keys list must name every value"), std::string::npos)
      << st.to_string();
}

// A batch whose encoding is larger than one WAL entry may be (64 MiB) is
// stored as several entries, its positions with the last, instead of being
// refused (which a sink would retry forever). One record too large on its
// own is refused as invalid, once; the records before it are stored.
TEST_F(StoreTest, BatchTooLargeForOneWalEntryIsStoredInParts) {
  const size_t kBody = 15u << 20;  // six records: 90 MiB
  {
    auto store = open();
    Stream* s = *store->stream("big");
    LogBatch b = batch(6, kT0, "src", 4242);
    for (auto& r : b.records) r.body.assign(kBody, 'x');
    auto r = s->append(b);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->first_offset, 0U);
    EXPECT_EQ(r->last_offset, 5U);
    EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big WHERE length(body) = " + std::to_string(kBody)), 6);
    EXPECT_EQ(s->committed_positions("src").at("1:2:abc"), 4242U);

    LogBatch mixed = batch(3, kT0 + 10);
    mixed.records[1].body.assign(65u << 20, 'y');  // alone larger than an entry
    auto refused = s->append(mixed);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status().to_string();
    LogBatch after = batch(2, kT0 + 20);
    auto next = s->append(after);
    ASSERT_TRUE(next.ok()) << next.status().to_string();
    EXPECT_EQ(next->first_offset, 7U);  // the record before the large one took offset 6
  }
  auto store = open();  // the WAL replays every part
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big"), 9);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM big WHERE length(body) = " + std::to_string(kBody)), 6);
  EXPECT_EQ(store->find_stream("big")->committed_positions("src").at("1:2:abc"), 4242U);
}

// A batch whose encoding fits one entry but whose records would take more
// memory than one batch may (kMaxBatchFootprintBytes, what a decoder of the
// entry would allocate) is split the same way: 1.4M empty records count
// 384 bytes each (~538 MB), and encode to ~28 MB. (Empty records: one
// allocation in all, so that the test stays quick under the sanitizers.)
TEST_F(StoreTest, BatchOverTheFootprintLimitIsStoredInParts) {
  constexpr size_t kRecords = 1'400'000;
  LogBatch b;
  b.records.resize(kRecords);
  for (size_t i = 0; i < kRecords; ++i) b.records[i].timestamp_ns = kT0 + static_cast<int64_t>(i);
  b.positions.push_back({"src", "1:2:abc", 77, "/var/log/x.log"});
  ASSERT_GT(batch_footprint(b), kMaxBatchFootprintBytes);
  {
    auto store = open();
    Stream* s = *store->stream("wide");
    auto r = s->append(b);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->first_offset, 0U);
    EXPECT_EQ(r->last_offset, kRecords - 1);
    EXPECT_EQ(s->committed_positions("src").at("1:2:abc"), 77U);
    EXPECT_EQ(s->info().records, kRecords);
    EXPECT_EQ(s->info().newest_timestamp_ns, kT0 + static_cast<int64_t>(kRecords) - 1);
  }
  auto store = open();  // the WAL replays both parts
  Stream* s = store->find_stream("wide");
  EXPECT_EQ(s->info().records, kRecords);
  EXPECT_EQ(s->info().next_offset, kRecords);
  EXPECT_EQ(s->committed_positions("src").at("1:2:abc"), 77U);
}

// Backpressure: a stream holding max_hot_rows (here twice compact_rows,
// the larger) hot rows makes the next append wait for compaction instead of
// holding ever more rows in memory; the compaction lets it through.
TEST_F(StoreTest, AppendsWaitWhileCompactionIsBehind) {
  options_.compact_rows = 1000;
  options_.max_hot_rows = 1000;  // the limit is 2 * compact_rows = 2000
  auto store = open();
  Stream* s = *store->stream("behind");
  LogBatch first = batch(2000, kT0);
  ASSERT_TRUE(s->append(first).ok());
  Counter& waits = MetricsRegistry::global().counter("sluice_store_compaction_waits_total", "", {{"stream", "behind"}});
  const uint64_t waits_before = waits.value();
  std::atomic<bool> done{false};
  std::thread appender([&] {
    LogBatch more = batch(10, kT0 + 5000);
    EXPECT_TRUE(s->append(more).ok());
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // well within the one-second wait
  EXPECT_FALSE(done.load()) << "the append did not wait for compaction";
  ASSERT_TRUE(s->compact(true).ok());
  appender.join();
  EXPECT_TRUE(done.load());
  EXPECT_EQ(waits.value(), waits_before + 1);
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM behind"), 2010);
}

TEST_F(StoreTest, InvalidUtf8IsRepairedInQueryResults) {
  auto store = open();
  Stream* s = *store->stream("app");
  LogBatch b = batch(1, kT0);
  b.records[0].body = "ok \xff\xfe end";
  b.records[0].attributes = {{"k\xc3", "v\xe2\x82"}};
  ASSERT_TRUE(s->append(b).ok());
  auto con = store->database()->connect();
  DuckResult r;
  ASSERT_TRUE((*con)->query("SELECT body, attributes['k\xef\xbf\xbd'] FROM app", &r).ok());
  char* body = duckdb_value_varchar(r.raw(), 0, 0);
  char* attr = duckdb_value_varchar(r.raw(), 1, 0);
  EXPECT_EQ(std::string(body), "ok \xef\xbf\xbd\xef\xbf\xbd end");
  EXPECT_EQ(std::string(attr), "v\xef\xbf\xbd");
  duckdb_free(body);
  duckdb_free(attr);
  ASSERT_TRUE(s->compact(true).ok());
  EXPECT_EQ(count(store.get(), "SELECT count(*) FROM app WHERE body = 'ok \xef\xbf\xbd\xef\xbf\xbd end'"), 1);
}

TEST_F(StoreTest, TracesStreamServesSpanColumnsHotAndCompacted) {
  auto store = open();
  Stream* s = *store->stream("spans");
  LogBatch b;
  for (int i = 0; i < 3; ++i) {
    Span x;
    x.start_timestamp_ns = kT0 + i * 1000;
    x.end_timestamp_ns = x.start_timestamp_ns + 2500;
    x.trace_id = "0123456789abcdef0123456789abcdef";
    x.span_id = "000000000000000" + std::to_string(i);
    x.parent_span_id = i == 0 ? "" : "0000000000000000";
    x.name = i == 0 ? "GET /" : "db.query";
    x.kind = i == 0 ? 2 : 3;
    x.status_code = i == 2 ? 2 : 0;
    x.status_message = i == 2 ? "timeout" : "";
    x.resource = {{"service.name", "shop"}};
    x.service_name = "shop";
    x.events.push_back({x.start_timestamp_ns + 1, "exception", {{"exception.type", "Timeout"}}});
    b.spans.push_back(std::move(x));
  }
  ASSERT_TRUE(s->append(b).ok());
  EXPECT_EQ(s->info().kind, "traces");
  auto check = [&] {
    EXPECT_EQ(count(store.get(),
                    "SELECT count(*) FROM spans WHERE span_kind = 'client' AND parent_span_id = "
                    "'0000000000000000' AND service_name = 'shop'"),
              2);
    EXPECT_EQ(count(store.get(),
                    "SELECT duration_ns FROM spans WHERE status_code = 'error' AND status_message = "
                    "'timeout'"),
              2500);
    EXPECT_EQ(count(store.get(),
                    "SELECT count(*) FROM spans WHERE json_extract_string(events, '$[0].name') = "
                    "'exception' AND resource['service.name'] = 'shop'"),
              3);
  };
  check();
  ASSERT_TRUE(s->compact(true).ok());
  check();
  LogBatch logs = batch(1, kT0);
  EXPECT_FALSE(s->append(logs).ok());
}

}  // namespace
}  // namespace sluice
