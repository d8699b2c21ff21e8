// Connection::exec_background: runs a statement to the end like exec(),
// and reports DuckDB's errors the same way.
#include "store/duckdb_handle.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace sluice {
namespace {

TEST(DuckdbHandleTest, ExecBackgroundRunsAStatementToTheEnd) {
  auto db = Database::open({{"threads", "2"}});
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  auto con = (*db)->connect();
  ASSERT_TRUE(con.ok());
  std::string path = (std::filesystem::temp_directory_path() / "sluice_exec_background_test.parquet").string();
  ASSERT_TRUE(
      (*con)->exec_background("CREATE TABLE t AS SELECT range AS x, range::VARCHAR AS s FROM range(300000)").ok());
  Status st = (*con)->exec_background("COPY t TO " + quote_literal(path) + " (FORMAT parquet)");
  ASSERT_TRUE(st.ok()) << st.to_string();
  DuckResult r;
  ASSERT_TRUE((*con)->query("SELECT count(*), sum(x) FROM read_parquet(" + quote_literal(path) + ")", &r).ok());
  EXPECT_EQ(duckdb_value_int64(r.raw(), 0, 0), 300000);
  EXPECT_EQ(duckdb_value_int64(r.raw(), 1, 0), 300000LL * 299999 / 2);
  std::filesystem::remove(path);
}

TEST(DuckdbHandleTest, ExecBackgroundReportsErrorsLikeExec) {
  auto db = Database::open({});
  ASSERT_TRUE(db.ok());
  auto con = (*db)->connect();
  ASSERT_TRUE(con.ok());
  Status bad_sql = (*con)->exec_background("SELEKT 1");
  EXPECT_EQ(bad_sql.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_sql.to_string().find("syntax error"), std::string::npos) << bad_sql.to_string();
  Status at_run = (*con)->exec_background("SELECT CAST('x' || range AS INTEGER) FROM range(10)");
  EXPECT_EQ(at_run.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(at_run.to_string().find("Could not convert"), std::string::npos) << at_run.to_string();
  // The connection stays usable.
  EXPECT_TRUE((*con)->exec_background("CREATE TABLE u AS SELECT 1 AS one").ok());
}

}  // namespace
}  // namespace sluice
