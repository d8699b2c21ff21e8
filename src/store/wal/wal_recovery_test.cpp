// Recovery: one test per corruption kind, and a torn write at every byte
// between two commits (DuckDB's torn-write test).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "common/env_mem.hpp"
#include "store/wal/coding.hpp"
#include "store/wal/wal.hpp"
#include "store/wal/wal_format.hpp"
#include "store/wal/wal_test_util.hpp"

namespace sluice {
namespace {

using wal::WalErrorKind;
using wal_test::flatten;
using wal_test::make_batch;
using wal_test::open_wal;
using wal_test::read_all;

struct Written {
  uint64_t bytes;  // header + payload
  LogBatch batch;
};

class WalRecoveryTest : public ::testing::Test {
 protected:
  /// Appends one batch per element of `counts` (ids continue), then closes.
  /// Multi-segment tests pass `positions` false: with positions, every roll
  /// would also write a carried-positions entry first.
  void write_entries(const std::vector<size_t>& counts, WalOptions opts = {}, bool positions = true) {
    opts_ = opts;
    auto wal = open_wal(env_, dir_, opts);
    ASSERT_NE(wal, nullptr);
    uint64_t id = wal->next_offset();
    for (size_t n : counts) {
      LogBatch b = make_batch(id, n, positions);
      auto info = wal->append(b);
      ASSERT_TRUE(info.ok()) << info.status().to_string();
      entries_.push_back(Written{info->entry_bytes, b});
      id += n;
    }
    ASSERT_TRUE(wal->close().ok());
  }

  std::string seg(uint64_t base) const { return dir_ + "/" + wal::segment_file_name(base); }
  std::string bytes(const std::string& path) {
    auto b = env_->read_file(path, 1 << 30);
    EXPECT_TRUE(b.ok()) << b.status().to_string();
    return b.ok() ? *b : "";
  }
  void put(const std::string& path, std::string data) { ASSERT_TRUE(mem_->put_file(path, std::move(data)).ok()); }

  /// Position of entry i in a single-segment WAL.
  uint64_t pos(size_t i) const {
    uint64_t p = wal::kFileHeaderSize;
    for (size_t k = 0; k < i; ++k) p += entries_[k].bytes;
    return p;
  }
  std::vector<LogRecord> records_of_first(size_t k) const {
    std::vector<LogRecord> out;
    for (size_t i = 0; i < k; ++i)
      out.insert(out.end(), entries_[i].batch.records.begin(), entries_[i].batch.records.end());
    return out;
  }

  /// Rewrites entry i of segment `path` in place with `mutate` applied to
  /// its header fields, resealing both checksums so that only the mutation
  /// is wrong.
  void reseal(const std::string& path, size_t i, uint8_t type, uint64_t first_offset, uint32_t record_count,
              const std::string* new_payload = nullptr) {
    std::string b = bytes(path);
    uint64_t p = pos(i);
    std::string entry = b.substr(p, entries_[i].bytes);
    if (new_payload != nullptr) {
      ASSERT_EQ(new_payload->size(), entry.size() - wal::kEntryHeaderSize);
      entry.replace(wal::kEntryHeaderSize, new_payload->size(), *new_payload);
    }
    wal::seal_entry(entry.data(), entry.size(), type, first_offset, record_count);
    b.replace(p, entry.size(), entry);
    put(path, b);
  }

  /// Opens with recovery and checks the result: the first error's kind,
  /// file and byte offset, and that exactly the first `kept` entries remain.
  std::unique_ptr<Wal> recover_expect(WalErrorKind kind, const std::string& file, uint64_t byte_offset, size_t kept,
                                      RecoveryReport* out = nullptr) {
    RecoveryReport report;
    auto wal = open_wal(env_, dir_, opts_, &report);
    if (wal == nullptr) return nullptr;
    EXPECT_EQ(report.first_error.kind, kind) << report.first_error.to_string();
    EXPECT_EQ(report.first_error.file, file);
    EXPECT_EQ(report.first_error.byte_offset, byte_offset) << report.first_error.to_string();
    EXPECT_NE(report.first_error.to_string().find(std::string(wal::wal_error_kind_name(kind))), std::string::npos);
    EXPECT_EQ(report.entries, kept);
    auto expected = records_of_first(kept);
    EXPECT_EQ(report.records, expected.size());
    EXPECT_EQ(wal->next_offset(), expected.size());
    EXPECT_EQ(flatten(read_all(*wal, 0), 0), expected);
    if (out != nullptr) *out = report;
    return wal;
  }

  /// Appends after recovery, reopens, and checks a clean WAL with the kept
  /// records plus the new ones.
  void expect_appendable_after(std::unique_ptr<Wal> wal, size_t kept) {
    ASSERT_NE(wal, nullptr);
    uint64_t next = wal->next_offset();
    LogBatch more = make_batch(next, 3);
    auto info = wal->append(more);
    ASSERT_TRUE(info.ok()) << info.status().to_string();
    EXPECT_EQ(info->first_offset, next);
    ASSERT_TRUE(wal->close().ok());
    wal.reset();
    RecoveryReport report;
    auto again = open_wal(env_, dir_, opts_, &report);
    ASSERT_NE(again, nullptr);
    EXPECT_TRUE(report.first_error.ok()) << report.first_error.to_string();
    auto expected = records_of_first(kept);
    expected.insert(expected.end(), more.records.begin(), more.records.end());
    EXPECT_EQ(flatten(read_all(*again, 0), 0), expected);
  }

  std::unique_ptr<MemEnv> mem_ = new_mem_env();
  Env* env_ = mem_.get();
  std::string dir_ = "/wal";
  WalOptions opts_;
  std::vector<Written> entries_;
};

TEST_F(WalRecoveryTest, CleanWalReportsNoError) {
  write_entries({3, 2, 4});
  auto wal = recover_expect(WalErrorKind::kNone, "", 0, 3);
  expect_appendable_after(std::move(wal), 3);
}

TEST_F(WalRecoveryTest, BadChecksumInPayload) {
  write_entries({3, 2, 4});
  std::string b = bytes(seg(0));
  b[pos(1) + wal::kEntryHeaderSize + 5] ^= 0x40;
  put(seg(0), b);
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kBadChecksum, seg(0), pos(1), 1, &report);
  EXPECT_NE(report.first_error.detail.find("entry checksum"), std::string::npos);
  EXPECT_EQ(report.bytes_skipped, b.size() - pos(1));
  EXPECT_EQ(*env_->file_size(seg(0)), pos(1));  // truncated there
  expect_appendable_after(std::move(wal), 1);
}

TEST_F(WalRecoveryTest, BadChecksumInEntryHeader) {
  write_entries({3, 2, 4});
  std::string b = bytes(seg(0));
  b[pos(1) + wal::kEntryFirstOffsetPos] ^= 0x01;  // header checksum no longer matches
  put(seg(0), b);
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kBadChecksum, seg(0), pos(1), 1, &report);
  EXPECT_NE(report.first_error.detail.find("entry header checksum"), std::string::npos);
  expect_appendable_after(std::move(wal), 1);
}

TEST_F(WalRecoveryTest, TruncatedEntryInPayload) {
  write_entries({3, 2, 4});
  std::string b = bytes(seg(0));
  put(seg(0), b.substr(0, pos(2) + wal::kEntryHeaderSize + 10));
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kTruncatedEntry, seg(0), pos(2), 2, &report);
  EXPECT_EQ(report.bytes_skipped, wal::kEntryHeaderSize + 10);
  expect_appendable_after(std::move(wal), 2);
}

TEST_F(WalRecoveryTest, TruncatedEntryInHeader) {
  write_entries({3, 2, 4});
  std::string b = bytes(seg(0));
  put(seg(0), b.substr(0, pos(2) + 7));
  auto wal = recover_expect(WalErrorKind::kTruncatedEntry, seg(0), pos(2), 2);
  expect_appendable_after(std::move(wal), 2);
}

TEST_F(WalRecoveryTest, BadLengthAboveMaximum) {
  write_entries({3, 2, 4});
  std::string b = bytes(seg(0));
  char* h = b.data() + pos(1);
  wal::put_fixed32(h + wal::kEntryLengthPos, wal::kMaxEntryPayloadBytes + 1);
  wal::put_fixed32(h + wal::kEntryHeaderChecksumPos, wal::entry_header_checksum(h));  // a "valid" header
  put(seg(0), b);
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kBadLength, seg(0), pos(1), 1, &report);
  EXPECT_NE(report.first_error.detail.find("67108865"), std::string::npos) << report.first_error.detail;
  expect_appendable_after(std::move(wal), 1);
}

TEST_F(WalRecoveryTest, LengthPastEndOfFileIsATornWrite) {
  write_entries({3, 2, 4});
  std::string b = bytes(seg(0));
  char* h = b.data() + pos(2);
  wal::put_fixed32(h + wal::kEntryLengthPos, static_cast<uint32_t>(entries_[2].bytes));  // 32 bytes too long
  wal::put_fixed32(h + wal::kEntryHeaderChecksumPos, wal::entry_header_checksum(h));
  put(seg(0), b);
  auto wal = recover_expect(WalErrorKind::kTruncatedEntry, seg(0), pos(2), 2);
  expect_appendable_after(std::move(wal), 2);
}

TEST_F(WalRecoveryTest, BadFileHeaderMagicInLaterSegment) {
  WalOptions opts;
  opts.segment_bytes = 1;  // one batch per segment: bases 0, 3, 5
  write_entries({3, 2, 4}, opts, false);
  std::string b = bytes(seg(5));
  b[0] = 'X';
  put(seg(5), b);
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kBadHeader, seg(5), 0, 2, &report);
  EXPECT_NE(report.first_error.detail.find("magic"), std::string::npos);
  ASSERT_EQ(report.set_aside.size(), 1u);
  EXPECT_EQ(report.set_aside[0].rfind(seg(5) + ".", 0), 0u);
  EXPECT_TRUE(report.set_aside[0].ends_with(".corrupt"));
  EXPECT_TRUE(env_->exists(report.set_aside[0]));
  EXPECT_EQ(report.bytes_skipped, b.size());
  EXPECT_EQ(wal->segment_count(), 2u);
  expect_appendable_after(std::move(wal), 2);
}

TEST_F(WalRecoveryTest, BadFileHeaderChecksumInFirstSegmentSetsEverythingAside) {
  WalOptions opts;
  opts.segment_bytes = 1;
  write_entries({3, 2, 4}, opts, false);
  std::string b = bytes(seg(0));
  b[wal::kFileBasePos + 7] ^= 0x10;  // base offset bits: header checksum fails
  put(seg(0), b);
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kBadHeader, seg(0), 0, 0, &report);
  EXPECT_NE(report.first_error.detail.find("file header checksum"), std::string::npos);
  EXPECT_EQ(report.set_aside.size(), 3u);
  EXPECT_EQ(wal->first_offset(), 0u);  // starts again at the set-aside segment's base
  expect_appendable_after(std::move(wal), 0);
}

TEST_F(WalRecoveryTest, BadFileHeaderVersionZero) {
  write_entries({3});
  std::string b = bytes(seg(0));
  wal::FileHeader h;
  h.version = 0;
  b.replace(0, wal::kFileHeaderSize, wal::encode_file_header(h));
  put(seg(0), b);
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kBadHeader, seg(0), 0, 0, &report);
  EXPECT_NE(report.first_error.detail.find("format version"), std::string::npos);
}

TEST_F(WalRecoveryTest, UndecodablePayload) {
  write_entries({3, 2, 4});
  std::string garbage(entries_[1].bytes - wal::kEntryHeaderSize, '\xff');
  reseal(seg(0), 1, wal::kEntryTypeLogBatch, 3, 2, &garbage);
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kBadPayload, seg(0), pos(1), 1, &report);
  EXPECT_NE(report.first_error.detail.find("batch payload byte"), std::string::npos) << report.first_error.detail;
  expect_appendable_after(std::move(wal), 1);
}

TEST_F(WalRecoveryTest, RecordCountDisagreesWithPayload) {
  write_entries({3, 2, 4});
  reseal(seg(0), 1, wal::kEntryTypeLogBatch, 3, 5);
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kBadPayload, seg(0), pos(1), 1, &report);
  EXPECT_NE(report.first_error.detail.find("expected 5 records"), std::string::npos) << report.first_error.detail;
}

TEST_F(WalRecoveryTest, UnknownEntryType) {
  write_entries({3, 2, 4});
  reseal(seg(0), 1, 9, 3, 2);
  auto wal = recover_expect(WalErrorKind::kBadEntryType, seg(0), pos(1), 1);
  expect_appendable_after(std::move(wal), 1);
}

TEST_F(WalRecoveryTest, OffsetGapBetweenEntries) {
  write_entries({3, 2, 4});
  reseal(seg(0), 1, wal::kEntryTypeLogBatch, 4, 2);
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kOffsetGap, seg(0), pos(1), 1, &report);
  EXPECT_NE(report.first_error.detail.find("expected first_offset 3, found 4"), std::string::npos);
}

TEST_F(WalRecoveryTest, MissingMiddleSegmentIsAnOffsetGap) {
  WalOptions opts;
  opts.segment_bytes = 1;
  write_entries({3, 2, 4}, opts, false);
  ASSERT_TRUE(env_->remove_file(seg(3)).ok());
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kOffsetGap, seg(5), 0, 1, &report);
  EXPECT_EQ(report.set_aside.size(), 1u);
  expect_appendable_after(std::move(wal), 1);
}

TEST_F(WalRecoveryTest, CorruptionInEarlierSegmentSetsLaterOnesAside) {
  WalOptions opts;
  opts.segment_bytes = 1;
  write_entries({3, 2, 4}, opts, false);
  std::string b = bytes(seg(3));
  b.back() ^= 0x01;
  put(seg(3), b);
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kBadChecksum, seg(3), wal::kFileHeaderSize, 1, &report);
  // Segment 3 is kept (empty, truncated to its header); segment 5 is set aside.
  ASSERT_EQ(report.set_aside.size(), 1u);
  EXPECT_EQ(report.set_aside[0].rfind(seg(5), 0), 0u);
  EXPECT_EQ(*env_->file_size(seg(3)), wal::kFileHeaderSize);
  expect_appendable_after(std::move(wal), 1);
}

TEST_F(WalRecoveryTest, TornFileHeaderOfLastSegmentIsRemoved) {
  WalOptions opts;
  opts.segment_bytes = 1;
  write_entries({3, 2}, opts, false);
  // A crash right after creating the next segment.
  put(seg(5), wal::encode_file_header({wal::kWalFormatVersion, 5, 0}).substr(0, 11));
  RecoveryReport report;
  auto wal = recover_expect(WalErrorKind::kTruncatedFileHeader, seg(5), 0, 2, &report);
  EXPECT_TRUE(report.set_aside.empty());
  EXPECT_EQ(report.bytes_skipped, 11u);
  EXPECT_EQ(wal->segment_count(), 2u);
  expect_appendable_after(std::move(wal), 2);
}

TEST_F(WalRecoveryTest, GarbageFilesAreIgnored) {
  write_entries({3});
  put(dir_ + "/notes.txt", "hello");
  put(dir_ + "/123.wal", "short name");
  put(dir_ + "/00000000000000000000.wal.5.corrupt", "old");
  auto wal = recover_expect(WalErrorKind::kNone, "", 0, 1);
}

// ---- Torn writes at every byte ----

class WalTornWriteTest : public ::testing::TestWithParam<bool /*posix*/> {};

INSTANTIATE_TEST_SUITE_P(Envs, WalTornWriteTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Posix" : "Mem"; });

TEST_P(WalTornWriteTest, TruncateAtEveryByteOfTheThirdCommit) {
  wal_test::TempDir tmp;
  auto mem = new_mem_env();
  Env* env = GetParam() ? Env::posix() : static_cast<Env*>(mem.get());
  std::string root = GetParam() ? tmp.path() : "/torn";
  std::string src = root + "/src";

  // Two committed entries, then a third; remember where each ends.
  LogBatch b0 = make_batch(0, 3), b1 = make_batch(3, 2), b2 = make_batch(5, 2);
  uint64_t end1 = 0, end2 = 0;
  {
    auto wal = open_wal(env, src);
    ASSERT_TRUE(wal->append(b0).ok());
    ASSERT_TRUE(wal->append(b1).ok());
    ASSERT_TRUE(wal->sync().ok());
    end1 = wal->size_bytes();
    ASSERT_TRUE(wal->append(b2).ok());
    ASSERT_TRUE(wal->sync().ok());
    end2 = wal->size_bytes();
  }
  std::string name = wal::segment_file_name(0);
  auto full = env->read_file(src + "/" + name, 1 << 20);
  ASSERT_TRUE(full.ok());
  ASSERT_EQ(full->size(), end2);

  std::vector<LogRecord> first_two = b0.records;
  first_two.insert(first_two.end(), b1.records.begin(), b1.records.end());
  std::vector<LogRecord> all_three = first_two;
  all_three.insert(all_three.end(), b2.records.begin(), b2.records.end());

  for (uint64_t cut = end1; cut <= end2; ++cut) {
    SCOPED_TRACE("cut at byte " + std::to_string(cut));
    std::string dir = root + "/cut" + std::to_string(cut);
    ASSERT_TRUE(env->create_dirs(dir).ok());
    {
      auto f = env->open_appendable(dir + "/" + name);
      ASSERT_TRUE(f.ok());
      ASSERT_TRUE((*f)->append(std::string_view(*full).substr(0, cut)).ok());
    }
    bool complete = cut == end2;
    RecoveryReport report;
    auto wal = open_wal(env, dir, {}, &report);
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(report.entries, complete ? 3u : 2u);
    EXPECT_EQ(report.bytes_skipped, complete ? 0u : cut - end1);
    if (complete || cut == end1) {
      EXPECT_TRUE(report.first_error.ok()) << report.first_error.to_string();
    } else {
      EXPECT_EQ(report.first_error.kind, WalErrorKind::kTruncatedEntry) << report.first_error.to_string();
      EXPECT_EQ(report.first_error.byte_offset, end1);
    }
    auto want = complete ? all_three : first_two;
    EXPECT_EQ(flatten(read_all(*wal, 0), 0), want);

    // Appending after recovery continues right after the kept records.
    LogBatch next = make_batch(want.size(), 2);
    auto info = wal->append(next);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->first_offset, want.size());
    ASSERT_TRUE(wal->close().ok());
    wal.reset();
    RecoveryReport again;
    auto reopened = open_wal(env, dir, {}, &again);
    ASSERT_NE(reopened, nullptr);
    EXPECT_TRUE(again.first_error.ok()) << again.first_error.to_string();
    want.insert(want.end(), next.records.begin(), next.records.end());
    EXPECT_EQ(flatten(read_all(*reopened, 0), 0), want);
    reopened.reset();
    if (GetParam()) std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace sluice
