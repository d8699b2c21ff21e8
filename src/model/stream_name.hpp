// Stream names (ARCHITECTURE.md "Data model"): `[a-z0-9_.-]{1,64}`, so that a
// stream is also a plain SQL table name and a directory name ("." and ".."
// are refused: they name directories that are not the stream's).
#pragma once

#include <algorithm>
#include <string_view>

namespace sluice {

/// True when `name` matches [a-z0-9_.-]{1,64} and is not "." or "..".
inline bool valid_stream_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

}  // namespace sluice
