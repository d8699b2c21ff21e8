// SinkWriter with a scripted sink: groups, barriers in their turn, retries
// of one batch alone, fatal drops, and giving up at shutdown.
#include "pipeline/sink_writer.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>

namespace sluice {
namespace {

/// Records what it is asked to write (a batch is named by its stream) into
/// a shared event log, and answers from a script: per batch name, the
/// results of its successive attempts (kOk once the script runs out).
class ScriptedSink final : public Sink {
 public:
  ScriptedSink(std::vector<std::string>* events, size_t group) : events_(events), group_(group) {}

  SinkResult write(LogBatch& batch, std::string* error) override {
    events_->push_back("write " + batch.stream);
    return answer(batch, error);
  }
  size_t max_group() const override { return group_; }
  void write_group(std::span<LogBatch* const> batches, std::vector<SinkResult>* results,
                   std::vector<std::string>* errors) override {
    std::string names;
    for (LogBatch* b : batches) names += (names.empty() ? "" : ",") + b->stream;
    events_->push_back("group " + names);
    for (size_t i = 0; i < batches.size(); ++i) (*results)[i] = answer(*batches[i], &(*errors)[i]);
  }

  std::map<std::string, std::deque<SinkResult>> script;

 private:
  SinkResult answer(const LogBatch& batch, std::string* error) {
    auto& q = script[batch.stream];
    if (q.empty()) return SinkResult::kOk;
    SinkResult r = q.front();
    q.pop_front();
    if (r != SinkResult::kOk) *error = "scripted failure of " + batch.stream;
    return r;
  }

  std::vector<std::string>* events_;
  size_t group_;
};

class SinkWriterTest : public ::testing::Test {
 protected:
  /// A batch of `records` records named `name`, whose acknowledgement
  /// logs "ack NAME STATUS" when released.
  LogBatch batch(const std::string& name, size_t records = 1) {
    LogBatch b;
    b.stream = name;
    b.records.resize(records);
    b.acks.push_back(std::make_shared<Acknowledgement>([this, name](DeliveryStatus s, const std::string&) {
      events_.push_back("ack " + name + " " + std::to_string(static_cast<int>(s)));
    }));
    return b;
  }

  SinkWriter writer(Sink* sink) {
    return SinkWriter(
        sink, "test", SinkCounters{&received_, &sent_, &errors_, &discarded_}, &stopping_,
        [this](const LogBatch& b) { events_.push_back("written " + b.stream); },
        [this](std::chrono::milliseconds) { ++sleeps_; });
  }

  /// With the pipeline stopping, writes batches named `names` into
  /// `*taken` through a sink taking `group` at once that fails "b" with
  /// kRetry. Returns whether the writer gave up.
  bool write_while_stopping(size_t group, std::initializer_list<const char*> names, std::vector<LogBatch>* taken) {
    ScriptedSink sink(&events_, group);
    sink.script["b"] = {SinkResult::kRetry};
    stopping_ = true;
    SinkWriter w = writer(&sink);
    for (const char* n : names) taken->push_back(batch(n));
    w.write(*taken);
    return w.abandoned();
  }

  std::vector<std::string> events_;
  Counter received_, sent_, errors_, discarded_;
  std::atomic<bool> stopping_{false};
  int sleeps_ = 0;
};

TEST_F(SinkWriterTest, WritesConsecutiveBatchesAsGroupsAndReleasesABarrierInItsTurn) {
  ScriptedSink sink(&events_, 3);
  SinkWriter w = writer(&sink);
  std::vector<LogBatch> taken;
  taken.push_back(batch("a"));
  taken.push_back(batch("b"));
  LogBatch barrier;
  barrier.acks.push_back(std::make_shared<Acknowledgement>(
      [this](DeliveryStatus, const std::string&) { events_.push_back("barrier released"); }));
  taken.push_back(std::move(barrier));
  for (const char* n : {"c", "d", "e", "f"}) taken.push_back(batch(n, 2));
  w.write(taken);
  std::vector<std::string> want = {"group a,b", "written a", "written b", "barrier released", "group c,d,e",
                                   "written c", "written d", "written e", "write f",          "written f"};
  EXPECT_EQ(events_, want);
  EXPECT_EQ(received_.value(), 10u);
  EXPECT_EQ(sent_.value(), 10u);
  EXPECT_EQ(errors_.value(), 0u);
  taken.clear();  // the caller releases the written batches: delivered
  EXPECT_EQ(events_.back(), "ack f 0");
}

TEST_F(SinkWriterTest, RetriesAFailedBatchAloneThenGoesOnInOrder) {
  ScriptedSink sink(&events_, 8);
  sink.script["b"] = {SinkResult::kRetry, SinkResult::kRetry};
  SinkWriter w = writer(&sink);
  std::vector<LogBatch> taken;
  taken.push_back(batch("a"));
  taken.push_back(batch("b"));
  taken.push_back(batch("c"));
  w.write(taken);
  std::vector<std::string> want = {"group a,b,c", "written a", "write b", "write b", "written b", "written c"};
  EXPECT_EQ(events_, want);
  EXPECT_EQ(sleeps_, 2);
  EXPECT_EQ(errors_.value(), 2u);
  EXPECT_EQ(sent_.value(), 3u);
  EXPECT_FALSE(w.abandoned());
}

TEST_F(SinkWriterTest, AnUnwritableBatchIsDroppedCountedAndRejected) {
  ScriptedSink sink(&events_, 8);
  sink.script["b"] = {SinkResult::kFatal};
  SinkWriter w = writer(&sink);
  std::vector<LogBatch> taken;
  taken.push_back(batch("a"));
  taken.push_back(batch("b", 5));
  taken.push_back(batch("c"));
  w.write(taken);
  EXPECT_EQ(discarded_.value(), 5u);
  EXPECT_EQ(sent_.value(), 2u);
  taken.clear();
  std::vector<std::string> acks(events_.end() - 3, events_.end());
  std::vector<std::string> want = {"ack a 0", "ack b 2", "ack c 0"};
  EXPECT_EQ(acks, want);
}

TEST_F(SinkWriterTest, AtShutdownAFailingBatchIsGivenUpAndNothingAfterItIsWritten) {
  std::vector<LogBatch> taken;
  EXPECT_TRUE(write_while_stopping(2, {"a", "b", "c", "d"}, &taken));
  // c and d are not even offered to the sink.
  std::vector<std::string> want = {"group a,b", "written a"};
  EXPECT_EQ(events_, want);
  EXPECT_EQ(sleeps_, 0);
  taken.clear();
  std::vector<std::string> acks(events_.begin() + 2, events_.end());
  std::vector<std::string> want_acks = {"ack a 0", "ack b 1", "ack c 1", "ack d 1"};
  EXPECT_EQ(acks, want_acks);
}

TEST_F(SinkWriterTest, AtShutdownABatchWrittenInTheSameGroupAfterAGivenUpOneCommitsNoPositions) {
  std::vector<LogBatch> taken;
  EXPECT_TRUE(write_while_stopping(3, {"a", "b", "c"}, &taken));
  // c reached the sink, but committing its positions would skip b's lines.
  std::vector<std::string> want = {"group a,b,c", "written a"};
  EXPECT_EQ(events_, want);
  EXPECT_EQ(sent_.value(), 2U);
}

}  // namespace
}  // namespace sluice
