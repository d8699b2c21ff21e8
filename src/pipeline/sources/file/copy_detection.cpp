#include "pipeline/sources/file/copy_detection.hpp"

#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "pipeline/sources/file/tailed_file.hpp"

namespace sluice {

Checkpoint make_checkpoint(std::string_view before, uint64_t offset) {
  uint64_t len = std::min<uint64_t>({offset, kCheckpointBytes, before.size()});
  std::string_view bytes = before.substr(before.size() - len);
  return Checkpoint{offset, len, XXH3_64bits(bytes.data(), bytes.size())};
}

Result<std::optional<Checkpoint>> read_checkpoint(int fd, uint64_t offset, const std::string& path) {
  uint64_t len = std::min(offset, kCheckpointBytes);
  char buf[kCheckpointBytes];
  SLUICE_ASSIGN_OR_RETURN(size_t n, pread_full(fd, buf, len, offset - len, path));
  if (n != len) return std::optional<Checkpoint>();
  return std::optional<Checkpoint>(make_checkpoint(std::string_view(buf, len), offset));
}

Result<bool> matches_checkpoint(int fd, const Checkpoint& cp, const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(auto mine, read_checkpoint(fd, cp.offset, path));
  return mine.has_value() && mine->length == cp.length && mine->hash == cp.hash;
}

Result<bool> same_bytes_before(int fd_a, const std::string& path_a, int fd_b, const std::string& path_b, uint64_t end) {
  uint64_t len = std::min(end, kCheckpointBytes);
  char a[kCheckpointBytes];
  char b[kCheckpointBytes];
  SLUICE_ASSIGN_OR_RETURN(size_t na, pread_full(fd_a, a, len, end - len, path_a));
  SLUICE_ASSIGN_OR_RETURN(size_t nb, pread_full(fd_b, b, len, end - len, path_b));
  return na == len && nb == len && std::equal(a, a + len, b);
}

void CheckpointRing::record(const Checkpoint& cp) {
  while (count_ > 0 && items_[count_ - 1].offset >= cp.offset) --count_;
  if (count_ == kSize) {
    std::move(items_.begin() + 1, items_.end(), items_.begin());
    --count_;
  }
  items_[count_++] = cp;
}

const Checkpoint* CheckpointRing::newest_at_or_below(uint64_t limit) const {
  for (size_t i = count_; i > 0; --i) {
    const Checkpoint& cp = items_[i - 1];
    if (cp.offset > 0 && cp.offset <= limit) return &cp;
  }
  return nullptr;
}

Result<std::optional<uint64_t>> copy_resume_offset(int fd, uint64_t size, const std::string& path, uint64_t position,
                                                   const CheckpointRing& checkpoints) {
  const Checkpoint* cp = nullptr;
  uint64_t resume = 0;
  if (size >= position) {
    cp = checkpoints.newest();
    if (cp == nullptr || cp->offset != position) return std::optional<uint64_t>();
    resume = position;
  } else {
    cp = checkpoints.newest_at_or_below(size);
    if (cp == nullptr) return std::optional<uint64_t>();
    resume = size;
  }
  SLUICE_ASSIGN_OR_RETURN(bool ok, matches_checkpoint(fd, *cp, path));
  return ok ? std::optional<uint64_t>(resume) : std::optional<uint64_t>();
}

std::optional<IdentityKeyParts> parse_identity_key(std::string_view key) {
  IdentityKeyParts p;
  size_t c1 = key.find(':');
  size_t c2 = c1 == std::string_view::npos ? c1 : key.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return std::nullopt;
  auto num = [](std::string_view s, uint64_t* out, int base) {
    if (s.empty()) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, base);
    return ec == std::errc() && end == s.data() + s.size();
  };
  if (!num(key.substr(0, c1), &p.dev, 10) || !num(key.substr(c1 + 1, c2 - c1 - 1), &p.ino, 10) ||
      !num(key.substr(c2 + 1), &p.hash, 16)) {
    return std::nullopt;
  }
  return p;
}

}  // namespace sluice
