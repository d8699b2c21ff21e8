#include "query/query_engine.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace sluice {
namespace {

class QueryEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sluice_query_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    StoreOptions o = store_option_table().defaults();
    o.data_dir = dir_.string();
    o.min_free_bytes = 0;
    store_ = std::move(Store::open(Env::posix(), o)).value();
    Stream* s = *store_->stream("logs");
    LogBatch b;
    for (int i = 0; i < 300; ++i) {
      LogRecord r;
      r.timestamp_ns = 1763733600LL * 1000000000LL + i * 1000000000LL + 5;
      r.body = i == 0 ? "quote \" and\nnewline" : "line " + std::to_string(i);
      r.severity_number = 9;
      r.attributes = {{"http.response.status_code", std::to_string(200 + (i % 3) * 100)}};
      b.records.push_back(std::move(r));
    }
    ASSERT_TRUE(s->append(b).ok());
    QueryOptions q = query_option_table().defaults();
    q.max_rows = 100;
    engine_ = std::make_unique<QueryEngine>(store_.get(), q);
  }
  void TearDown() override {
    engine_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<QueryEngine> engine_;
};

TEST_F(QueryEngineTest, ReturnsTypedColumnsAndCells) {
  auto r = engine_->execute(
      "SELECT attributes['http.response.status_code'] AS status, count(*) AS n FROM logs GROUP BY 1 ORDER BY 1");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->columns.size(), 2U);
  EXPECT_EQ(r->columns[0].name, "status");
  EXPECT_EQ(r->columns[0].type, "VARCHAR");
  EXPECT_EQ(r->columns[1].type, "BIGINT");
  ASSERT_EQ(r->rows.size(), 3U);
  EXPECT_EQ(r->rows[0][0].text, "200");
  EXPECT_EQ(r->rows[0][1].text, "100");
  EXPECT_EQ(r->rows[0][1].kind, Cell::Kind::kNumber);
}

TEST_F(QueryEngineTest, FormatsTimestampsMapsAndNulls) {
  auto r = engine_->execute(
      "SELECT timestamp, attributes, NULL AS x, [1, 2] AS l, {'a': 1} AS s, 1.5::DECIMAL(4,2) AS d "
      "FROM logs WHERE _offset = 0");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->rows.size(), 1U);
  EXPECT_EQ(r->rows[0][0].text, "2025-11-21 14:00:00.000000005");
  EXPECT_EQ(r->rows[0][1].text, "{\"http.response.status_code\":\"200\"}");
  EXPECT_EQ(r->rows[0][2].kind, Cell::Kind::kNull);
  EXPECT_EQ(r->rows[0][3].text, "[1,2]");
  EXPECT_EQ(r->rows[0][4].text, "{\"a\":1}");
  EXPECT_EQ(r->rows[0][5].text, "1.50");
}

TEST_F(QueryEngineTest, BadSqlGetsDuckDbMessage) {
  auto r = engine_->execute("SELEC 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("syntax error"), std::string::npos) << r.status().message();
  auto missing = engine_->execute("SELECT nope FROM logs");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos) << missing.status().message();
}

TEST_F(QueryEngineTest, RowLimitCancelsWithClearError) {
  auto r = engine_->execute("SELECT * FROM logs");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("more than 100 rows"), std::string::npos) << r.status().message();
  EXPECT_TRUE(engine_->execute("SELECT * FROM logs LIMIT 100").ok());
}

TEST_F(QueryEngineTest, TimeoutInterruptsLongQuery) {
  auto r = engine_->execute("SELECT count(*) FROM range(10000000000) a, range(1000) b", std::chrono::milliseconds(200));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().to_string();
}

TEST_F(QueryEngineTest, OnlyOneSelectOrExplainIsAllowed) {
  for (const char* sql : {"DROP VIEW logs", "CREATE TABLE t (a INT)", "SET memory_limit = '1TB'",
                          "COPY (SELECT 1) TO '/tmp/x.csv'", "SELECT 1; SELECT 2", "EXPLAIN ANALYZE SELECT 1",
                          "explain  analyse select 1", "/* x */ EXPLAIN (ANALYZE) SELECT 1"}) {
    auto r = engine_->execute(sql);
    EXPECT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << sql;
  }
  EXPECT_TRUE(engine_->execute("EXPLAIN SELECT * FROM logs").ok());
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// count(*) over hot records takes the no-decode path; filters force decoding.
TEST_F(QueryEngineTest, CountsHotRecordsWithAndWithoutFilters) {
  Stream* s = store_->find_stream("logs");
  LogBatch b;
  for (int i = 0; i < 5000; ++i) {
    LogRecord r;
    r.timestamp_ns = 1763740800LL * 1000000000LL + i;  // one hour later
    r.body = "more";
    b.records.push_back(std::move(r));
  }
  ASSERT_TRUE(s->append(b).ok());
  auto all = engine_->execute("SELECT count(*) FROM logs");
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  EXPECT_EQ(all->rows[0][0].text, "5300");
  auto later = engine_->execute("SELECT count(*) FROM logs WHERE timestamp >= TIMESTAMP '2025-11-21 16:00:00'");
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->rows[0][0].text, "5000");
  auto bodies = engine_->execute("SELECT count(*) FROM logs WHERE body = 'more'");
  EXPECT_EQ(bodies->rows[0][0].text, "5000");
}

}  // namespace
}  // namespace sluice
