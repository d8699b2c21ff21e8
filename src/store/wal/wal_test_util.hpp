// Helpers shared by the WAL tests: deterministic records and batches, a
// temporary directory, and reading a whole WAL back.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "model/batch.hpp"
#include "store/wal/wal.hpp"

namespace sluice::wal_test {

/// A record whose every field derives from `id`, with a body of about
/// `body_bytes` bytes.
inline LogRecord make_record(uint64_t id, size_t body_bytes = 40) {
  LogRecord r;
  r.timestamp_ns = 1700000000000000000LL + static_cast<int64_t>(id) * 1000;
  r.observed_timestamp_ns = r.timestamp_ns + 17;
  r.severity_number = static_cast<uint8_t>(id % 25);
  r.severity_text = id % 2 ? "INFO" : "WARN";
  r.body = "record " + std::to_string(id) + " ";
  while (r.body.size() < body_bytes) r.body += static_cast<char>('a' + (r.body.size() + id) % 26);
  r.attributes = {{"http.request.method", "GET"}, {"seq", std::to_string(id)}};
  r.resource = {{"service.name", "api"}, {"host.name", id % 3 ? "web-1" : "web-2"}};
  r.service_name = "api";
  r.scope_name = "sluice.file";
  r.scope_version = "1";
  if (id % 4 != 0) {
    char buf[33];
    std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(id),
                  static_cast<unsigned long long>(id * 7919));
    r.trace_id = buf;
    r.span_id = std::string(buf, 16);
  }
  r.trace_flags = static_cast<uint32_t>(id % 2);
  return r;
}

/// `n` records with ids [first_id, first_id + n), plus one position of
/// source "src" for key `key` at byte `first_id + n` when `with_position`.
inline LogBatch make_batch(uint64_t first_id, size_t n, bool with_position = true, std::string key = "file-1") {
  LogBatch b;
  for (size_t i = 0; i < n; ++i) b.records.push_back(make_record(first_id + i));
  if (with_position) b.positions.push_back({"src", std::move(key), first_id + n, "/var/log/app.log"});
  return b;
}

/// A fresh directory under /tmp, removed with its content on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/sluice_wal_test_XXXXXX";
    char* p = ::mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Every durable entry from `offset` on; fails the test on a read error.
inline std::vector<WalEntry> read_all(const Wal& wal, uint64_t offset) {
  std::vector<WalEntry> out;
  auto reader = wal.read_from(offset);
  EXPECT_TRUE(reader.ok()) << reader.status().to_string();
  if (!reader.ok()) return out;
  while (true) {
    WalEntry e;
    auto more = (*reader)->next(&e);
    EXPECT_TRUE(more.ok()) << more.status().to_string();
    if (!more.ok() || !*more) break;
    out.push_back(std::move(e));
  }
  return out;
}

/// The records of `entries` flattened, checking offsets are dense from
/// `first`.
inline std::vector<LogRecord> flatten(const std::vector<WalEntry>& entries, uint64_t first) {
  std::vector<LogRecord> out;
  for (const auto& e : entries) {
    EXPECT_EQ(e.first_offset, first + out.size());
    out.insert(out.end(), e.batch.records.begin(), e.batch.records.end());
  }
  return out;
}

/// Opens `dir` in `env`, failing the test on error.
inline std::unique_ptr<Wal> open_wal(Env* env, const std::string& dir, WalOptions options = {},
                                     RecoveryReport* report = nullptr) {
  auto w = Wal::open(env, dir, options, report);
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  if (!w.ok()) return nullptr;
  return std::move(w).value();
}

}  // namespace sluice::wal_test
