#include "pipeline/item_releaser.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
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
  ItemReleaser r(/*max_pending=*/1);
  std::vector<LogBatch> batches;
  for (int i = 0; i < 50; ++i) batches.push_back(batch_of(1000));
  r.release(batches);
  // At most one batch waits at a time: the others were freed by release()
  // itself or by the thread, and all 50 are freed in the end.
  EXPECT_TRUE(eventually([&] { return r.freed() == 50; })) << r.freed();
  for (const LogBatch& b : batches) EXPECT_TRUE(b.records.empty());
}

}  // namespace
}  // namespace sluice
