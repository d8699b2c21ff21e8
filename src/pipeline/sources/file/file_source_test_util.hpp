// Helpers shared by the file source unit tests: a collecting
// SourceContext, file writers, and a fixture with a temporary directory.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/sources/file/file_source.hpp"

namespace sluice {
namespace file_test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline constexpr auto kDeadline = 10s;

/// A SourceContext whose emit collects batches; tests wait on it.
class Collector {
 public:
  Collector() {
    ctx.emit = [this](LogBatch&& b) {
      std::unique_lock<std::mutex> lock(mu_);
      ++emit_calls_;
      cv_.notify_all();
      // A closed gate holds the source inside emit (a slow pipeline), at
      // most kDeadline so that a failed test cannot hang.
      cv_.wait_for(lock, kDeadline, [this] { return !gated_; });
      batches_.push_back(std::move(b));
      cv_.notify_all();
      return Status::Ok();
    };
  }

  /// While closed, emit blocks (until opened, or kDeadline).
  void set_gate(bool closed) {
    std::lock_guard<std::mutex> lock(mu_);
    gated_ = closed;
    cv_.notify_all();
  }
  /// Waits until emit has been called `n` times (returned or not).
  bool wait_emit_calls(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return emit_calls_ >= n; });
  }

  /// Waits until `pred(bodies)` holds, up to kDeadline.
  template <class Pred>
  bool wait_bodies(Pred pred) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return pred(bodies_locked()); });
  }
  bool wait_count(size_t n) {
    return wait_bodies([n](const std::vector<std::string>& b) { return b.size() >= n; });
  }

  std::vector<LogBatch> batches() {
    std::lock_guard<std::mutex> lock(mu_);
    return batches_;
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_locked();
  }
  std::vector<LogRecord> records() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<LogRecord> out;
    for (const auto& b : batches_) out.insert(out.end(), b.records.begin(), b.records.end());
    return out;
  }
  /// Latest offset per key over all batches.
  std::map<std::string, uint64_t> positions() {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<std::string, uint64_t> out;
    for (const auto& b : batches_) {
      for (const auto& p : b.positions) out[p.key] = p.offset;
    }
    return out;
  }

  SourceContext ctx;

 private:
  std::vector<std::string> bodies_locked() const {
    std::vector<std::string> out;
    for (const auto& b : batches_) {
      for (const auto& r : b.records) out.push_back(r.body);
    }
    return out;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<LogBatch> batches_;
  size_t emit_calls_ = 0;
  bool gated_ = false;
};

/// Polls `pred` until it holds or kDeadline passes.
template <class Pred>
bool eventually(Pred pred) {
  auto end = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

inline void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    ASSERT_GT(n, 0);
    data.remove_prefix(static_cast<size_t>(n));
  }
}

/// Copies `from` to a new file `to` byte for byte (what logrotate's
/// copytruncate does first).
inline void copy_file(const std::string& from, const std::string& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(in, 0) << from;
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  ASSERT_GE(out, 0) << to;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof buf);
    ASSERT_GE(n, 0);
    if (n == 0) break;
    write_all(out, std::string_view(buf, static_cast<size_t>(n)));
  }
  ::close(in);
  ::close(out);
}

inline void append(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  write_all(fd, data);
  ::close(fd);
}

inline std::string key_of(const std::string& path, uint64_t fingerprint_bytes = 256) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  ::fstat(fd, &st);
  auto fp = read_fingerprint(fd, fingerprint_bytes, false, path);
  ::close(fd);
  if (!fp.ok() || !fp->has_value()) return "";
  return identity_key(st.st_dev, st.st_ino, (*fp)->hash);
}

inline const std::string& attr(const LogRecord& r, std::string_view key) {
  static const std::string kNone = "<none>";
  const std::string* v = find_key_value(r.attributes, key);
  return v ? *v : kNone;
}

class FileSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice_file_source_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    options_.include = {dir_ + "/*.log"};
    options_.glob_interval = 50ms;
    options_.poll_interval = 10ms;
    options_.rotate_wait = 20ms;
  }
  void TearDown() override {
    if (source_) source_->stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  FileSource& start(Collector& c) {
    EXPECT_TRUE(validate_file_source_options(options_).ok());
    source_ = std::make_unique<FileSource>("test", options_);
    Status st = source_->start(&c.ctx);
    EXPECT_TRUE(st.ok()) << st.to_string();
    return *source_;
  }

  std::string dir_;
  FileSourceOptions options_;
  std::unique_ptr<FileSource> source_;
};

}  // namespace file_test
}  // namespace sluice
