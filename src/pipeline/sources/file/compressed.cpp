#include "pipeline/sources/file/compressed.hpp"

#include <algorithm>

namespace sluice {

namespace {

struct Magic {
  std::string_view format;
  std::string_view bytes;  ///< '?' in bzip2's fourth byte stands for '1'..'9'
};

constexpr Magic kMagics[] = {
    {"gzip", std::string_view("\x1f\x8b\x08", 3)},
    {"bzip2", std::string_view("BZh?1AY&SY", 10)},
    {"xz", std::string_view("\xfd"
                            "7zXZ\x00",
                            6)},
    {"zstd", std::string_view("\x28\xb5\x2f\xfd", 4)},
    {"zip", std::string_view("PK\x03\x04", 4)},
    {"zip", std::string_view("PK\x05\x06", 4)},
    {"lz4", std::string_view("\x04\x22\x4d\x18", 4)},
};

bool byte_matches(const Magic& m, size_t i, char c) {
  if (m.format == "bzip2" && i == 3) return c >= '1' && c <= '9';
  return m.bytes[i] == c;
}

}  // namespace

CompressedVerdict sniff_compressed(std::string_view head, std::string_view* format) {
  if (head.empty()) return CompressedVerdict::kUndecided;
  bool undecided = false;
  for (const Magic& m : kMagics) {
    size_t n = std::min(head.size(), m.bytes.size());
    bool prefix = true;
    for (size_t i = 0; i < n && prefix; ++i) prefix = byte_matches(m, i, head[i]);
    if (!prefix) continue;
    if (n == m.bytes.size()) {
      if (format != nullptr) *format = m.format;
      return CompressedVerdict::kCompressed;
    }
    undecided = true;
  }
  return undecided ? CompressedVerdict::kUndecided : CompressedVerdict::kPlain;
}

}  // namespace sluice
