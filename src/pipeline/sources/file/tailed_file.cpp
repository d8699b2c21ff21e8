#include "pipeline/sources/file/tailed_file.hpp"

#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace sluice {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> pread_full(int fd, char* buf, size_t n, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("pread " + path + " at byte " + std::to_string(offset + done), errno);
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  return done;
}

Result<std::optional<Fingerprint>> read_fingerprint(int fd, uint64_t max_bytes, bool force, const std::string& path) {
  std::vector<char> buf(max_bytes);
  SLUICE_ASSIGN_OR_RETURN(size_t n, pread_full(fd, buf.data(), buf.size(), 0, path));
  const void* nl = std::memchr(buf.data(), '\n', n);
  size_t len = 0;
  if (nl != nullptr) {
    len = static_cast<size_t>(static_cast<const char*>(nl) - buf.data()) + 1;
  } else if (n == max_bytes || (force && n > 0)) {
    len = n;
  } else {
    return std::optional<Fingerprint>();
  }
  return std::optional<Fingerprint>(Fingerprint{XXH3_64bits(buf.data(), len), len});
}

Result<bool> starts_with_fingerprint(int fd, const Fingerprint& fp, const std::string& path) {
  std::vector<char> buf(fp.length);
  SLUICE_ASSIGN_OR_RETURN(size_t n, pread_full(fd, buf.data(), buf.size(), 0, path));
  return n == fp.length && XXH3_64bits(buf.data(), n) == fp.hash;
}

std::string identity_key(uint64_t dev, uint64_t ino, uint64_t hash) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return std::to_string(dev) + ":" + std::to_string(ino) + ":" + hex;
}

void TailedFile::set_path(std::string p) {
  path = std::move(p);
  size_t slash = path.rfind('/');
  name = slash == std::string::npos ? path : path.substr(slash + 1);
}

FileStats TailedFile::stats() const {
  FileStats s;
  s.path = path;
  s.key = key;
  s.bytes_read = bytes_read;
  s.lines_emitted = lines_emitted;
  s.size = size;
  s.position = position;
  s.lag_bytes = lag();
  s.rotated = deleted || missing_scans > 0;
  s.copy = copy_of.has_value();
  s.watched = watch >= 0;
  return s;
}

}  // namespace sluice
