// POSIX implementation of Env.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>

#include "common/env.hpp"

namespace sluice {
namespace {

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status append(std::string_view data) override {
    // Loops: write(2) may write fewer bytes than asked.
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("write " + path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
      size_ += static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }
  Status sync() override {
    if (::fdatasync(fd_) != 0) return Status::FromErrno("fdatasync " + path_, errno);
    return Status::Ok();
  }
  Status close() override {
    if (fd_ < 0) return Status::Ok();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return Status::FromErrno("close " + path_, errno);
    return Status::Ok();
  }
  uint64_t size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

class PosixReadableFile final : public ReadableFile {
 public:
  PosixReadableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixReadableFile() override { ::close(fd_); }
  Status read_at(uint64_t offset, size_t n, std::string* out) const override {
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out->data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("pread " + path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    out->resize(done);
    return Status::Ok();
  }
  Result<uint64_t> size() const override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return Status::FromErrno("fstat " + path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  std::string path_;
  int fd_;
};

// Mappings of PosixEnv::map_region alive now, at most kMaxLiveMappings.
std::atomic<size_t> live_mappings{0};

// A read-only shared mapping of part of a file (Env::map_region): `length`
// bytes from `base` (page-aligned), of which the caller's are `size` bytes
// from `skip`. Owned by its shared_ptr; unmapped when the last owner lets
// go (any thread). Thread-safe: read-only.
class PosixMappedRegion final : public MappedRegion {
 public:
  PosixMappedRegion(void* base, size_t length, size_t skip, size_t size)
      : base_(base), length_(length), bytes_(static_cast<const char*>(base) + skip, size) {}
  ~PosixMappedRegion() override {
    ::munmap(base_, length_);
    live_mappings.fetch_sub(1, std::memory_order_relaxed);
  }
  PosixMappedRegion(const PosixMappedRegion&) = delete;
  PosixMappedRegion& operator=(const PosixMappedRegion&) = delete;
  std::string_view bytes() const override { return bytes_; }

 private:
  void* base_;
  size_t length_;
  std::string_view bytes_;
};

// A file held open with an flock(LOCK_EX) on it (Env::lock_file).
class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // releases the lock
  PosixFileLock(const PosixFileLock&) = delete;
  PosixFileLock& operator=(const PosixFileLock&) = delete;

 private:
  int fd_;
};

// What a region asks for is past the end of `path` (`file_size` bytes).
Status past_end(const std::string& path, uint64_t offset, size_t size, uint64_t file_size) {
  return Status::InvalidArgument("map " + path + ": bytes [" + std::to_string(offset) + ", " +
                                 std::to_string(offset + size) + ") are past its end at " + std::to_string(file_size));
}

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> open_appendable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return Status::FromErrno("open " + path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int e = errno;
      ::close(fd);
      return Status::FromErrno("fstat " + path, e);
    }
    return std::unique_ptr<WritableFile>(
        std::make_unique<PosixWritableFile>(path, fd, static_cast<uint64_t>(st.st_size)));
  }
  Result<std::unique_ptr<ReadableFile>> open_readable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Status::NotFound("no such file: " + path);
      return Status::FromErrno("open " + path, errno);
    }
    return std::unique_ptr<ReadableFile>(std::make_unique<PosixReadableFile>(path, fd));
  }
  Result<std::shared_ptr<const MappedRegion>> map_region(const std::string& path, uint64_t offset,
                                                         size_t size) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Status::NotFound("no such file: " + path);
      return Status::FromErrno("open " + path, errno);
    }
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};  // the mapping outlives the descriptor
    struct stat st {};
    if (::fstat(fd, &st) != 0) return Status::FromErrno("fstat " + path, errno);
    const auto file_size = static_cast<uint64_t>(st.st_size);
    if (offset > file_size || size > file_size - offset) return past_end(path, offset, size, file_size);
    if (size == 0) return Env::map_region(path, offset, size);  // mmap takes no empty mapping
    auto what = [&] {                                           // only for an error: a mapping is made per stored batch
      return "map " + path + " bytes [" + std::to_string(offset) + ", " + std::to_string(offset + size) + ")";
    };
    if (live_mappings.fetch_add(1, std::memory_order_relaxed) >= kMaxLiveMappings) {
      live_mappings.fetch_sub(1, std::memory_order_relaxed);
      return Status::ResourceExhausted(what() + ": " + std::to_string(kMaxLiveMappings) +
                                       " mappings are alive already, the most this process keeps");
    }
    static const uint64_t kPage = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    const uint64_t start = offset / kPage * kPage;
    const size_t length = size + static_cast<size_t>(offset - start);
    void* base = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(start));
    if (base == MAP_FAILED) {
      const int e = errno;
      live_mappings.fetch_sub(1, std::memory_order_relaxed);
      return Status::FromErrno(what(), e);
    }
    return std::shared_ptr<const MappedRegion>(
        std::make_shared<PosixMappedRegion>(base, length, static_cast<size_t>(offset - start), size));
  }
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Status::FromErrno("open " + path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int e = errno;
      char pid[32] = {};
      ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
      ::close(fd);
      if (e == EWOULDBLOCK) {
        std::string holder(pid, n > 0 ? static_cast<size_t>(n) : 0);
        holder.erase(holder.find_last_not_of(" \n") + 1);
        return Status::Unavailable(path + " is locked" + (holder.empty() ? std::string() : " by process " + holder));
      }
      return Status::FromErrno("flock " + path, e);
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
      const int e = errno;
      ::close(fd);
      return Status::FromErrno("write " + path, e);
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(fd));
  }
  bool exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
  Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      if (errno == ENOENT) return Status::NotFound("no such directory: " + dir);
      return Status::FromErrno("opendir " + dir, errno);
    }
    std::vector<std::string> names;
    // readdir on a DIR* no other thread uses is thread-safe in glibc.
    while (struct dirent* e = ::readdir(d)) {  // NOLINT(concurrency-mt-unsafe)
      std::string_view n = e->d_name;
      if (n != "." && n != "..") names.emplace_back(n);
    }
    ::closedir(d);
    return names;
  }
  Status create_dirs(const std::string& dir) override {
    // Creates each missing component and fsyncs its parent, so that the new
    // directory entries survive a power loss like the files inside them.
    std::filesystem::path path(dir);
    std::filesystem::path cur;
    for (const auto& part : path) {
      cur /= part;
      if (part.empty() || part == "/" || part == ".") continue;
      struct stat st {};
      if (::stat(cur.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode))
          return Status::IOError("create directory " + dir + ": " + cur.string() + " is not a directory");
        continue;
      }
      if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return Status::FromErrno("mkdir " + cur.string(), errno);
      std::string parent = cur.has_parent_path() ? cur.parent_path().string() : ".";
      if (parent.empty()) parent = ".";
      SLUICE_RETURN_IF_ERROR(sync_dir(parent));
    }
    return Status::Ok();
  }
  Status remove_file(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Status::FromErrno("unlink " + path, errno);
    return Status::Ok();
  }
  Status rename_file(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Status::FromErrno("rename " + from + " to " + to, errno);
    return Status::Ok();
  }
  Status truncate_file(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) return Status::FromErrno("truncate " + path, errno);
    return Status::Ok();
  }
  Result<uint64_t> file_size(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return Status::NotFound("no such file: " + path);
      return Status::FromErrno("stat " + path, errno);
    }
    return static_cast<uint64_t>(st.st_size);
  }
  Status sync_file(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno("open " + path, errno);
    int rc = ::fsync(fd);
    int e = errno;
    ::close(fd);
    if (rc != 0) return Status::FromErrno("fsync " + path, e);
    return Status::Ok();
  }
  Status sync_dir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno("open directory " + dir, errno);
    int rc = ::fsync(fd);
    int e = errno;
    ::close(fd);
    if (rc != 0) return Status::FromErrno("fsync directory " + dir, e);
    return Status::Ok();
  }
  int64_t now_unix_nanos() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t now_monotonic_nanos() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Env* Env::posix() {
  static PosixEnv env;
  return &env;
}

static std::string parent_dir(const std::string& path) {
  auto pos = path.rfind('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

Status Env::write_file_atomic(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  if (exists(tmp)) SLUICE_RETURN_IF_ERROR(remove_file(tmp));
  {
    SLUICE_ASSIGN_OR_RETURN(auto f, open_appendable(tmp));
    SLUICE_RETURN_IF_ERROR(f->append(data));
    SLUICE_RETURN_IF_ERROR(f->sync());
    SLUICE_RETURN_IF_ERROR(f->close());
  }
  SLUICE_RETURN_IF_ERROR(rename_file(tmp, path));
  return sync_dir(parent_dir(path));
}

namespace {
class CopiedRegion final : public MappedRegion {
 public:
  explicit CopiedRegion(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string_view bytes() const override { return bytes_; }

 private:
  std::string bytes_;
};
}  // namespace

Result<std::shared_ptr<const MappedRegion>> Env::map_region(const std::string& path, uint64_t offset, size_t size) {
  SLUICE_ASSIGN_OR_RETURN(auto f, open_readable(path));
  SLUICE_ASSIGN_OR_RETURN(uint64_t file_size, f->size());
  if (offset > file_size || size > file_size - offset) return past_end(path, offset, size, file_size);
  std::string bytes;
  SLUICE_RETURN_IF_ERROR(f->read_at(offset, size, &bytes));
  if (bytes.size() != size) return past_end(path, offset, size, offset + bytes.size());  // it shrank meanwhile
  return std::shared_ptr<const MappedRegion>(std::make_shared<CopiedRegion>(std::move(bytes)));
}

Result<std::unique_ptr<FileLock>> Env::lock_file(const std::string& path) {
  (void)path;
  return std::make_unique<FileLock>();
}

Result<std::unique_ptr<FileLock>> lock_data_dir(Env* env, const std::string& dir, std::string_view who) {
  SLUICE_RETURN_IF_ERROR(env->create_dirs(dir));
  auto lock = env->lock_file(dir + "/LOCK");
  if (!lock.ok()) {
    return lock.status().with_context(std::string(who) + " " + dir +
                                      " is in use; one sluice process per data directory");
  }
  return lock;
}

Result<std::string> Env::read_file(const std::string& path, uint64_t max_bytes) {
  SLUICE_ASSIGN_OR_RETURN(auto f, open_readable(path));
  SLUICE_ASSIGN_OR_RETURN(uint64_t size, f->size());
  if (size > max_bytes) {
    return Status::ResourceExhausted(path + ": " + std::to_string(size) + " bytes, more than the limit of " +
                                     std::to_string(max_bytes));
  }
  std::string out;
  SLUICE_RETURN_IF_ERROR(f->read_at(0, static_cast<size_t>(size), &out));
  return out;
}

}  // namespace sluice
