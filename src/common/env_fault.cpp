// Fault-injecting Env; see env_fault.hpp.
#include "common/env_fault.hpp"

#include <vector>

namespace sluice {
namespace {

std::string parent_of(const std::string& path) {
  auto pos = path.rfind('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

std::string normalize(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

/// A WritableFile that reports appends and syncs to its FaultInjectionEnv.
/// Owned by the caller of open_appendable(); used by one thread at a time.
class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Status append(std::string_view data) override {
    size_t torn_prefix = 0;
    Status injected = env_->maybe_fail_append(path_, data.size(), &torn_prefix);
    if (!injected.ok()) {
      if (torn_prefix > 0 && base_->append(data.substr(0, torn_prefix)).ok()) {
        env_->note_appended(path_, base_->size());
      }
      return injected;
    }
    Status s = base_->append(data);
    env_->note_appended(path_, base_->size());
    return s;
  }
  Status sync() override {
    SLUICE_RETURN_IF_ERROR(env_->maybe_fail_sync("sync " + path_));
    uint64_t size = base_->size();
    SLUICE_RETURN_IF_ERROR(base_->sync());
    env_->note_synced(path_, size);
    return Status::Ok();
  }
  Status close() override { return base_->close(); }
  uint64_t size() const override { return base_->size(); }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};

FaultInjectionEnv::FaultInjectionEnv(Env* base) : base_(base) {}
FaultInjectionEnv::~FaultInjectionEnv() = default;

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::open_appendable(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  bool existed = base_->exists(path);
  SLUICE_ASSIGN_OR_RETURN(auto file, base_->open_appendable(path));
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) {
      FileState st;
      st.size = file->size();
      st.synced_size = existed ? st.size : 0;
      st.created_since_dir_sync = !existed;
      files_.emplace(path, st);
    }
  }
  return std::unique_ptr<WritableFile>(std::make_unique<FaultWritableFile>(this, path, std::move(file)));
}

Result<std::unique_ptr<ReadableFile>> FaultInjectionEnv::open_readable(const std::string& path) {
  return base_->open_readable(path);
}

bool FaultInjectionEnv::exists(const std::string& path) { return base_->exists(path); }

Result<std::vector<std::string>> FaultInjectionEnv::list_dir(const std::string& dir) { return base_->list_dir(dir); }

Status FaultInjectionEnv::create_dirs(const std::string& dir) { return base_->create_dirs(dir); }

Status FaultInjectionEnv::remove_file(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  SLUICE_RETURN_IF_ERROR(base_->remove_file(path));
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(path);
  return Status::Ok();
}

Status FaultInjectionEnv::rename_file(const std::string& raw_from, const std::string& raw_to) {
  std::string from = normalize(raw_from);
  std::string to = normalize(raw_to);
  SLUICE_RETURN_IF_ERROR(base_->rename_file(from, to));
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(to);
  auto it = files_.find(from);
  if (it != files_.end()) {
    FileState st = it->second;
    files_.erase(it);
    files_[to] = st;
  }
  return Status::Ok();
}

Status FaultInjectionEnv::truncate_file(const std::string& raw_path, uint64_t size) {
  std::string path = normalize(raw_path);
  SLUICE_RETURN_IF_ERROR(base_->truncate_file(path, size));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it != files_.end()) {
    it->second.size = size;
    if (it->second.synced_size > size) it->second.synced_size = size;
  }
  return Status::Ok();
}

Result<uint64_t> FaultInjectionEnv::file_size(const std::string& path) { return base_->file_size(path); }

Status FaultInjectionEnv::sync_dir(const std::string& raw_dir) {
  std::string dir = normalize(raw_dir);
  SLUICE_RETURN_IF_ERROR(maybe_fail_sync("sync directory " + dir));
  SLUICE_RETURN_IF_ERROR(base_->sync_dir(dir));
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [path, st] : files_) {
    if (parent_of(path) == dir) st.created_since_dir_sync = false;
  }
  return Status::Ok();
}

int64_t FaultInjectionEnv::now_unix_nanos() { return base_->now_unix_nanos(); }
int64_t FaultInjectionEnv::now_monotonic_nanos() { return base_->now_monotonic_nanos(); }

void FaultInjectionEnv::fail_next_appends(int n, bool torn) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_appends_ = n;
  torn_appends_ = torn;
}

void FaultInjectionEnv::fail_next_syncs(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_syncs_ = n;
}

int FaultInjectionEnv::injected_failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_failures_;
}

Status FaultInjectionEnv::maybe_fail_append(const std::string& path, size_t len, size_t* torn_prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  *torn_prefix = 0;
  if (fail_appends_ <= 0) return Status::Ok();
  --fail_appends_;
  ++injected_failures_;
  if (torn_appends_) *torn_prefix = len / 2;
  return Status::IOError("append to " + path + ": injected fault (" + std::to_string(len) + " bytes, " +
                         std::to_string(*torn_prefix) + " written)");
}

Status FaultInjectionEnv::maybe_fail_sync(const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_syncs_ <= 0) return Status::Ok();
  --fail_syncs_;
  ++injected_failures_;
  return Status::IOError(what + ": injected fault");
}

void FaultInjectionEnv::note_appended(const std::string& path, uint64_t new_size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it != files_.end()) it->second.size = new_size;
}

void FaultInjectionEnv::note_synced(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it != files_.end() && size > it->second.synced_size) it->second.synced_size = size;
}

Status FaultInjectionEnv::drop_unsynced_data() {
  std::vector<std::pair<std::string, uint64_t>> to_truncate;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [path, st] : files_) {
      if (st.size > st.synced_size) {
        to_truncate.emplace_back(path, st.synced_size);
        st.size = st.synced_size;
      }
    }
  }
  Status first_error;
  for (const auto& [path, size] : to_truncate) {
    Status s = base_->truncate_file(path, size);
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  return first_error;
}

Status FaultInjectionEnv::remove_files_created_since_dir_sync() {
  std::vector<std::string> to_remove;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = files_.begin(); it != files_.end();) {
      if (it->second.created_since_dir_sync) {
        to_remove.push_back(it->first);
        it = files_.erase(it);
      } else {
        ++it;
      }
    }
  }
  Status first_error;
  for (const auto& path : to_remove) {
    Status s = base_->remove_file(path);
    if (!s.ok() && s.code() != StatusCode::kNotFound && first_error.ok()) first_error = s;
  }
  return first_error;
}

Status FaultInjectionEnv::simulate_power_loss() {
  Status a = drop_unsynced_data();
  Status b = remove_files_created_since_dir_sync();
  return a.ok() ? b : a;
}

uint64_t FaultInjectionEnv::unsynced_bytes(const std::string& raw_path) const {
  std::string path = normalize(raw_path);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return 0;
  return it->second.size - it->second.synced_size;
}

}  // namespace sluice
