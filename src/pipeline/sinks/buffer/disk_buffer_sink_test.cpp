#include "pipeline/sinks/buffer/disk_buffer_sink.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/env_mem.hpp"

namespace sluice {
namespace {

using std::chrono::milliseconds;

// An inner sink that answers from a script (then kOk) and records what it
// was given. Can be held closed: write() then answers kRetry.
class FakeSink final : public Sink {
 public:
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<LogBatch> got;
    std::deque<SinkResult> script;
    bool down = false;
    int calls = 0;
  };
  explicit FakeSink(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
  SinkResult write(LogBatch& batch, std::string* error) override {
    std::lock_guard<std::mutex> l(s_->mu);
    ++s_->calls;
    SinkResult r = SinkResult::kOk;
    if (s_->down) {
      r = SinkResult::kRetry;
    } else if (!s_->script.empty()) {
      r = s_->script.front();
      s_->script.pop_front();
    }
    if (r == SinkResult::kOk) s_->got.push_back(batch);
    if (r != SinkResult::kOk) *error = "scripted failure";
    s_->cv.notify_all();
    return r;
  }

 private:
  std::shared_ptr<Shared> s_;
};

LogBatch make_batch(int id, size_t body_bytes = 20) {
  LogBatch b;
  LogRecord r;
  r.body = "line " + std::to_string(id) + " " + std::string(body_bytes, 'x');
  b.records.push_back(r);
  b.positions = {{"app", "1:2:abc", static_cast<uint64_t>(id + 1), "/var/log/app.log"}};
  return b;
}

DiskBufferSinkConfig config(uint64_t max_bytes = 1 << 20) {
  DiskBufferSinkConfig c;
  c.name = "out";
  c.type = "http";
  c.dir = "/state/buffers/out";
  c.max_bytes = max_bytes;
  c.file_bytes = 4 << 10;
  c.full_wait = milliseconds(50);
  c.min_backoff = milliseconds(1);
  c.max_backoff = milliseconds(20);
  return c;
}

std::unique_ptr<DiskBufferSink> open_sink(Env* env, std::shared_ptr<FakeSink::Shared> s,
                                          DiskBufferSinkConfig c = config()) {
  auto r = DiskBufferSink::open(env, c, std::make_unique<FakeSink>(std::move(s)));
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(r).value() : nullptr;
}

void wait_delivered(FakeSink::Shared& s, size_t n) {
  std::unique_lock<std::mutex> l(s.mu);
  ASSERT_TRUE(s.cv.wait_for(l, std::chrono::seconds(30), [&] { return s.got.size() >= n; }))
      << "delivered " << s.got.size() << " of " << n;
}

TEST(DiskBufferSink, AcceptsAtOnceAndDeliversInOrderWithBufferPositions) {
  auto env = new_mem_env();
  auto shared = std::make_shared<FakeSink::Shared>();
  auto sink = open_sink(env.get(), shared);
  EXPECT_FALSE(sink->commits_positions());
  for (int i = 0; i < 10; ++i) {
    LogBatch b = make_batch(i);
    std::string err;
    ASSERT_EQ(sink->write(b, &err), SinkResult::kOk) << err;
    EXPECT_EQ(b.positions[0].source, "app");  // the engine checkpoints these
  }
  wait_delivered(*shared, 10);
  std::lock_guard<std::mutex> l(shared->mu);
  uint64_t first = shared->got[0].positions[0].offset;
  for (int i = 0; i < 10; ++i) {
    const LogBatch& b = shared->got[i];
    EXPECT_EQ(b.records[0].body, make_batch(i).records[0].body);
    ASSERT_EQ(b.positions.size(), 1u);
    EXPECT_EQ(b.positions[0].source, "out");
    EXPECT_EQ(b.positions[0].key, "buffer");
    EXPECT_EQ(b.positions[0].offset, first + i);
  }
}

TEST(DiskBufferSink, BatchesTheCheckpointDoesNotCoverGiveTheirPositions) {
  auto env = new_mem_env();
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->down = true;            // everything stays buffered
  std::vector<uint64_t> covered;  // what the engine would checkpoint for the sink itself, per batch
  {
    auto sink = open_sink(env.get(), shared);
    for (int i = 0; i < 3; ++i) {
      LogBatch b = make_batch(i);
      std::string err;
      ASSERT_EQ(sink->write(b, &err), SinkResult::kOk) << err;
      ASSERT_EQ(b.positions.size(), 2u);
      EXPECT_EQ(b.positions[0].source, "app");
      EXPECT_EQ(b.positions[1].source, "out");
      EXPECT_EQ(b.positions[1].key, DiskBufferSink::kCoveredKey);
      covered.push_back(b.positions[1].offset);
    }
    LogBatch none = make_batch(3);
    none.positions.clear();
    std::string err;
    ASSERT_EQ(sink->write(none, &err), SinkResult::kOk) << err;
    EXPECT_TRUE(none.positions.empty());  // nothing to checkpoint, nothing added
  }
  auto sink = open_sink(env.get(), shared);  // after a restart
  const std::string key = DiskBufferSink::kCoveredKey;
  // The checkpoint got to the first batch: the other two were buffered
  // after it; the sink's own entry moves to the newest.
  auto fold = sink->uncheckpointed_positions({{key, covered[0]}});
  ASSERT_TRUE(fold.has_value());
  ASSERT_EQ(fold->size(), 2u);
  EXPECT_EQ((*fold)[0], (SourcePosition{"app", "1:2:abc", 3, "/var/log/app.log"}));
  EXPECT_EQ((*fold)[1], (SourcePosition{"out", key, covered[2], ""}));
  // Covered already: nothing.
  EXPECT_EQ(sink->uncheckpointed_positions({{key, covered[2]}}), std::vector<SourcePosition>{});
  // No sequence in the checkpoint (deleted to read the inputs again): nothing,
  // and the sink still keeps positions of its own (not nullopt).
  EXPECT_EQ(sink->uncheckpointed_positions({}), std::vector<SourcePosition>{});
  // A sink without a disk buffer keeps none: the engine forgets its entries.
  FakeSink plain(shared);
  EXPECT_EQ(plain.uncheckpointed_positions({{key, 1}}), std::nullopt);
}

TEST(DiskBufferSink, RetriesAPassingFailureAndDropsAFatalOne) {
  auto env = new_mem_env();
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->script = {SinkResult::kRetry, SinkResult::kRetry, SinkResult::kRetry, SinkResult::kOk, SinkResult::kFatal};
  auto sink = open_sink(env.get(), shared);
  for (int i = 0; i < 3; ++i) {
    LogBatch b = make_batch(i);
    std::string err;
    ASSERT_EQ(sink->write(b, &err), SinkResult::kOk);
  }
  wait_delivered(*shared, 2);
  std::lock_guard<std::mutex> l(shared->mu);
  EXPECT_EQ(shared->got[0].records[0].body, make_batch(0).records[0].body);  // after 3 retries
  EXPECT_EQ(shared->got[1].records[0].body, make_batch(2).records[0].body);  // batch 1 was fatal
  EXPECT_EQ(shared->calls, 6);
}

TEST(DiskBufferSink, UndeliveredBatchesAreSentAfterARestartWithTheirSequences) {
  auto env = new_mem_env();
  auto down = std::make_shared<FakeSink::Shared>();
  down->down = true;
  {
    auto sink = open_sink(env.get(), down);
    for (int i = 0; i < 5; ++i) {
      LogBatch b = make_batch(i);
      std::string err;
      ASSERT_EQ(sink->write(b, &err), SinkResult::kOk);
    }
  }
  auto up = std::make_shared<FakeSink::Shared>();
  auto sink = open_sink(env.get(), up);
  EXPECT_EQ(sink->buffer()->batches() + up->got.size(), 5u);
  wait_delivered(*up, 5);
  std::lock_guard<std::mutex> l(up->mu);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(up->got[i].records[0].body, make_batch(i).records[0].body);
  EXPECT_EQ(up->got[4].positions[0].offset, up->got[0].positions[0].offset + 4);
}

TEST(DiskBufferSink, FullBufferAnswersRetryThenResumesWhenTheSinkIsBack) {
  auto env = new_mem_env();
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->down = true;
  auto sink = open_sink(env.get(), shared, config(1 << 20));
  int written = 0;
  std::string err;
  while (true) {
    LogBatch b = make_batch(written, 2000);
    if (sink->write(b, &err) != SinkResult::kOk) break;
    ++written;
    ASSERT_LT(written, 10000);
  }
  EXPECT_NE(err.find("full"), std::string::npos) << err;
  EXPECT_GT(sink->buffer()->bytes() + 4096, 1u << 20);
  {
    std::lock_guard<std::mutex> l(shared->mu);
    shared->down = false;
  }
  // The batch refused while full goes in once the drain frees space; the
  // engine retries it (here: the loop).
  LogBatch again = make_batch(written, 2000);
  SinkResult r = SinkResult::kRetry;
  for (int tries = 0; tries < 2000 && r != SinkResult::kOk; ++tries) r = sink->write(again, &err);
  ASSERT_EQ(r, SinkResult::kOk) << err;
  wait_delivered(*shared, written + 1);
  std::lock_guard<std::mutex> l(shared->mu);
  for (int i = 0; i <= written; ++i) EXPECT_EQ(shared->got[i].records[0].body, make_batch(i, 2000).records[0].body);
}

TEST(DiskBufferSink, AReplacementWaitsForThePredecessorAndTakesOverItsBacklog) {
  auto env = new_mem_env();
  auto down = std::make_shared<FakeSink::Shared>();
  down->down = true;
  auto old_sink = open_sink(env.get(), down);
  for (int i = 0; i < 3; ++i) {
    LogBatch b = make_batch(i);
    std::string err;
    ASSERT_EQ(old_sink->write(b, &err), SinkResult::kOk);
  }
  // A config reload builds the new sink while the old one still runs.
  auto up = std::make_shared<FakeSink::Shared>();
  DiskBufferSinkConfig c = config();
  c.full_wait = std::chrono::hours(1);
  auto new_sink = open_sink(env.get(), up, c);
  EXPECT_EQ(new_sink->buffer(), nullptr);
  std::thread writer([&] {
    LogBatch b = make_batch(3);
    std::string err;
    EXPECT_EQ(new_sink->write(b, &err), SinkResult::kOk) << err;  // waits for the directory
  });
  old_sink.reset();
  writer.join();
  wait_delivered(*up, 4);
  std::lock_guard<std::mutex> l(up->mu);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(up->got[i].records[0].body, make_batch(i).records[0].body);
  EXPECT_TRUE(down->got.empty());
}

TEST(DiskBufferSink, ADestroyedReplacementThatNeverOpenedLeavesTheBufferAlone) {
  auto env = new_mem_env();
  auto down = std::make_shared<FakeSink::Shared>();
  down->down = true;
  auto old_sink = open_sink(env.get(), down);
  LogBatch b = make_batch(0);
  std::string err;
  ASSERT_EQ(old_sink->write(b, &err), SinkResult::kOk);
  auto up = std::make_shared<FakeSink::Shared>();
  open_sink(env.get(), up).reset();  // a reload that failed validation later
  EXPECT_EQ(old_sink->buffer()->batches(), 1u);
  old_sink.reset();
  auto again = open_sink(env.get(), up);
  wait_delivered(*up, 1);
}

TEST(DiskBufferSink, StopReleasesAWriteBlockedOnAFullBuffer) {
  auto env = new_mem_env();
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->down = true;
  DiskBufferSinkConfig c = config(1 << 20);
  c.full_wait = std::chrono::hours(1);
  auto sink = open_sink(env.get(), shared, c);
  std::string err;
  LogBatch b = make_batch(0, 300000);
  ASSERT_EQ(sink->write(b, &err), SinkResult::kOk);
  ASSERT_EQ(sink->write(b, &err), SinkResult::kOk);
  ASSERT_EQ(sink->write(b, &err), SinkResult::kOk);
  std::thread t([&] {
    std::string e;
    LogBatch more = make_batch(1, 300000);
    EXPECT_EQ(sink->write(more, &e), SinkResult::kRetry);
  });
  sink->stop();
  t.join();
}

}  // namespace
}  // namespace sluice
