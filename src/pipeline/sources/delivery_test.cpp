#include "pipeline/sources/delivery.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace sluice {
namespace {

LogBatch one_record() {
  LogBatch b;
  b.records.emplace_back();
  b.records.back().body = "x";
  return b;
}

TEST(Deliver, OkOnlyAfterEveryCopyIsReleased) {
  std::mutex mu;
  std::vector<LogBatch> held;  // what "sinks" still hold
  SourceContext ctx;
  ctx.emit = [&](LogBatch&& b) {
    std::lock_guard<std::mutex> l(mu);
    held.push_back(b);  // fan-out: two copies
    held.push_back(std::move(b));
    return Status::Ok();
  };
  auto held_count = [&] {
    std::lock_guard<std::mutex> l(mu);
    return held.size();
  };
  std::atomic<bool> done{false};
  Status result;
  std::thread t([&] {
    result = deliver(ctx, one_record(), std::chrono::seconds(30));
    done = true;
  });
  while (held_count() < 2) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(done);
  {
    std::lock_guard<std::mutex> l(mu);
    held.erase(held.begin());  // one sink wrote its copy
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(done);
  {
    std::lock_guard<std::mutex> l(mu);
    held.clear();  // the other one too
  }
  t.join();
  EXPECT_TRUE(result.ok()) << result.to_string();
}

TEST(Deliver, RejectedCopyMakesInvalidArgument) {
  SourceContext ctx;
  ctx.emit = [](LogBatch&& b) {
    LogBatch mine = std::move(b);
    mine.fail_acks(DeliveryStatus::kRejected, "sinks.s: bad stream");
    return Status::Ok();
  };
  Status st = deliver(ctx, one_record(), std::chrono::seconds(30));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("bad stream"), std::string::npos);
}

TEST(Deliver, StoppingPipelineIsUnavailableNotAHang) {
  SourceContext ctx;
  // The pipeline refuses the batch and leaves it with the caller.
  ctx.emit = [](LogBatch&& b) {
    b.fail_acks(DeliveryStatus::kErrored, "the pipeline is stopping");
    return Status::Cancelled("pipeline is stopping");
  };
  Status st = deliver(ctx, one_record(), std::chrono::seconds(30));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
}

TEST(Deliver, TimesOutWhenASinkHoldsOn) {
  std::vector<LogBatch> held;
  SourceContext ctx;
  ctx.emit = [&](LogBatch&& b) {
    held.push_back(std::move(b));
    return Status::Ok();
  };
  Status st = deliver(ctx, one_record(), std::chrono::milliseconds(50));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("may still be written"), std::string::npos);
  held.clear();  // the late completion must not touch freed state
}

TEST(Acknowledgement, WorstStatusWins) {
  DeliveryStatus seen = DeliveryStatus::kDelivered;
  std::string why;
  {
    auto a = std::make_shared<Acknowledgement>([&](DeliveryStatus s, const std::string& r) {
      seen = s;
      why = r;
    });
    a->fail(DeliveryStatus::kErrored, "retry later");
    a->fail(DeliveryStatus::kRejected, "never");
    a->fail(DeliveryStatus::kErrored, "again");
  }
  EXPECT_EQ(seen, DeliveryStatus::kRejected);
  EXPECT_EQ(why, "never");
}

}  // namespace
}  // namespace sluice
