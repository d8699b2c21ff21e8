#include "pipeline/item_releaser.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace sluice {
namespace {

LogBatch batch_of(size_t n) {
  LogBatch b;
  for (size_t i = 0; i < n; ++i) {
    LogRecord r;
    r.body = "a record long enough to be allocated on the heap " + std::to_string(i);
    b.records.push_back(std::move(r));
  }
  b.samples.resize(2);
  b.spans.resize(3);
  b.positions.push_back(SourcePosition{"src", "key", 42, "/path"});
  b.stream = "s";
  return b;
}

bool eventually(const std::function<bool()>& cond) {
  for (int i = 0; i < 500; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

TEST(ItemReleaser, TakesTheItemsAndLeavesTheRest) {
  ItemReleaser r;
  std::vector<LogBatch> batches;
  batches.push_back(batch_of(100));
  batches.push_back(batch_of(5));
  bool acked = false;
  batches[0].acks.push_back(
      std::make_shared<Acknowledgement>([&](DeliveryStatus, const std::string&) { acked = true; }));
  r.release(batches);
  for (const LogBatch& b : batches) {
    EXPECT_TRUE(b.records.empty());
    EXPECT_TRUE(b.samples.empty());
    EXPECT_TRUE(b.spans.empty());
    ASSERT_EQ(b.positions.size(), 1u);
    EXPECT_EQ(b.positions[0].offset, 42u);
    EXPECT_EQ(b.stream, "s");
  }
  EXPECT_EQ(batches[0].acks.size(), 1u);
  EXPECT_TRUE(eventually([&] { return r.freed() == 2; })) << r.freed();
  EXPECT_FALSE(acked);  // the acknowledgement goes with the batch, on the caller's thread
  batches.clear();
  EXPECT_TRUE(acked);
}

TEST(ItemReleaser, FreesInlineWhenTheQueueIsFull) {
  // The thread is held in before_free: at most one batch is being freed
  // there and one waits; release() frees the other 48 itself.
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool open = false;
  ItemReleaser r(/*max_pending=*/1, [&] {
    std::unique_lock<std::mutex> l(gate_mu);
    gate_cv.wait(l, [&] { return open; });
  });
  std::vector<LogBatch> batches;
  for (int i = 0; i < 50; ++i) batches.push_back(batch_of(100));
  batches.push_back(LogBatch{});  // no items: left alone, takes no slot
  r.release(batches);
  EXPECT_GE(r.freed(), 48u);
  EXPECT_LE(r.freed(), 49u);
  {
    std::lock_guard<std::mutex> l(gate_mu);
    open = true;
  }
  gate_cv.notify_all();
  EXPECT_TRUE(eventually([&] { return r.freed() == 50; })) << r.freed();
  for (const LogBatch& b : batches) EXPECT_TRUE(b.records.empty());
}

TEST(ItemReleaser, NoThreadWithoutItems) {
  ItemReleaser r;
  std::vector<LogBatch> empty(3);
  r.release(empty);
  EXPECT_EQ(r.freed(), 0u);
}  // the destructor has no thread to join

}  // namespace
}  // namespace sluice
