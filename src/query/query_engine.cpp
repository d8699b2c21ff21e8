#include "query/query_engine.hpp"

#include <cctype>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace sluice {

const OptionTable<QueryOptions>& query_option_table() {
  static const OptionTable<QueryOptions> kTable = [] {
    OptionTable<QueryOptions> t;
    t.add_duration("timeout", &QueryOptions::timeout, "30s", "1ms", "1h",
                   "A query running longer is interrupted and fails with deadline_exceeded.")
        .add_integer("max_rows", &QueryOptions::max_rows, 100000, 1, 100000000,
                     "A query returning more rows fails with resource_exhausted; add LIMIT.");
    return t;
  }();
  return kTable;
}

QueryEngine::QueryEngine(Store* store, QueryOptions options) : store_(store), options_(options) {
  auto& m = MetricsRegistry::global();
  queries_ok_ = &m.counter("sluice_queries_total", "SQL queries run.", {{"outcome", "ok"}});
  queries_failed_ = &m.counter("sluice_queries_total", "SQL queries run.", {{"outcome", "error"}});
  latency_ = &m.histogram("sluice_query_seconds", "SQL query latency.", {}, latency_buckets_seconds());
}

namespace {

// Interrupts `con` when the deadline passes, unless disarmed first.
class Watchdog {
 public:
  Watchdog(Connection* con, std::chrono::nanoseconds timeout) {
    thread_ = std::thread([this, con, timeout] {
      std::unique_lock<std::mutex> l(mu_);
      if (!cv_.wait_for(l, timeout, [this] { return done_; })) {
        fired_ = true;
        con->interrupt();
      }
    });
  }
  ~Watchdog() { disarm(); }
  void disarm() {
    {
      std::lock_guard<std::mutex> l(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  bool fired() {
    std::lock_guard<std::mutex> l(mu_);
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

struct Extracted {
  duckdb_extracted_statements s = nullptr;
  ~Extracted() {
    if (s) duckdb_destroy_extracted(&s);
  }
};
struct Prepared {
  duckdb_prepared_statement p = nullptr;
  ~Prepared() {
    if (p) duckdb_destroy_prepare(&p);
  }
};

// True for "EXPLAIN [(options)] ANALYZE|ANALYSE ..." (any case, comments
// before the statement allowed).
bool explains_analyze(std::string_view sql) {
  std::string t;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql.substr(i, 2) == "--") {
      while (i < sql.size() && sql[i] != '\n') ++i;
      continue;
    }
    if (sql.substr(i, 2) == "/*") {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 1;
      continue;
    }
    t += static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i])));
  }
  size_t p = t.find("explain");
  if (p == std::string::npos) return false;
  p += 7;
  while (p < t.size() && std::isspace(static_cast<unsigned char>(t[p]))) ++p;
  if (p < t.size() && t[p] == '(') {
    size_t close = t.find(')', p);
    if (t.substr(p, close == std::string::npos ? std::string::npos : close - p).find("analy") != std::string::npos) {
      return true;
    }
    p = close == std::string::npos ? t.size() : close + 1;
    while (p < t.size() && std::isspace(static_cast<unsigned char>(t[p]))) ++p;
  }
  return t.compare(p, 7, "analyze") == 0 || t.compare(p, 7, "analyse") == 0;
}

Result<QueryResult> run(Connection* con, std::string_view sql, int64_t max_rows) {
  Extracted ex;
  std::string text(sql);
  idx_t n = duckdb_extract_statements(con->raw(), text.c_str(), &ex.s);
  if (n == 0) {
    const char* e = duckdb_extract_statements_error(ex.s);
    return Status::InvalidArgument(e ? e : "empty query");
  }
  if (n > 1) return Status::InvalidArgument("expected one SQL statement, found " + std::to_string(n));
  Prepared prep;
  if (duckdb_prepare_extracted_statement(con->raw(), ex.s, 0, &prep.p) != DuckDBSuccess) {
    const char* e = duckdb_prepare_error(prep.p);
    return Status::InvalidArgument(e ? e : "could not prepare the statement");
  }
  duckdb_statement_type type = duckdb_prepared_statement_type(prep.p);
  if (type != DUCKDB_STATEMENT_TYPE_SELECT && type != DUCKDB_STATEMENT_TYPE_EXPLAIN) {
    return Status::InvalidArgument("only SELECT and EXPLAIN statements may be run through the query API");
  }
  if (type == DUCKDB_STATEMENT_TYPE_EXPLAIN && explains_analyze(text)) {
    // EXPLAIN ANALYZE runs the statement it wraps, which may be anything.
    return Status::InvalidArgument("EXPLAIN ANALYZE is not allowed through the query API; use EXPLAIN");
  }
  if (duckdb_nparams(prep.p) > 0)
    return Status::InvalidArgument("the query has parameters ($1, ?) but none were given");
  DuckResult res;
  duckdb_state st = duckdb_execute_prepared_streaming(prep.p, res.raw());
  res.set_valid();
  auto fail = [&](duckdb_result* r) -> Status {
    const char* e = duckdb_result_error(r);
    std::string msg = e ? e : "query failed";
    switch (duckdb_result_error_type(r)) {
      case DUCKDB_ERROR_INTERRUPT:
        return Status::Cancelled(msg);
      case DUCKDB_ERROR_OUT_OF_MEMORY:
        return Status::ResourceExhausted(msg);
      default:
        return Status::InvalidArgument(msg);
    }
  };
  if (st != DuckDBSuccess) return fail(res.raw());
  QueryResult out;
  idx_t cols = duckdb_column_count(res.raw());
  std::vector<duckdb_logical_type> types(cols);
  for (idx_t c = 0; c < cols; ++c) {
    types[c] = duckdb_column_logical_type(res.raw(), c);
    out.columns.push_back({duckdb_column_name(res.raw(), c), type_name(types[c])});
  }
  Status status;
  while (true) {
    DuckChunk chunk(duckdb_fetch_chunk(*res.raw()));
    if (!chunk.chunk) break;
    idx_t rows = duckdb_data_chunk_get_size(chunk.chunk);
    if (static_cast<int64_t>(out.rows.size() + rows) > max_rows) {
      status = Status::ResourceExhausted("the query returned more than " + std::to_string(max_rows) +
                                         " rows, the limit; add a LIMIT clause or aggregate");
      break;
    }
    std::vector<duckdb_vector> vecs(cols);
    for (idx_t c = 0; c < cols; ++c) vecs[c] = duckdb_data_chunk_get_vector(chunk.chunk, c);
    for (idx_t r = 0; r < rows; ++r) {
      std::vector<Cell> row(cols);
      for (idx_t c = 0; c < cols; ++c) row[c] = read_cell(vecs[c], types[c], r);
      out.rows.push_back(std::move(row));
    }
  }
  for (auto& t : types) duckdb_destroy_logical_type(&t);
  if (!status.ok()) return status;
  // A streaming result reports errors raised while fetching here.
  if (duckdb_result_error(res.raw()) != nullptr) return fail(res.raw());
  return out;
}

}  // namespace

Result<QueryResult> QueryEngine::execute(std::string_view sql, std::chrono::nanoseconds timeout, int64_t max_rows) {
  if (timeout.count() <= 0 || timeout > options_.timeout) timeout = options_.timeout;
  if (max_rows <= 0 || max_rows > options_.max_rows) max_rows = options_.max_rows;
  auto t0 = std::chrono::steady_clock::now();
  auto con_r = store_->database()->connect();
  if (!con_r.ok()) return con_r.status();
  auto con = std::move(con_r).value();
  Result<QueryResult> r = Status::Internal("not run");
  bool timed_out = false;
  {
    Watchdog dog(con.get(), timeout);
    r = run(con.get(), sql, max_rows);
    dog.disarm();
    timed_out = dog.fired();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  latency_->observe(secs);
  if (!r.ok()) {
    queries_failed_->inc();
    if (timed_out) {
      return Status::DeadlineExceeded(
          "the query ran longer than the time-out of " +
          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()) +
          " ms and was cancelled");
    }
    return r.status();
  }
  queries_ok_->inc();
  r->elapsed_ms = secs * 1000.0;
  return r;
}

}  // namespace sluice
