// Glob: the path patterns of the file source's `include` and `exclude`.
//
// Syntax, per '/'-separated component of an absolute path:
//   *        any run of characters except '/' (also matches a leading '.')
//   ?        one character except '/'
//   [abc]    one of the listed characters; ranges [a-z]; negation [!a] or [^a];
//            a ']' right after '[' (or '[!') is literal; an unclosed '[' is literal
//   \c       the character c, literally
//   **       as a whole component: zero or more directories ("/var/log/**/*.log"
//            matches /var/log/a.log and /var/log/x/y/a.log); inside a component
//            ("a**b") it is the same as '*'
// Empty components are ignored, so "/a//b" and "/a/b" are the same path.
//
// Matching is linear in the pattern and path sizes times a small factor (no
// backtracking blow-up), so untrusted patterns are safe (see glob_fuzz.cpp).
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

namespace glob_detail {
/// One compiled element of a pattern component: a literal byte, '?', '*'
/// or a bracket class (as a 256-bit set of accepted bytes).
struct Token {
  enum class Kind : uint8_t { kLiteral, kAny, kStar, kClass };
  Kind kind = Kind::kLiteral;
  unsigned char byte = 0;
  std::bitset<256> set;
};
/// Compiles one component (no '/').
std::vector<Token> compile_component(std::string_view pattern);
/// Whether `name` matches the compiled component.
bool match_tokens(const std::vector<Token>& tokens, std::string_view name);
}  // namespace glob_detail

/// A compiled glob pattern.
///
/// Owner: whoever compiled it (the file source keeps one per include and
/// exclude entry). Threads: immutable after construction; matches() and
/// expand() are const and may be called from any thread.
/// Invariant: components_ holds the pattern's non-empty components in order.
class Glob {
 public:
  /// Compiles `pattern`. Every string is a valid pattern; whether it is
  /// absolute is the caller's check (is_absolute()).
  explicit Glob(std::string_view pattern);

  const std::string& pattern() const { return pattern_; }
  /// True when the pattern starts with '/'.
  bool is_absolute() const { return !pattern_.empty() && pattern_.front() == '/'; }

  /// True when `path` (split on '/') matches the whole pattern.
  bool matches(std::string_view path) const;

  /// Appends to `out` the regular files (symlinks followed) that match,
  /// walking only the directories the pattern can reach: the walk starts at
  /// the longest literal directory prefix and enters a directory only while
  /// some pattern component can still match below it. Unreadable or missing
  /// directories are skipped silently (they may appear later). Directory
  /// cycles through symlinks are visited once. Paths are "/"-joined from the
  /// literal prefix and the entry names. When `dirs` is given, appends to
  /// it every directory in which a new entry could add a match (the ones
  /// walked, the parent of a fully literal pattern, or, when the literal
  /// prefix does not exist yet, its nearest existing ancestor): what a
  /// caller watches for changes.
  void expand(std::vector<std::string>* out, std::vector<std::string>* dirs = nullptr) const;

 private:
  /// One pattern component. `literal`: no wildcard, and `text` is the
  /// unescaped name; `double_star`: the component is exactly "**".
  struct Component {
    std::string text;
    std::vector<glob_detail::Token> tokens;
    bool literal = false;
    bool double_star = false;
  };

  /// Adds to `states` every index reachable by letting a `**` match nothing.
  void close_states(std::vector<size_t>* states) const;
  void walk(const std::string& dir, std::vector<size_t> states, std::set<std::pair<uint64_t, uint64_t>>* visited,
            std::vector<std::string>* out, std::vector<std::string>* dirs) const;

  std::string pattern_;
  std::vector<Component> components_;
};

/// Matches one path component `name` against one pattern component `pattern`
/// (*, ?, [..], \ escapes; no '/' handling). Exposed for tests and fuzzing.
bool glob_match_component(std::string_view pattern, std::string_view name);

/// Escapes every glob meta character of `text` with '\', so that
/// Glob(glob_escape(p)).matches(p) holds for every p.
std::string glob_escape(std::string_view text);

}  // namespace sluice
