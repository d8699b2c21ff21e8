// The WAL under injected faults (FaultInjectionEnv): power losses, failed
// appends and syncs, and random operation sequences checked against a
// simple model.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <random>

#include "common/env_fault.hpp"
#include "common/env_mem.hpp"
#include "store/wal/wal.hpp"
#include "store/wal/wal_test_util.hpp"

namespace sluice {
namespace {

using wal_test::flatten;
using wal_test::make_batch;
using wal_test::make_record;
using wal_test::open_wal;
using wal_test::read_all;

class WalFaultTest : public ::testing::Test {
 protected:
  std::unique_ptr<MemEnv> mem_ = new_mem_env();
  FaultInjectionEnv env_{mem_.get()};
  std::string dir_ = "/wal";
};

TEST_F(WalFaultTest, SyncedEntriesSurvivePowerLossUnsyncedDoNot) {
  LogBatch b0 = make_batch(0, 3), b1 = make_batch(3, 2), b2 = make_batch(5, 4);
  {
    auto wal = open_wal(&env_, dir_);
    ASSERT_TRUE(wal->append(b0).ok());
    ASSERT_TRUE(wal->append(b1).ok());
    ASSERT_TRUE(wal->sync().ok());
    ASSERT_TRUE(wal->append(b2).ok());
  }
  ASSERT_TRUE(env_.simulate_power_loss().ok());
  RecoveryReport report;
  auto wal = open_wal(&env_, dir_, {}, &report);
  EXPECT_TRUE(report.first_error.ok()) << report.first_error.to_string();
  std::vector<LogRecord> want = b0.records;
  want.insert(want.end(), b1.records.begin(), b1.records.end());
  EXPECT_EQ(flatten(read_all(*wal, 0), 0), want);
  EXPECT_EQ(wal->next_offset(), 5u);
}

TEST_F(WalFaultTest, PowerLossAcrossRollsKeepsEverySyncedEntry) {
  WalOptions opts;
  opts.segment_bytes = 2048;
  std::vector<LogRecord> synced;
  {
    auto wal = open_wal(&env_, dir_, opts);
    std::vector<LogRecord> appended;
    for (uint64_t id = 0; id < 200; id += 5) {
      LogBatch b = make_batch(id, 5);
      ASSERT_TRUE(wal->append(b).ok());
      appended.insert(appended.end(), b.records.begin(), b.records.end());
      if (id % 35 == 0) {
        ASSERT_TRUE(wal->sync().ok());
        synced = appended;
      }
    }
    ASSERT_GT(wal->segment_count(), 5u);
  }
  ASSERT_TRUE(env_.simulate_power_loss().ok());
  RecoveryReport report;
  auto wal = open_wal(&env_, dir_, opts, &report);
  EXPECT_EQ(flatten(read_all(*wal, 0), 0), synced);
  EXPECT_TRUE(report.set_aside.empty());
}

TEST_F(WalFaultTest, NewSegmentWithoutDirectorySyncVanishesCleanly) {
  WalOptions opts;
  opts.segment_bytes = 1;  // every append rolls
  {
    auto wal = open_wal(&env_, dir_, opts);
    ASSERT_TRUE(wal->append(make_batch(0, 2)).ok());
    ASSERT_TRUE(wal->sync().ok());
    ASSERT_TRUE(wal->append(make_batch(2, 2)).ok());  // in a new segment, never synced
  }
  ASSERT_TRUE(env_.simulate_power_loss().ok());
  EXPECT_FALSE(env_.exists(dir_ + "/" + wal::segment_file_name(2)));
  auto wal = open_wal(&env_, dir_, opts);
  EXPECT_EQ(wal->next_offset(), 2u);
  EXPECT_EQ(flatten(read_all(*wal, 0), 0).size(), 2u);
}

TEST_F(WalFaultTest, FailedTornAppendFailsTheWalUntilReopened) {
  auto wal = open_wal(&env_, dir_);
  ASSERT_TRUE(wal->append(make_batch(0, 2)).ok());
  ASSERT_TRUE(wal->sync().ok());
  env_.fail_next_appends(1, /*torn=*/true);
  auto failed = wal->append(make_batch(2, 3));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
  // Later calls keep failing: the torn bytes must not be followed by entries.
  auto again = wal->append(make_batch(2, 3));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("must be reopened"), std::string::npos);
  EXPECT_FALSE(wal->sync().ok());
  wal.reset();

  RecoveryReport report;
  wal = open_wal(&env_, dir_, {}, &report);
  EXPECT_EQ(report.first_error.kind, wal::WalErrorKind::kTruncatedEntry) << report.first_error.to_string();
  EXPECT_EQ(wal->next_offset(), 2u);
  ASSERT_TRUE(wal->append(make_batch(2, 3)).ok());
  ASSERT_TRUE(wal->sync().ok());
  EXPECT_EQ(flatten(read_all(*wal, 0), 0).size(), 5u);
}

TEST_F(WalFaultTest, FailedSyncFailsTheWalAndLosesOnlyUnsyncedData) {
  auto wal = open_wal(&env_, dir_);
  ASSERT_TRUE(wal->append(make_batch(0, 2)).ok());
  ASSERT_TRUE(wal->sync().ok());
  ASSERT_TRUE(wal->append(make_batch(2, 2)).ok());
  env_.fail_next_syncs(1);
  Status s = wal->sync();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(wal->durable_offset(), 2u);
  EXPECT_FALSE(wal->sync().ok());  // never retried: the kernel may have dropped the pages
  wal.reset();
  ASSERT_TRUE(env_.simulate_power_loss().ok());
  wal = open_wal(&env_, dir_);
  EXPECT_EQ(wal->next_offset(), 2u);
}

TEST_F(WalFaultTest, FailedRollIsRecovered) {
  WalOptions opts;
  opts.segment_bytes = 1;
  auto wal = open_wal(&env_, dir_, opts);
  ASSERT_TRUE(wal->append(make_batch(0, 2)).ok());
  ASSERT_TRUE(wal->sync().ok());
  env_.fail_next_appends(1, /*torn=*/true);  // hits the new segment's file header
  ASSERT_FALSE(wal->append(make_batch(2, 2)).ok());
  wal.reset();
  RecoveryReport report;
  wal = open_wal(&env_, dir_, opts, &report);
  EXPECT_EQ(report.first_error.kind, wal::WalErrorKind::kTruncatedFileHeader) << report.first_error.to_string();
  EXPECT_EQ(wal->next_offset(), 2u);
  ASSERT_TRUE(wal->append(make_batch(2, 2)).ok());
  ASSERT_TRUE(wal->sync().ok());
  EXPECT_EQ(flatten(read_all(*wal, 0), 0).size(), 4u);
}

// ---- Random operation sequences against a model ----

/// What must be in the WAL: every appended entry, which of them are
/// durable, and how far trimming may have gone.
struct Model {
  struct Entry {
    uint64_t first_offset;
    std::vector<LogRecord> records;
    std::vector<SourcePosition> positions;
  };
  std::vector<Entry> entries;  // in append order
  size_t durable_entries = 0;  // entries [0, durable_entries) survive a power loss
  uint64_t trimmed_to = 0;     // highest offset passed to trim_before()

  uint64_t next_offset() const {
    return entries.empty() ? 0 : entries.back().first_offset + entries.back().records.size();
  }
  std::vector<LogRecord> records_from(uint64_t offset) const {
    std::vector<LogRecord> out;
    for (const auto& e : entries) {
      for (size_t i = 0; i < e.records.size(); ++i) {
        if (e.first_offset + i >= offset) out.push_back(e.records[i]);
      }
    }
    return out;
  }
  std::vector<SourcePosition> latest_positions() const {
    std::map<std::pair<std::string, std::string>, SourcePosition> m;
    for (const auto& e : entries) {
      for (const auto& p : e.positions) m[{p.source, p.key}] = p;
    }
    std::vector<SourcePosition> out;
    for (auto& [k, p] : m) out.push_back(p);
    return out;
  }
};

void check_against_model(const Wal& wal, const Model& model) {
  ASSERT_EQ(wal.next_offset(), model.next_offset());
  EXPECT_LE(wal.first_offset(), std::min(model.trimmed_to, model.next_offset()));
  EXPECT_EQ(wal.latest_positions(), model.latest_positions());
  uint64_t from = wal.first_offset();
  // Reads cover durable entries only; callers check after sync/reopen.
  EXPECT_EQ(flatten(read_all(wal, from), from), model.records_from(from));
}

/// What a run exercised, so that a silently weakened test shows up.
struct Coverage {
  int appends = 0, syncs = 0, injected_failures = 0, power_losses = 0, lossy_power_losses = 0, restarts = 0;
  int trims_that_deleted = 0, rolls = 0, torn_tails_recovered = 0;
};

void run_random_ops(uint32_t seed, int ops, Coverage* cov) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  auto mem = new_mem_env();
  FaultInjectionEnv env(mem.get());
  std::mt19937 rng(seed);
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  WalOptions opts;
  opts.segment_bytes = 1024 + rng() % 4096;
  opts.index_interval_bytes = 256;
  const std::string dir = "/random";
  Model model;
  uint64_t next_id = 0;  // record ids, unique across the run (offsets restart after losses)

  auto wal = open_wal(&env, dir, opts);
  ASSERT_NE(wal, nullptr);
  bool failed = false;  // the Wal refused an operation and must be reopened

  auto reopen = [&](bool power_loss) {
    wal.reset();
    if (power_loss) {
      ASSERT_TRUE(env.simulate_power_loss().ok());
      ++cov->power_losses;
      if (model.entries.size() > model.durable_entries) ++cov->lossy_power_losses;
      model.entries.resize(model.durable_entries);
    } else {
      ++cov->restarts;
    }
    RecoveryReport report;
    wal = open_wal(&env, dir, opts, &report);
    ASSERT_NE(wal, nullptr);
    ASSERT_TRUE(report.set_aside.empty()) << report.first_error.to_string();
    // Recovery only ever drops a torn tail: never a bad checksum in the
    // middle, never an offset gap.
    if (!report.first_error.ok()) {
      ++cov->torn_tails_recovered;
      auto k = report.first_error.kind;
      EXPECT_TRUE(k == wal::WalErrorKind::kTruncatedEntry || k == wal::WalErrorKind::kTruncatedFileHeader)
          << report.first_error.to_string();
    }
    model.durable_entries = model.entries.size();  // open() syncs what it recovered
    failed = false;
    check_against_model(*wal, model);
  };

  for (int op = 0; op < ops; ++op) {
    SCOPED_TRACE("op " + std::to_string(op));
    int kind = static_cast<int>(rng() % 100);
    if (failed) {
      reopen(chance(50));
      continue;
    }
    if (kind < 50) {  // append
      LogBatch b;
      size_t n = rng() % 6;
      for (size_t i = 0; i < n; ++i) b.records.push_back(make_record(next_id++, 20 + rng() % 200));
      if (n == 0 || chance(60)) {
        b.positions.push_back({"src", "file-" + std::to_string(rng() % 4), rng() % 100000, "/log"});
      }
      bool inject = chance(4);
      if (inject) env.fail_next_appends(1, chance(50));
      size_t segments_before = wal->segment_count();
      auto info = wal->append(b);
      env.fail_next_appends(0);
      if (!info.ok()) {
        ASSERT_TRUE(inject) << info.status().to_string();
        ++cov->injected_failures;
        failed = true;
        continue;
      }
      ASSERT_FALSE(inject) << "an injected append fault did not fail the append";
      ++cov->appends;
      if (wal->segment_count() > segments_before) ++cov->rolls;
      model.entries.push_back({info->first_offset, b.records, b.positions});
      ASSERT_EQ(info->first_offset + info->record_count, model.next_offset());
    } else if (kind < 70) {  // sync
      bool inject = chance(5);
      if (inject) env.fail_next_syncs(1);
      Status s = wal->sync();
      env.fail_next_syncs(0);
      if (!s.ok()) {
        ASSERT_TRUE(inject) << s.to_string();
        ++cov->injected_failures;
        failed = true;
        continue;
      }
      ++cov->syncs;
      model.durable_entries = model.entries.size();
      EXPECT_EQ(wal->durable_offset(), model.next_offset());
      check_against_model(*wal, model);
    } else if (kind < 78) {  // trim
      uint64_t to = model.next_offset() == 0 ? 0 : rng() % (model.next_offset() + 1);
      size_t segments_before = wal->segment_count();
      ASSERT_TRUE(wal->trim_before(to).ok());
      if (wal->segment_count() < segments_before) ++cov->trims_that_deleted;
      model.trimmed_to = std::max(model.trimmed_to, to);
      EXPECT_LE(wal->first_offset(), model.trimmed_to);
    } else if (kind < 86) {  // read from a random retained offset
      if (wal->durable_offset() > wal->first_offset()) {
        uint64_t from = wal->first_offset() + rng() % (wal->durable_offset() - wal->first_offset());
        std::vector<LogRecord> want;
        for (const auto& e : model.entries) {
          for (size_t i = 0; i < e.records.size(); ++i) {
            uint64_t off = e.first_offset + i;
            if (off >= from && off < wal->durable_offset()) want.push_back(e.records[i]);
          }
        }
        EXPECT_EQ(flatten(read_all(*wal, from), from), want);
      }
    } else if (kind < 93) {  // clean restart: the process exits, the OS keeps its page cache
      reopen(false);
    } else {  // power loss
      reopen(true);
    }
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(WalRandomTest, OperationsMatchModel) {
  Coverage cov;
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    run_random_ops(seed, 400, &cov);
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::printf(
      "random WAL ops: %d appends, %d syncs, %d rolls, %d trims that deleted segments, %d injected "
      "failures, %d restarts, %d power losses (%d lost unsynced entries), %d torn tails recovered\n",
      cov.appends, cov.syncs, cov.rolls, cov.trims_that_deleted, cov.injected_failures, cov.restarts, cov.power_losses,
      cov.lossy_power_losses, cov.torn_tails_recovered);
  EXPECT_GT(cov.rolls, 10);
  EXPECT_GT(cov.trims_that_deleted, 5);
  EXPECT_GT(cov.injected_failures, 5);
  EXPECT_GT(cov.lossy_power_losses, 5);
}

}  // namespace
}  // namespace sluice
