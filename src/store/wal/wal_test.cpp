// Wal behaviour on a healthy disk: appends, rolls, reopen, reads, trims,
// positions. Runs on a real temp directory (Env::posix()) and on MemEnv.
#include "store/wal/wal.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/env_mem.hpp"
#include "store/wal/wal_test_util.hpp"

namespace sluice {
namespace {

using wal_test::flatten;
using wal_test::make_batch;
using wal_test::make_record;
using wal_test::open_wal;
using wal_test::read_all;

enum class EnvKind { kPosix, kMem };

class WalTest : public ::testing::TestWithParam<EnvKind> {
 protected:
  void SetUp() override {
    if (GetParam() == EnvKind::kPosix) {
      env_ = Env::posix();
      dir_ = tmp_.path() + "/stream";
    } else {
      env_ = mem_.get();
      dir_ = "/data/stream";
    }
  }

  std::vector<std::string> segment_files() {
    auto names = env_->list_dir(dir_);
    EXPECT_TRUE(names.ok());
    std::vector<std::string> out;
    for (auto& n : *names) {
      if (wal::parse_segment_file_name(n)) out.push_back(n);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  wal_test::TempDir tmp_;
  std::unique_ptr<MemEnv> mem_ = new_mem_env();
  Env* env_ = nullptr;
  std::string dir_;
};

INSTANTIATE_TEST_SUITE_P(Envs, WalTest, ::testing::Values(EnvKind::kPosix, EnvKind::kMem),
                         [](const auto& info) { return info.param == EnvKind::kPosix ? "Posix" : "Mem"; });

TEST_P(WalTest, NewWalIsEmpty) {
  RecoveryReport report;
  auto wal = open_wal(env_, dir_, {}, &report);
  ASSERT_NE(wal, nullptr);
  EXPECT_EQ(wal->next_offset(), 0u);
  EXPECT_EQ(wal->first_offset(), 0u);
  EXPECT_EQ(wal->durable_offset(), 0u);
  EXPECT_EQ(wal->segment_count(), 1u);
  EXPECT_EQ(wal->size_bytes(), wal::kFileHeaderSize);
  EXPECT_TRUE(report.first_error.ok());
  EXPECT_EQ(report.entries, 0u);
  EXPECT_EQ(segment_files(), std::vector<std::string>{"00000000000000000000.wal"});
  EXPECT_TRUE(read_all(*wal, 0).empty());
}

TEST_P(WalTest, InitialOffsetAppliesToEmptyDirectoryOnly) {
  WalOptions opts;
  opts.initial_offset = 1000;
  {
    auto wal = open_wal(env_, dir_, opts);
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(wal->next_offset(), 1000u);
    ASSERT_TRUE(wal->append(make_batch(0, 5)).ok());
    ASSERT_TRUE(wal->sync().ok());
  }
  opts.initial_offset = 7;
  auto wal = open_wal(env_, dir_, opts);
  EXPECT_EQ(wal->first_offset(), 1000u);
  EXPECT_EQ(wal->next_offset(), 1005u);
  EXPECT_EQ(segment_files(), std::vector<std::string>{"00000000000000001000.wal"});
}

TEST_P(WalTest, AppendAssignsDenseOffsets) {
  auto wal = open_wal(env_, dir_);
  auto a = wal->append(make_batch(0, 3));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first_offset, 0u);
  EXPECT_EQ(a->record_count, 3u);
  EXPECT_GT(a->entry_bytes, wal::kEntryHeaderSize);
  auto b = wal->append(make_batch(3, 2));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->first_offset, 3u);
  EXPECT_EQ(wal->next_offset(), 5u);
  EXPECT_EQ(wal->durable_offset(), 0u);
  ASSERT_TRUE(wal->sync().ok());
  EXPECT_EQ(wal->durable_offset(), 5u);
  EXPECT_EQ(wal->size_bytes(), wal::kFileHeaderSize + a->entry_bytes + b->entry_bytes);
}

TEST_P(WalTest, RoundTripAcrossSegmentRollsAndReopen) {
  WalOptions opts;
  opts.segment_bytes = 4096;
  std::vector<LogRecord> expected;
  uint64_t id = 0;
  {
    auto wal = open_wal(env_, dir_, opts);
    for (int i = 0; i < 60; ++i) {
      size_t n = 1 + static_cast<size_t>(i % 7);
      LogBatch b = make_batch(id, n);
      expected.insert(expected.end(), b.records.begin(), b.records.end());
      auto info = wal->append(b);
      ASSERT_TRUE(info.ok()) << info.status().to_string();
      EXPECT_EQ(info->first_offset, id);
      id += n;
      if (i % 5 == 0) {
        ASSERT_TRUE(wal->sync().ok());
      }
    }
    ASSERT_TRUE(wal->sync().ok());
    EXPECT_GT(wal->segment_count(), 5u);
    EXPECT_EQ(flatten(read_all(*wal, 0), 0), expected);
    EXPECT_EQ(wal->segment_count(), segment_files().size());
  }
  RecoveryReport report;
  auto wal = open_wal(env_, dir_, opts, &report);
  EXPECT_TRUE(report.first_error.ok()) << report.first_error.to_string();
  EXPECT_EQ(report.records, expected.size());
  EXPECT_EQ(report.next_offset, id);
  EXPECT_EQ(report.bytes_skipped, 0u);
  EXPECT_EQ(wal->next_offset(), id);
  EXPECT_EQ(wal->durable_offset(), id);
  EXPECT_EQ(flatten(read_all(*wal, 0), 0), expected);

  // Appending after reopen continues the offsets.
  LogBatch more = make_batch(id, 4);
  auto info = wal->append(more);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->first_offset, id);
  ASSERT_TRUE(wal->sync().ok());
  expected.insert(expected.end(), more.records.begin(), more.records.end());
  EXPECT_EQ(flatten(read_all(*wal, 0), 0), expected);
}

TEST_P(WalTest, SegmentsAreNamedByBaseOffset) {
  WalOptions opts;
  opts.segment_bytes = 1;  // every record-bearing append rolls
  auto wal = open_wal(env_, dir_, opts);
  ASSERT_TRUE(wal->append(make_batch(0, 3, false)).ok());
  ASSERT_TRUE(wal->append(make_batch(3, 2, false)).ok());
  ASSERT_TRUE(wal->append(make_batch(5, 1, false)).ok());
  EXPECT_EQ(segment_files(), (std::vector<std::string>{"00000000000000000000.wal", "00000000000000000003.wal",
                                                       "00000000000000000005.wal"}));
}

TEST_P(WalTest, ReadFromMiddleOffsetsWithSparseIndex) {
  WalOptions opts;
  opts.segment_bytes = 8192;
  opts.index_interval_bytes = 300;
  auto wal = open_wal(env_, dir_, opts);
  std::vector<LogRecord> all;
  for (uint64_t id = 0; id < 200; id += 4) {
    LogBatch b = make_batch(id, 4);
    all.insert(all.end(), b.records.begin(), b.records.end());
    ASSERT_TRUE(wal->append(b).ok());
  }
  ASSERT_TRUE(wal->sync().ok());
  for (uint64_t from : {0u, 1u, 3u, 4u, 5u, 50u, 97u, 101u, 150u, 199u, 200u, 500u}) {
    auto entries = read_all(*wal, from);
    auto got = flatten(entries, from);
    std::vector<LogRecord> want(all.begin() + std::min<uint64_t>(from, all.size()), all.end());
    EXPECT_EQ(got, want) << "from " << from;
  }
}

TEST_P(WalTest, ReaderSeesOnlyDurableEntries) {
  auto wal = open_wal(env_, dir_);
  ASSERT_TRUE(wal->append(make_batch(0, 2)).ok());
  EXPECT_TRUE(read_all(*wal, 0).empty());
  ASSERT_TRUE(wal->sync().ok());
  ASSERT_TRUE(wal->append(make_batch(2, 2)).ok());
  auto reader = wal->read_from(0);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(wal->sync().ok());
  // The reader's snapshot was taken before the second sync.
  WalEntry e;
  ASSERT_TRUE(*(*reader)->next(&e));
  EXPECT_EQ(e.first_offset, 0u);
  EXPECT_FALSE(*(*reader)->next(&e));
  EXPECT_EQ(flatten(read_all(*wal, 0), 0).size(), 4u);
}

TEST_P(WalTest, PositionOnlyCommitsTakeNoOffsets) {
  auto wal = open_wal(env_, dir_);
  ASSERT_TRUE(wal->append(make_batch(0, 2)).ok());
  LogBatch pos_only;
  pos_only.positions.push_back({"src", "file-2", 99, "/var/log/b.log"});
  auto info = wal->append(pos_only);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->first_offset, 2u);
  EXPECT_EQ(info->record_count, 0u);
  EXPECT_EQ(wal->next_offset(), 2u);
  ASSERT_TRUE(wal->append(make_batch(2, 1)).ok());
  ASSERT_TRUE(wal->sync().ok());

  auto entries = read_all(*wal, 0);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].first_offset, 2u);
  EXPECT_TRUE(entries[1].batch.records.empty());
  EXPECT_EQ(entries[1].batch.positions, pos_only.positions);
  EXPECT_EQ(entries[2].first_offset, 2u);
  // From offset 2: the position-only entry at 2 and the record at 2.
  EXPECT_EQ(read_all(*wal, 2).size(), 2u);
  EXPECT_EQ(read_all(*wal, 3).size(), 0u);

  // Empty batches write nothing.
  uint64_t size = wal->size_bytes();
  auto empty = wal->append(LogBatch{});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->entry_bytes, 0u);
  EXPECT_EQ(wal->size_bytes(), size);
}

TEST_P(WalTest, LatestPositionsSurviveReopenAndTrim) {
  WalOptions opts;
  opts.segment_bytes = 1500;
  {
    auto wal = open_wal(env_, dir_, opts);
    // Source A only writes at the start; source B keeps writing.
    LogBatch a = make_batch(0, 1, false);
    a.positions.push_back({"a", "file-a", 111, "/a.log"});
    ASSERT_TRUE(wal->append(a).ok());
    for (uint64_t id = 1; id < 100; id += 3) {
      LogBatch b = make_batch(id, 3, false);
      b.positions.push_back({"b", "file-b", id * 10, "/b.log"});
      ASSERT_TRUE(wal->append(b).ok());
    }
    ASSERT_TRUE(wal->sync().ok());
    ASSERT_GT(wal->segment_count(), 4u);
    ASSERT_TRUE(wal->trim_before(90).ok());
    EXPECT_GT(wal->first_offset(), 1u);
  }
  auto wal = open_wal(env_, dir_, opts);
  auto positions = wal->latest_positions();
  ASSERT_EQ(positions.size(), 2u);
  EXPECT_EQ(positions[0], (SourcePosition{"a", "file-a", 111, "/a.log"}));
  EXPECT_EQ(positions[1], (SourcePosition{"b", "file-b", 970, "/b.log"}));
}

TEST_P(WalTest, TrimDeletesWholeOldSegmentsOnly) {
  WalOptions opts;
  opts.segment_bytes = 1;  // one batch per segment: [0,10) [10,20) [20,30) [30,40)
  auto wal = open_wal(env_, dir_, opts);
  for (uint64_t id = 0; id < 40; id += 10) ASSERT_TRUE(wal->append(make_batch(id, 10, false)).ok());
  ASSERT_TRUE(wal->sync().ok());
  ASSERT_EQ(wal->segment_count(), 4u);

  ASSERT_TRUE(wal->trim_before(15).ok());  // [0,10) goes; [10,20) still holds 15..19
  EXPECT_EQ(wal->segment_count(), 3u);
  EXPECT_EQ(wal->first_offset(), 10u);
  ASSERT_TRUE(wal->trim_before(20).ok());
  EXPECT_EQ(wal->first_offset(), 20u);
  ASSERT_TRUE(wal->trim_before(1000).ok());  // never the active segment
  EXPECT_EQ(wal->segment_count(), 1u);
  EXPECT_EQ(wal->first_offset(), 30u);
  EXPECT_EQ(segment_files(), std::vector<std::string>{"00000000000000000030.wal"});

  auto trimmed = wal->read_from(5);
  ASSERT_FALSE(trimmed.ok());
  EXPECT_EQ(trimmed.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(flatten(read_all(*wal, 30), 30).size(), 10u);
}

// The entry map_last_entry() gives is the one just written, byte for byte,
// and stays so while later entries are appended, segments roll and the
// entry's segment is trimmed away.
TEST_P(WalTest, LastEntryMapsAsWrittenAndOutlivesItsSegment) {
  WalOptions opts;
  opts.segment_bytes = 1;  // one batch per segment
  auto wal = open_wal(env_, dir_, opts);
  auto none = wal->map_last_entry();
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kInternal);

  std::vector<std::shared_ptr<const MappedRegion>> mapped;
  std::vector<std::string> written;
  for (uint64_t id = 0; id < 30; id += 10) {
    LogBatch b = make_batch(id, 10, true);
    auto a = wal->append(b);
    ASSERT_TRUE(a.ok());
    auto m = wal->map_last_entry();
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    ASSERT_EQ((*m)->bytes().size(), a->entry_bytes);
    // The segment holds its file header, then (after the first) the
    // positions carried over by the roll, then this entry, last.
    auto file = env_->read_file(dir_ + "/" + segment_files().back(), 1 << 20);
    ASSERT_TRUE(file.ok());
    EXPECT_EQ((*m)->bytes(), std::string_view(*file).substr(file->size() - a->entry_bytes));
    mapped.push_back(std::move(*m));
    written.emplace_back(file->substr(file->size() - a->entry_bytes));
  }
  ASSERT_TRUE(wal->sync().ok());
  ASSERT_TRUE(wal->trim_before(1000).ok());
  ASSERT_EQ(wal->segment_count(), 1u);
  for (size_t i = 0; i < mapped.size(); ++i) EXPECT_EQ(mapped[i]->bytes(), written[i]) << "entry " << i;
}

TEST_P(WalTest, TrimNeverDeletesUnsyncedSegments) {
  WalOptions opts;
  opts.segment_bytes = 1;
  auto wal = open_wal(env_, dir_, opts);
  for (uint64_t id = 0; id < 30; id += 10) ASSERT_TRUE(wal->append(make_batch(id, 10, false)).ok());
  ASSERT_TRUE(wal->trim_before(1000).ok());
  EXPECT_EQ(wal->segment_count(), 3u);  // rolled segments not yet synced stay
  ASSERT_TRUE(wal->sync().ok());
  ASSERT_TRUE(wal->trim_before(1000).ok());
  EXPECT_EQ(wal->segment_count(), 1u);
}

TEST_P(WalTest, ReaderFailsCleanlyWhenItsSegmentIsTrimmed) {
  WalOptions opts;
  opts.segment_bytes = 1;
  auto wal = open_wal(env_, dir_, opts);
  for (uint64_t id = 0; id < 30; id += 10) ASSERT_TRUE(wal->append(make_batch(id, 10, false)).ok());
  ASSERT_TRUE(wal->sync().ok());
  auto reader = wal->read_from(0);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(wal->trim_before(20).ok());
  WalEntry e;
  auto r = (*reader)->next(&e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("trimmed"), std::string::npos);
}

TEST_P(WalTest, OversizedBatchIsRejectedAndWalStaysUsable) {
  auto wal = open_wal(env_, dir_);
  LogBatch big;
  LogRecord r;
  r.body.assign(wal::kMaxEntryPayloadBytes, 'x');
  big.records.push_back(std::move(r));
  auto info = wal->append(big);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(wal->next_offset(), 0u);
  ASSERT_TRUE(wal->append(make_batch(0, 1)).ok());
  ASSERT_TRUE(wal->sync().ok());
  EXPECT_EQ(read_all(*wal, 0).size(), 1u);
}

TEST_P(WalTest, LargeEntryGetsItsOwnSegment) {
  WalOptions opts;
  opts.segment_bytes = 4096;
  auto wal = open_wal(env_, dir_, opts);
  ASSERT_TRUE(wal->append(make_batch(0, 1)).ok());
  LogBatch big = make_batch(1, 1);
  big.records[0].body.assign(100000, 'b');
  ASSERT_TRUE(wal->append(big).ok());
  ASSERT_TRUE(wal->append(make_batch(2, 1)).ok());
  ASSERT_TRUE(wal->sync().ok());
  EXPECT_EQ(wal->segment_count(), 3u);
  auto recs = flatten(read_all(*wal, 0), 0);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].body.size(), 100000u);
}

TEST_P(WalTest, CloseSyncsAndRejectsFurtherAppends) {
  auto wal = open_wal(env_, dir_);
  ASSERT_TRUE(wal->append(make_batch(0, 2)).ok());
  ASSERT_TRUE(wal->close().ok());
  EXPECT_EQ(wal->durable_offset(), 2u);
  EXPECT_EQ(wal->append(make_batch(2, 1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(wal->close().ok());
  wal.reset();
  auto reopened = open_wal(env_, dir_);
  EXPECT_EQ(reopened->next_offset(), 2u);
}

TEST_P(WalTest, NewerFormatVersionRefusesToOpenAndChangesNothing) {
  {
    auto wal = open_wal(env_, dir_);
    ASSERT_TRUE(wal->append(make_batch(0, 2)).ok());
    ASSERT_TRUE(wal->sync().ok());
  }
  std::string path = dir_ + "/" + wal::segment_file_name(0);
  auto bytes = env_->read_file(path, 1 << 20);
  ASSERT_TRUE(bytes.ok());
  wal::FileHeader h;
  h.version = 2;
  std::string header = wal::encode_file_header(h);
  std::string modified = header + bytes->substr(wal::kFileHeaderSize);
  ASSERT_TRUE(env_->write_file_atomic(path, modified).ok());
  auto w = Wal::open(env_, dir_, {}, nullptr);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(w.status().message().find("format version 2"), std::string::npos) << w.status().message();
  EXPECT_EQ(*env_->read_file(path, 1 << 20), modified);
}

TEST_P(WalTest, OptionsAreValidated) {
  WalOptions opts;
  opts.segment_bytes = 0;
  EXPECT_EQ(Wal::open(env_, dir_, opts, nullptr).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(WalTest, ConcurrentReaderWhileWriterAppends) {
  WalOptions opts;
  opts.segment_bytes = 16384;
  auto wal = open_wal(env_, dir_, opts);
  constexpr uint64_t kTotal = 3000;
  std::atomic<uint64_t> durable{0};
  std::mutex mu;  // serializes Wal calls (the Stream's role)
  std::thread writer([&] {
    for (uint64_t id = 0; id < kTotal; id += 10) {
      std::lock_guard<std::mutex> lock(mu);
      ASSERT_TRUE(wal->append(make_batch(id, 10)).ok());
      ASSERT_TRUE(wal->sync().ok());
      durable.store(wal->durable_offset());
    }
  });
  uint64_t next = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (next < kTotal) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "reader stuck at offset " << next;
    std::unique_ptr<WalReader> reader;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto r = wal->read_from(next);
      ASSERT_TRUE(r.ok());
      reader = std::move(r).value();
    }
    // Read outside the lock, concurrently with appends.
    WalEntry e;
    while (true) {
      auto more = reader->next(&e);
      ASSERT_TRUE(more.ok()) << more.status().to_string();
      if (!*more) break;
      ASSERT_EQ(e.first_offset, next);
      for (const auto& r : e.batch.records) ASSERT_EQ(r, make_record(next++));
    }
    std::this_thread::yield();
  }
  writer.join();
  EXPECT_EQ(next, kTotal);
}

}  // namespace
}  // namespace sluice
