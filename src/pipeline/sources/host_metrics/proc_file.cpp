#include "pipeline/sources/host_metrics/proc_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace sluice {

namespace {

Status open_error(const std::string& path, int err) {
  if (err == ENOENT || err == ESRCH) return Status::NotFound(path + " does not exist (any more)");
  return Status::FromErrno("reading " + path, err);
}

}  // namespace

Result<std::string> read_proc_file(const std::string& path, size_t max_bytes, OverCap over_cap) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return open_error(path, errno);
  std::string out;
  constexpr size_t kChunk = 16 * 1024;
  Status st;
  while (true) {
    // One byte past the cap tells "exactly max_bytes" from "longer".
    size_t want = std::min(kChunk, max_bytes + 1 - out.size());
    size_t at = out.size();
    out.resize(at + want);
    ssize_t n = ::read(fd, out.data() + at, want);
    if (n < 0) {
      out.resize(at);
      if (errno == EINTR) continue;
      st = open_error(path, errno);
      break;
    }
    out.resize(at + static_cast<size_t>(n));
    if (n == 0) break;
    if (out.size() > max_bytes) {
      if (over_cap == OverCap::kTruncate) {
        out.resize(max_bytes);
      } else {
        st = Status::ResourceExhausted(path + " is longer than " + std::to_string(max_bytes) + " bytes");
      }
      break;
    }
  }
  ::close(fd);
  if (!st.ok()) return st;
  return out;
}

}  // namespace sluice
