// In-memory Env; see env_mem.hpp.
#include "common/env_mem.hpp"

#include <algorithm>

namespace sluice {
namespace mem_env_internal {

/// The bytes of one file, shared by the namespace entry and every open
/// handle (so that a removed file stays usable through open handles).
struct MemFile {
  std::mutex mu;
  std::string data;  // guarded by mu
};

}  // namespace mem_env_internal

namespace {

using mem_env_internal::MemFile;

constexpr int64_t kDefaultUnixNanos = 1704067200LL * 1000000000LL;  // 2024-01-01T00:00:00Z
constexpr int64_t kDefaultMonotonicNanos = 1000000000LL;

/// Removes trailing '/' (but keeps a lone "/").
std::string normalize(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string parent_of(const std::string& path) {
  auto pos = path.rfind('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

class MemWritableFile final : public WritableFile {
 public:
  explicit MemWritableFile(std::shared_ptr<MemFile> file) : file_(std::move(file)) {}
  Status append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(file_->mu);
    file_->data.append(data);
    return Status::Ok();
  }
  Status sync() override { return Status::Ok(); }
  Status close() override { return Status::Ok(); }
  uint64_t size() const override {
    std::lock_guard<std::mutex> lock(file_->mu);
    return file_->data.size();
  }

 private:
  std::shared_ptr<MemFile> file_;
};

class MemReadableFile final : public ReadableFile {
 public:
  explicit MemReadableFile(std::shared_ptr<MemFile> file) : file_(std::move(file)) {}
  Status read_at(uint64_t offset, size_t n, std::string* out) const override {
    std::lock_guard<std::mutex> lock(file_->mu);
    const std::string& d = file_->data;
    if (offset >= d.size()) {
      out->clear();
      return Status::Ok();
    }
    size_t avail = d.size() - static_cast<size_t>(offset);
    out->assign(d, static_cast<size_t>(offset), std::min(n, avail));
    return Status::Ok();
  }
  Result<uint64_t> size() const override {
    std::lock_guard<std::mutex> lock(file_->mu);
    return static_cast<uint64_t>(file_->data.size());
  }

 private:
  std::shared_ptr<MemFile> file_;
};

}  // namespace

MemEnv::MemEnv(int64_t unix_nanos, int64_t monotonic_nanos)
    : unix_nanos_(unix_nanos), monotonic_nanos_(monotonic_nanos) {
  dirs_.insert(".");
  dirs_.insert("/");
}

MemEnv::~MemEnv() = default;

Result<std::unique_ptr<WritableFile>> MemEnv::open_appendable(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) {
    if (dirs_.count(path) != 0) return Status::IOError("open " + path + ": is a directory");
    std::string parent = parent_of(path);
    if (dirs_.count(parent) == 0) {
      return Status::IOError("open " + path + ": expected directory " + parent + " to exist, found none");
    }
    it = files_.emplace(path, std::make_shared<MemFile>()).first;
  }
  return std::unique_ptr<WritableFile>(std::make_unique<MemWritableFile>(it->second));
}

Result<std::unique_ptr<ReadableFile>> MemEnv::open_readable(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("no such file: " + path);
  return std::unique_ptr<ReadableFile>(std::make_unique<MemReadableFile>(it->second));
}

bool MemEnv::exists(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(path) != 0 || dirs_.count(path) != 0;
}

Result<std::vector<std::string>> MemEnv::list_dir(const std::string& raw_dir) {
  std::string dir = normalize(raw_dir);
  std::lock_guard<std::mutex> lock(mu_);
  if (dirs_.count(dir) == 0) return Status::NotFound("no such directory: " + dir);
  std::vector<std::string> names;
  auto add_if_child = [&](const std::string& p) {
    if (p != dir && parent_of(p) == dir) names.push_back(p.substr(p.rfind('/') + 1));
  };
  for (const auto& [p, file] : files_) add_if_child(p);
  for (const auto& p : dirs_) add_if_child(p);
  return names;
}

Status MemEnv::create_dirs(const std::string& raw_dir) {
  std::string dir = normalize(raw_dir);
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> chain;
  for (std::string d = dir; dirs_.count(d) == 0; d = parent_of(d)) {
    if (files_.count(d) != 0) return Status::IOError("create directory " + dir + ": " + d + " is a file");
    chain.push_back(d);
  }
  for (auto& d : chain) dirs_.insert(std::move(d));
  return Status::Ok();
}

Status MemEnv::remove_file(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.erase(path) == 0) return Status::NotFound("remove " + path + ": no such file");
  return Status::Ok();
}

Status MemEnv::rename_file(const std::string& raw_from, const std::string& raw_to) {
  std::string from = normalize(raw_from);
  std::string to = normalize(raw_to);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return Status::NotFound("rename " + from + " to " + to + ": no such file");
  if (dirs_.count(parent_of(to)) == 0) {
    return Status::IOError("rename " + from + " to " + to + ": expected directory " + parent_of(to) +
                           " to exist, found none");
  }
  if (dirs_.count(to) != 0) return Status::IOError("rename " + from + " to " + to + ": target is a directory");
  std::shared_ptr<MemFile> file = it->second;
  files_.erase(it);
  files_[to] = std::move(file);
  return Status::Ok();
}

Status MemEnv::truncate_file(const std::string& raw_path, uint64_t size) {
  std::string path = normalize(raw_path);
  std::shared_ptr<MemFile> file;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return Status::NotFound("truncate " + path + ": no such file");
    file = it->second;
  }
  std::lock_guard<std::mutex> lock(file->mu);
  file->data.resize(static_cast<size_t>(size), '\0');
  return Status::Ok();
}

Result<uint64_t> MemEnv::file_size(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  std::shared_ptr<MemFile> file;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return Status::NotFound("no such file: " + path);
    file = it->second;
  }
  std::lock_guard<std::mutex> lock(file->mu);
  return static_cast<uint64_t>(file->data.size());
}

Status MemEnv::sync_dir(const std::string& raw_dir) {
  std::string dir = normalize(raw_dir);
  std::lock_guard<std::mutex> lock(mu_);
  if (dirs_.count(dir) == 0) return Status::NotFound("sync directory " + dir + ": no such directory");
  return Status::Ok();
}

Status MemEnv::put_file(const std::string& path, std::string data) {
  SLUICE_ASSIGN_OR_RETURN(auto f, open_appendable(path));
  (void)f;
  SLUICE_RETURN_IF_ERROR(truncate_file(path, 0));
  std::shared_ptr<MemFile> file;
  {
    std::lock_guard<std::mutex> lock(mu_);
    file = files_.at(normalize(path));
  }
  std::lock_guard<std::mutex> lock(file->mu);
  file->data = std::move(data);
  return Status::Ok();
}

std::unique_ptr<MemEnv> new_mem_env() { return std::make_unique<MemEnv>(kDefaultUnixNanos, kDefaultMonotonicNanos); }

}  // namespace sluice
