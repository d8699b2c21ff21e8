// libFuzzer target for the file source's glob matcher (untrusted: patterns
// come from config files and, later, from API requests).
//
// Input: pattern, a '\n', then a path (no '\n': the whole input is both).
// Checks that matching terminates without crashing and two properties:
//   - an escaped path matches itself as a pattern;
//   - a pattern with no meta characters matches exactly the equal path
//     (up to empty components).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/sources/file/glob.hpp"

namespace {

bool has_meta(std::string_view s) { return s.find_first_of("*?[\\") != std::string_view::npos; }

std::string normalize(std::string_view p) {
  std::string out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) {
      out += '/';
      out += p.substr(i, j - i);
    }
    i = j + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view pattern = nl == std::string_view::npos ? in : in.substr(0, nl);
  std::string_view path = nl == std::string_view::npos ? in : in.substr(nl + 1);

  sluice::Glob g(pattern);
  bool m = g.matches(path);
  (void)sluice::glob_match_component(pattern, path);

  if (!sluice::Glob(sluice::glob_escape(path)).matches(path)) __builtin_trap();
  if (!has_meta(pattern) && m != (normalize(pattern) == normalize(path))) __builtin_trap();
  return 0;
}
