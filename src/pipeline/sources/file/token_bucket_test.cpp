#include "pipeline/sources/file/token_bucket.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST(TokenBucketTest, StartsFullAndRefillsAtTheRateUpToTheBurst) {
  TokenBucket b(1000, 500, 0);
  EXPECT_EQ(b.available(), 500u);
  b.take(500);
  EXPECT_EQ(b.available(), 0u);
  b.refill(kSecond / 10);  // 100 bytes accrue
  EXPECT_EQ(b.available(), 100u);
  b.refill(10 * kSecond);  // capped at the burst
  EXPECT_EQ(b.available(), 500u);
  b.refill(kSecond);  // time going back adds nothing
  EXPECT_EQ(b.available(), 500u);
}

TEST(TokenBucketTest, OverdraftIsRepaidBeforeMoreIsAvailable) {
  TokenBucket b(1000, 1000, 0);
  b.take(1500);  // a line longer than what was left
  EXPECT_EQ(b.available(), 0u);
  EXPECT_EQ(b.ready_at_ns(1), kSecond / 2 + kSecond / 1000 + 1);
  b.refill(kSecond / 2);
  EXPECT_EQ(b.available(), 0u);
  b.refill(kSecond);
  EXPECT_EQ(b.available(), 500u);
}

TEST(TokenBucketTest, AverageRateOverManyTurnsIsTheLimit) {
  // A reader that takes whatever is available every millisecond, in lines
  // of 100 bytes (overdrawing by up to one line), reads rate * seconds.
  TokenBucket b(50'000, 50'000, 0);
  uint64_t total = 0;
  for (int64_t t = 0; t <= 10 * kSecond; t += kSecond / 1000) {
    b.refill(t);
    uint64_t avail = b.available();
    if (avail == 0) continue;
    uint64_t lines = (avail + 99) / 100;  // the last line may overdraw
    b.take(lines * 100);
    total += lines * 100;
  }
  // Burst (50 KB) plus 10 s at 50 KB/s, plus at most one line.
  EXPECT_GE(total, 540'000u);
  EXPECT_LE(total, 550'100u);
}

TEST(TokenBucketTest, ReadyAtIsWhenTheWantedAmountHasAccrued) {
  TokenBucket b(100, 1000, 5 * kSecond);
  b.take(1000);
  EXPECT_EQ(b.ready_at_ns(50), 5 * kSecond + kSecond / 2 + 1);
  EXPECT_EQ(b.ready_at_ns(5000), 5 * kSecond + 10 * kSecond + 1);  // capped at the burst
  b.refill(5 * kSecond + kSecond / 2 + 1);
  EXPECT_GE(b.available(), 50u);
}

}  // namespace
}  // namespace sluice
