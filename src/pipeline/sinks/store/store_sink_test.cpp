// The store sink's group writes, on a real Store: runs of batches per
// stream in one WAL fsync each, a batch that names no stream dropped alone.
#include "pipeline/sinks/store/store_sink.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/metrics.hpp"

namespace sluice {
namespace {

class StoreSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sluice_store_sink_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    StoreOptions o = store_option_table().defaults();
    o.data_dir = dir_.string();
    o.min_free_bytes = 0;
    auto s = Store::open(Env::posix(), o);
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static LogBatch batch(const std::string& stream, int n) {
    LogBatch b;
    b.stream = stream;
    for (int i = 0; i < n; ++i) {
      LogRecord r;
      r.body = stream + " " + std::to_string(i);
      b.records.push_back(std::move(r));
    }
    return b;
  }

  static uint64_t fsyncs(const std::string& stream) {
    return MetricsRegistry::global().counter("sluice_wal_fsyncs_total", "", {{"stream", stream}}).value();
  }

  uint64_t records(const std::string& stream) { return store_->find_stream(stream)->info().records; }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreSinkTest, GroupWritesEachStreamsRunInOneFsyncAndDropsABatchWithoutAStream) {
  auto sink = make_store_sink(store_.get(), StoreSinkOptions{});
  ASSERT_TRUE(sink.ok()) << sink.status().to_string();
  EXPECT_GT((*sink)->max_group(), 1U);
  ASSERT_TRUE(store_->stream("x").ok());
  ASSERT_TRUE(store_->stream("y").ok());
  uint64_t x0 = fsyncs("x"), y0 = fsyncs("y");
  std::vector<LogBatch> taken;
  taken.push_back(batch("x", 2));
  taken.push_back(batch("x", 3));
  taken.push_back(batch("y", 1));
  taken.push_back(batch("", 4));  // names no stream: dropped alone
  taken.push_back(batch("x", 1));
  std::vector<LogBatch*> group;
  for (auto& b : taken) group.push_back(&b);
  std::vector<SinkResult> results(group.size(), SinkResult::kRetry);
  std::vector<std::string> errors(group.size());
  (*sink)->write_group(group, &results, &errors);
  std::vector<SinkResult> want = {SinkResult::kOk, SinkResult::kOk, SinkResult::kOk, SinkResult::kFatal,
                                  SinkResult::kOk};
  EXPECT_EQ(results, want);
  EXPECT_NE(errors[3].find("names no valid stream"), std::string::npos) << errors[3];
  EXPECT_EQ(records("x"), 6U);
  EXPECT_EQ(records("y"), 1U);
  // x: one run of two batches, then one of one; y: one.
  EXPECT_EQ(fsyncs("x") - x0, 2U);
  EXPECT_EQ(fsyncs("y") - y0, 1U);
}

}  // namespace
}  // namespace sluice
