#include "pipeline/sinks/buffer/disk_buffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <unordered_map>

#include "common/env_fault.hpp"
#include "common/env_mem.hpp"
#include "pipeline/sinks/buffer/disk_buffer_format.hpp"

namespace sluice {
namespace {

using std::chrono::milliseconds;
constexpr char kDir[] = "/state/buffers/out";

LogBatch make_batch(int id, int records = 3) {
  LogBatch b;
  for (int i = 0; i < records; ++i) {
    LogRecord r;
    r.timestamp_ns = 1700000000000000000 + id;
    r.body = "batch " + std::to_string(id) + " record " + std::to_string(i);
    r.attributes = {{"log.file.path", "/var/log/app.log"}};
    b.records.push_back(r);
  }
  b.positions = {{"app", "1:2:abc", static_cast<uint64_t>(100 * (id + 1)), "/var/log/app.log"}};
  b.stream = "shipped";
  return b;
}

std::unique_ptr<DiskBuffer> open_buffer(Env* env, uint64_t max_bytes = 1 << 20, uint64_t file_bytes = 0) {
  DiskBufferConfig c;
  c.dir = kDir;
  c.max_bytes = max_bytes;
  c.file_bytes = file_bytes;
  c.name = "sinks.out";
  auto b = DiskBuffer::open(env, c);
  EXPECT_TRUE(b.ok()) << b.status().to_string();
  return b.ok() ? std::move(b).value() : nullptr;
}

uint64_t append(DiskBuffer* b, const LogBatch& batch) {
  auto s = b->append(batch, milliseconds(0));
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? *s : 0;
}

// Reads and acknowledges the next batch; its sequence, or 0 when none.
uint64_t take(DiskBuffer* b, LogBatch* out = nullptr) {
  auto item = b->read(milliseconds(0));
  EXPECT_TRUE(item.ok()) << item.status().to_string();
  if (!item.ok() || !item->has_value()) return 0;
  if (out) *out = (*item)->batch;
  uint64_t seq = (*item)->sequence;
  EXPECT_TRUE(b->ack(seq).ok());
  return seq;
}

std::vector<std::string> data_files(Env* env) {
  auto names = env->list_dir(kDir);
  std::vector<std::string> out;
  for (const auto& n : *names) {
    if (buffer::parse_data_file_name(n)) out.push_back(std::string(kDir) + "/" + n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Rewrites byte `at` of `path` (XOR 0x5a).
void flip_byte(MemEnv* env, const std::string& path, uint64_t at) {
  auto text = env->read_file(path, 1 << 30);
  ASSERT_TRUE(text.ok());
  ASSERT_LT(at, text->size());
  (*text)[at] = static_cast<char>((*text)[at] ^ 0x5a);
  ASSERT_TRUE(env->put_file(path, *text).ok());
}

TEST(DiskBuffer, DeliversInOrderWithConsecutiveSequences) {
  auto env = new_mem_env();
  auto b = open_buffer(env.get());
  std::vector<uint64_t> seqs;
  for (int i = 0; i < 5; ++i) seqs.push_back(append(b.get(), make_batch(i)));
  for (int i = 1; i < 5; ++i) EXPECT_EQ(seqs[i], seqs[0] + i);
  EXPECT_EQ(b->batches(), 5u);
  EXPECT_EQ(b->events(), 15u);
  for (int i = 0; i < 5; ++i) {
    LogBatch got;
    EXPECT_EQ(take(b.get(), &got), seqs[i]);
    LogBatch want = make_batch(i);
    EXPECT_EQ(got.records, want.records);
    EXPECT_EQ(got.positions, want.positions);
    EXPECT_EQ(got.stream, "shipped");
  }
  EXPECT_EQ(b->batches(), 0u);
  EXPECT_EQ(b->events(), 0u);
  EXPECT_EQ(take(b.get()), 0u);
}

TEST(DiskBuffer, ReadWithoutAckReturnsTheSameBatch) {
  auto env = new_mem_env();
  auto b = open_buffer(env.get());
  uint64_t s = append(b.get(), make_batch(0));
  append(b.get(), make_batch(1));
  auto a = b->read(milliseconds(0));
  auto again = b->read(milliseconds(0));
  ASSERT_TRUE(a.ok() && again.ok() && a->has_value() && again->has_value());
  EXPECT_EQ((*a)->sequence, s);
  EXPECT_EQ((*again)->sequence, s);
  EXPECT_FALSE(b->ack(s + 1).ok());
  EXPECT_TRUE(b->ack(s).ok());
  EXPECT_EQ(take(b.get()), s + 1);
}

TEST(DiskBuffer, RestartResumesAtTheDurableReadPointer) {
  auto env = new_mem_env();
  uint64_t first = 0;
  {
    auto b = open_buffer(env.get());
    for (int i = 0; i < 5; ++i) {
      uint64_t s = append(b.get(), make_batch(i));
      if (i == 0) first = s;
    }
    EXPECT_EQ(take(b.get()), first);
    EXPECT_EQ(take(b.get()), first + 1);
    // Read but not acknowledged: delivered again after the restart.
    auto pending = b->read(milliseconds(0));
    ASSERT_TRUE(pending.ok() && pending->has_value());
  }
  auto b = open_buffer(env.get());
  EXPECT_EQ(b->batches(), 3u);
  EXPECT_EQ(b->events(), 9u);
  EXPECT_EQ(b->next_sequence(), first + 5);
  LogBatch got;
  EXPECT_EQ(take(b.get(), &got), first + 2);
  EXPECT_EQ(got.records, make_batch(2).records);
  EXPECT_EQ(append(b.get(), make_batch(5)), first + 5);
  EXPECT_EQ(take(b.get()), first + 3);
  EXPECT_EQ(take(b.get()), first + 4);
  EXPECT_EQ(take(b.get()), first + 5);
  EXPECT_EQ(b->corrupt_records(), 0u);
}

TEST(DiskBuffer, SequencesNeverRepeatAcrossRestartsOrADeletedDirectory) {
  auto env = new_mem_env();
  uint64_t last = 0;
  {
    auto b = open_buffer(env.get(), 1 << 20, 1);  // one file per batch
    for (int i = 0; i < 4; ++i) last = append(b.get(), make_batch(i));
    for (int i = 0; i < 4; ++i) take(b.get());
    EXPECT_EQ(b->batches(), 0u);
  }
  {
    auto b = open_buffer(env.get(), 1 << 20, 1);
    EXPECT_EQ(b->next_sequence(), last + 1);
    last = append(b.get(), make_batch(9));
    take(b.get());
  }
  // Every data file and the pointer gone: a new buffer starts at the wall
  // clock in microseconds, above anything an older one used.
  for (const auto& f : data_files(env.get())) ASSERT_TRUE(env->remove_file(f).ok());
  ASSERT_TRUE(env->remove_file(std::string(kDir) + "/reader.pos").ok());
  env->advance_clock(1000000);
  auto b = open_buffer(env.get());
  EXPECT_GT(b->next_sequence(), last);
  EXPECT_EQ(b->next_sequence(), static_cast<uint64_t>(env->now_unix_nanos() / 1000));
}

TEST(DiskBuffer, DrainedFilesAreDeleted) {
  auto env = new_mem_env();
  auto b = open_buffer(env.get(), 1 << 20, 1);
  for (int i = 0; i < 6; ++i) append(b.get(), make_batch(i));
  EXPECT_EQ(data_files(env.get()).size(), 6u);
  uint64_t before = b->bytes();
  for (int i = 0; i < 5; ++i) take(b.get());
  take(b.get());
  // The newest file stays (it is the one being appended to).
  EXPECT_EQ(data_files(env.get()).size(), 1u);
  EXPECT_LT(b->bytes(), before);
  uint64_t total = 0;
  for (const auto& f : data_files(env.get())) total += *env->file_size(f);
  EXPECT_EQ(b->bytes(), total);
}

using Offsets = std::unordered_map<std::string, uint64_t>;

// positions_after(after) of one source, by key.
Offsets offsets(const DiskBuffer* b, const std::string& source, uint64_t after) {
  Offsets out;
  for (const auto& p : b->positions_after(after)) {
    if (p.source == source) out[p.key] = p.offset;
  }
  return out;
}

TEST(DiskBuffer, PositionsOfTheBatchesOnDiskSurviveARestartDeliveredOrNot) {
  auto env = new_mem_env();
  std::vector<uint64_t> seqs;
  {
    auto b = open_buffer(env.get());
    EXPECT_EQ(offsets(b.get(), "app", 0), Offsets{});
    for (int i = 0; i < 4; ++i) {
      LogBatch batch = make_batch(i);
      if (i == 1) batch.positions.push_back({"app", "1:3:def", 7, "/var/log/other.log"});
      if (i == 2) batch.positions.push_back({"web", "1:4:ghi", 9, "/var/log/web.log"});
      seqs.push_back(append(b.get(), batch));
    }
    // Only what was on disk at open: the sink asks as it is built.
    EXPECT_EQ(offsets(b.get(), "app", 0), Offsets{});
    // Delivered batches still count: the checkpoint may not have them yet.
    take(b.get());
    take(b.get());
  }
  auto b = open_buffer(env.get());
  EXPECT_EQ(b->batches(), 2u);
  EXPECT_EQ(offsets(b.get(), "app", 0), (Offsets{{"1:2:abc", 400}, {"1:3:def", 7}}));
  EXPECT_EQ(offsets(b.get(), "web", 0), (Offsets{{"1:4:ghi", 9}}));
  EXPECT_EQ(offsets(b.get(), "ap", 0), Offsets{});
  // Only keys of batches after the one named: "1:3:def" was last in the
  // second batch, "1:4:ghi" in the third.
  EXPECT_EQ(offsets(b.get(), "app", seqs[1]), (Offsets{{"1:2:abc", 400}}));
  EXPECT_EQ(offsets(b.get(), "web", seqs[2]), Offsets{});
  EXPECT_EQ(offsets(b.get(), "app", seqs[3]), Offsets{});
  uint64_t newest = 0;
  EXPECT_EQ(b->positions_after(seqs[1], &newest).size(), 2u);  // app's 1:2:abc and web's 1:4:ghi
  EXPECT_EQ(newest, seqs[3]);
  EXPECT_TRUE(b->positions_after(seqs[3], &newest).empty());
  EXPECT_EQ(newest, seqs[3]);
  // The newest batch of a key wins, also when its offset went down (the
  // input started over, as the checkpoint records it).
  LogBatch reset = make_batch(4);
  reset.positions = {{"app", "1:2:abc", 30, "/var/log/app.log"}};
  append(b.get(), reset);
  b.reset();
  b = open_buffer(env.get());
  EXPECT_EQ(offsets(b.get(), "app", seqs[3]), (Offsets{{"1:2:abc", 30}}));
}

TEST(DiskBuffer, PositionsOfDeletedFilesAreLeftToTheCheckpoint) {
  auto env = new_mem_env();
  {
    auto b = open_buffer(env.get(), 1 << 20, 1);  // a data file per batch
    LogBatch first = make_batch(0);
    first.positions.push_back({"app", "1:3:def", 7, "/var/log/other.log"});
    append(b.get(), first);
    append(b.get(), make_batch(1));
    take(b.get());
    take(b.get());  // the first file is deleted once the reader is past it
    ASSERT_EQ(data_files(env.get()).size(), 1u);
  }
  auto b = open_buffer(env.get(), 1 << 20, 1);
  EXPECT_EQ(offsets(b.get(), "app", 0), (Offsets{{"1:2:abc", 200}}));
}

TEST(DiskBuffer, ARecordWrittenButNotSyncedIsMadeDurableAtOpen) {
  auto mem = new_mem_env();
  FaultInjectionEnv env(mem.get());
  uint64_t first = 0;
  {
    auto b = open_buffer(&env);
    first = append(b.get(), make_batch(0));
  }
  {
    // A crash between an append's write and its fsync: the record is in
    // the file (the page cache), not on disk.
    std::string payload, frame;
    ASSERT_TRUE(buffer::encode_payload(make_batch(1), &payload).ok());
    buffer::append_record(first + 1, 3, payload, &frame);
    auto f = env.open_appendable(data_files(&env)[0]);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->append(frame).ok());
  }
  {
    auto b = open_buffer(&env);
    // Handed out, so a source may move past it: it must be durable now.
    EXPECT_EQ(offsets(b.get(), "app", 0).at("1:2:abc"), 200u);
  }
  ASSERT_TRUE(env.simulate_power_loss().ok());
  auto b = open_buffer(&env);
  EXPECT_EQ(b->batches(), 2u);
  EXPECT_EQ(offsets(b.get(), "app", 0).at("1:2:abc"), 200u);
}

TEST(DiskBuffer, CorruptPayloadIsSkippedAndCounted) {
  auto env = new_mem_env();
  uint64_t first = 0;
  {
    auto b = open_buffer(env.get());
    for (int i = 0; i < 3; ++i) {
      uint64_t s = append(b.get(), make_batch(i));
      if (i == 0) first = s;
    }
  }
  auto files = data_files(env.get());
  ASSERT_EQ(files.size(), 1u);
  uint64_t size = *env->file_size(files[0]);
  uint64_t rec = (size - buffer::kFileHeaderSize) / 3;  // equal-sized records
  flip_byte(env.get(), files[0], buffer::kFileHeaderSize + rec + buffer::kRecordHeaderSize + 5);
  auto b = open_buffer(env.get());
  EXPECT_EQ(take(b.get()), first);
  EXPECT_EQ(take(b.get()), first + 2);
  EXPECT_EQ(b->corrupt_records(), 1u);
  EXPECT_EQ(b->batches(), 0u);
}

TEST(DiskBuffer, BadLengthResynchronisesAtTheNextRecord) {
  auto env = new_mem_env();
  uint64_t first = 0;
  {
    auto b = open_buffer(env.get());
    for (int i = 0; i < 4; ++i) {
      uint64_t s = append(b.get(), make_batch(i));
      if (i == 0) first = s;
    }
  }
  auto files = data_files(env.get());
  uint64_t rec = (*env->file_size(files[0]) - buffer::kFileHeaderSize) / 4;
  flip_byte(env.get(), files[0], buffer::kFileHeaderSize + rec + 5);  // the length of record 2
  auto b = open_buffer(env.get());
  EXPECT_EQ(b->batches(), 3u);
  EXPECT_EQ(take(b.get()), first);
  EXPECT_EQ(take(b.get()), first + 2);
  EXPECT_EQ(take(b.get()), first + 3);
  EXPECT_EQ(b->corrupt_records(), 1u);
}

TEST(DiskBuffer, TornTailIsTruncatedAndAppendsContinue) {
  auto env = new_mem_env();
  uint64_t first = 0;
  std::string file;
  uint64_t good = 0;
  {
    auto b = open_buffer(env.get());
    first = append(b.get(), make_batch(0));
    append(b.get(), make_batch(1));
    file = data_files(env.get())[0];
    good = *env->file_size(file);
  }
  // Half a record: the crash hit the middle of an append.
  std::string frame;
  buffer::append_record(first + 2, 3, std::string(500, 'x'), &frame);
  auto text = *env->read_file(file, 1 << 30);
  ASSERT_TRUE(env->put_file(file, text + frame.substr(0, 300)).ok());
  auto b = open_buffer(env.get());
  EXPECT_EQ(*env->file_size(file), good);
  EXPECT_EQ(b->corrupt_records(), 1u);
  EXPECT_EQ(b->next_sequence(), first + 2);
  EXPECT_EQ(append(b.get(), make_batch(2)), first + 2);
  EXPECT_EQ(take(b.get()), first);
  EXPECT_EQ(take(b.get()), first + 1);
  EXPECT_EQ(take(b.get()), first + 2);
  EXPECT_EQ(b->corrupt_records(), 1u);
}

TEST(DiskBuffer, DamagedPointerReplaysFromTheOldestFile) {
  auto env = new_mem_env();
  uint64_t first = 0;
  {
    auto b = open_buffer(env.get());
    first = append(b.get(), make_batch(0));
    append(b.get(), make_batch(1));
    take(b.get());
  }
  ASSERT_TRUE(env->put_file(std::string(kDir) + "/reader.pos", "garbage").ok());
  auto b = open_buffer(env.get());
  EXPECT_EQ(b->corrupt_records(), 1u);
  EXPECT_EQ(take(b.get()), first);  // at-least-once: sent again, never skipped
  EXPECT_EQ(take(b.get()), first + 1);
}

TEST(DiskBuffer, FullBufferBlocksUntilTheReaderFreesSpace) {
  auto env = new_mem_env();
  auto b = open_buffer(env.get(), 64 << 10, 4 << 10);
  int n = 0;
  while (true) {
    std::chrono::nanoseconds waited{0};
    auto s = b->append(make_batch(n, 20), milliseconds(20), &waited);
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().to_string();
      EXPECT_GT(waited.count(), 0);
      break;
    }
    ++n;
    ASSERT_LT(n, 1000);
  }
  EXPECT_LE(b->bytes(), 64u << 10);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    auto s = b->append(make_batch(n, 20), std::chrono::seconds(60));
    EXPECT_TRUE(s.ok()) << s.status().to_string();
    done = true;
  });
  // Each acknowledged file is deleted; the writer then has room.
  for (int i = 0; i <= n; ++i) {
    auto item = b->read(std::chrono::seconds(10));
    ASSERT_TRUE(item.ok() && item->has_value());
    ASSERT_TRUE(b->ack((*item)->sequence).ok());
    EXPECT_EQ((*item)->batch.records, make_batch(i, 20).records);
  }
  writer.join();
  EXPECT_TRUE(done);
}

TEST(DiskBuffer, StopWaitingAndCloseWakeABlockedWriter) {
  auto env = new_mem_env();
  auto b = open_buffer(env.get(), 1 << 20, 64 << 10);
  LogBatch big = make_batch(0, 4000);
  while (b->append(big, milliseconds(0)).ok()) {
  }
  std::thread writer([&] {
    auto s = b->append(big, std::chrono::seconds(600));
    EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  });
  b->stop_waiting();
  writer.join();
  b->close();
  EXPECT_EQ(b->append(big, std::chrono::seconds(600)).status().code(), StatusCode::kCancelled);
  auto item = b->read(std::chrono::seconds(600));
  ASSERT_TRUE(item.ok());
  EXPECT_FALSE(item->has_value());
}

TEST(DiskBuffer, OneBatchLargerThanMaxSizeIsAdmittedWhenEmpty) {
  auto env = new_mem_env();
  auto b = open_buffer(env.get(), 1 << 20);
  LogBatch huge = make_batch(0, 1);
  huge.records[0].body.assign(3 << 20, 'x');
  uint64_t s = append(b.get(), huge);
  EXPECT_GT(b->bytes(), 1u << 20);
  EXPECT_EQ(b->append(make_batch(1), milliseconds(0)).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(take(b.get()), s);
  EXPECT_TRUE(b->append(make_batch(1), milliseconds(0)).ok());
}

TEST(DiskBuffer, AcknowledgedAppendsSurvivePowerLoss) {
  auto mem = new_mem_env();
  FaultInjectionEnv env(mem.get());
  uint64_t first = 0;
  {
    auto b = open_buffer(&env, 1 << 20, 2 << 10);
    for (int i = 0; i < 20; ++i) {
      uint64_t s = append(b.get(), make_batch(i));
      if (i == 0) first = s;
    }
    for (int i = 0; i < 7; ++i) take(b.get());
    // A failing append leaves torn bytes behind and is not acknowledged.
    env.fail_next_appends(1, true);
    EXPECT_FALSE(b->append(make_batch(99), milliseconds(0)).ok());
  }
  ASSERT_TRUE(env.simulate_power_loss().ok());
  auto b = open_buffer(&env, 1 << 20, 2 << 10);
  EXPECT_EQ(b->batches(), 13u);
  for (int i = 7; i < 20; ++i) {
    LogBatch got;
    EXPECT_EQ(take(b.get(), &got), first + i);
    EXPECT_EQ(got.records, make_batch(i).records);
  }
  EXPECT_EQ(take(b.get()), 0u);
  EXPECT_GT(append(b.get(), make_batch(20)), first + 19);
}

TEST(DiskBuffer, FilesThePointerPassedAreRemovedAtOpen) {
  auto env = new_mem_env();
  {
    auto b = open_buffer(env.get(), 1 << 20, 1);
    for (int i = 0; i < 3; ++i) append(b.get(), make_batch(i));
  }
  auto files = data_files(env.get());
  ASSERT_EQ(files.size(), 3u);
  auto first_seq = *buffer::parse_data_file_name(files[2].substr(files[2].rfind('/') + 1));
  // A crash after the pointer moved into the third file, before the first
  // two were deleted.
  ASSERT_TRUE(env->write_file_atomic(std::string(kDir) + "/reader.pos",
                                     buffer::encode_pointer({first_seq, first_seq, buffer::kFileHeaderSize}))
                  .ok());
  auto b = open_buffer(env.get(), 1 << 20, 1);
  EXPECT_EQ(data_files(env.get()).size(), 1u);
  EXPECT_EQ(b->batches(), 1u);
  EXPECT_EQ(take(b.get()), first_seq);
}

TEST(DiskBufferFormat, RejectsDamagedHeadersByName) {
  std::string frame;
  buffer::append_record(7, 2, "payload", &frame);
  auto h = buffer::decode_record_header(frame);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->sequence, 7u);
  EXPECT_EQ(h->event_count, 2u);
  EXPECT_TRUE(buffer::payload_matches(*h, "payload"));
  EXPECT_FALSE(buffer::payload_matches(*h, "paylaod"));
  std::string bad = frame;
  bad[9] ^= 1;
  EXPECT_NE(buffer::decode_record_header(bad).status().message().find("header checksum"), std::string::npos);
  EXPECT_NE(buffer::decode_record_header(frame.substr(0, 10)).status().message().find("truncated"), std::string::npos);
  EXPECT_EQ(buffer::data_file_name(42), "00000000000000000042.buf");
  EXPECT_EQ(buffer::parse_data_file_name("00000000000000000042.buf"), 42u);
  EXPECT_FALSE(buffer::parse_data_file_name("0000000000000000042.buf"));
  EXPECT_FALSE(buffer::parse_data_file_name("99999999999999999999.buf"));
  EXPECT_TRUE(buffer::decode_pointer(buffer::encode_pointer({1, 2, 3})).ok());
  EXPECT_EQ(*buffer::decode_file_header(buffer::encode_file_header(9)), 9u);
}

}  // namespace
}  // namespace sluice
