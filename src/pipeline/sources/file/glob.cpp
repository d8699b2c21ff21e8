#include "pipeline/sources/file/glob.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>

namespace sluice {

namespace glob_detail {

std::vector<Token> compile_component(std::string_view p) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    Token t;
    if (c == '*') {
      t.kind = Token::Kind::kStar;
      // Consecutive stars are one star.
      if (out.empty() || out.back().kind != Token::Kind::kStar) out.push_back(t);
      ++i;
      continue;
    }
    if (c == '?') {
      t.kind = Token::Kind::kAny;
      out.push_back(t);
      ++i;
      continue;
    }
    if (c == '\\' && i + 1 < p.size()) {
      t.byte = static_cast<unsigned char>(p[i + 1]);
      out.push_back(t);
      i += 2;
      continue;
    }
    if (c == '[') {
      // Parse a bracket class; on a missing ']' the '[' is a literal.
      size_t j = i + 1;
      bool negate = false;
      if (j < p.size() && (p[j] == '!' || p[j] == '^')) {
        negate = true;
        ++j;
      }
      std::bitset<256> set;
      bool first = true;
      bool closed = false;
      while (j < p.size()) {
        unsigned char lo = static_cast<unsigned char>(p[j]);
        if (lo == ']' && !first) {
          closed = true;
          break;
        }
        first = false;
        if (lo == '\\' && j + 1 < p.size()) {
          ++j;
          lo = static_cast<unsigned char>(p[j]);
        }
        ++j;
        if (j + 1 < p.size() && p[j] == '-' && p[j + 1] != ']') {
          size_t k = j + 1;
          if (p[k] == '\\' && k + 1 < p.size()) ++k;
          unsigned char hi = static_cast<unsigned char>(p[k]);
          for (unsigned v = lo; v <= hi; ++v) set.set(v);
          j = k + 1;
        } else {
          set.set(lo);
        }
      }
      if (closed) {
        if (negate) set.flip();
        set.reset('/');
        t.kind = Token::Kind::kClass;
        t.set = set;
        out.push_back(t);
        i = j + 1;
        continue;
      }
      // Unclosed: fall through to a literal '['.
    }
    t.byte = static_cast<unsigned char>(c);
    out.push_back(t);
    ++i;
  }
  return out;
}

namespace {
bool token_accepts(const Token& t, unsigned char c) {
  switch (t.kind) {
    case Token::Kind::kLiteral:
      return t.byte == c;
    case Token::Kind::kAny:
      return c != '/';
    case Token::Kind::kClass:
      return t.set.test(c);
    case Token::Kind::kStar:
      return false;
  }
  return false;
}
}  // namespace

bool match_tokens(const std::vector<Token>& tokens, std::string_view name) {
  // Classic single-backtrack wildcard match: every non-star token consumes
  // exactly one byte, so returning to the most recent star is enough.
  // Worst case O(|tokens| * |name|), never exponential.
  size_t p = 0, s = 0;
  size_t star_p = SIZE_MAX, star_s = 0;
  const size_t m = tokens.size(), n = name.size();
  while (s < n) {
    unsigned char c = static_cast<unsigned char>(name[s]);
    if (p < m && tokens[p].kind != Token::Kind::kStar && token_accepts(tokens[p], c)) {
      ++p;
      ++s;
    } else if (p < m && tokens[p].kind == Token::Kind::kStar) {
      star_p = p++;
      star_s = s;
    } else if (star_p != SIZE_MAX && c != '/') {
      p = star_p + 1;
      s = ++star_s;
    } else {
      return false;
    }
  }
  while (p < m && tokens[p].kind == Token::Kind::kStar) ++p;
  return p == m;
}

}  // namespace glob_detail

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

std::string join_path(const std::string& dir, std::string_view name) {
  std::string out = dir;
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

/// Closes a DIR* on scope exit.
struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

}  // namespace

Glob::Glob(std::string_view pattern) : pattern_(pattern) {
  for (std::string_view part : split_path(pattern)) {
    Component c;
    c.double_star = part == "**";
    c.tokens = glob_detail::compile_component(part);
    c.literal = std::all_of(c.tokens.begin(), c.tokens.end(),
                            [](const glob_detail::Token& t) { return t.kind == glob_detail::Token::Kind::kLiteral; });
    if (c.literal) {
      for (const auto& t : c.tokens) c.text += static_cast<char>(t.byte);
    } else {
      c.text = std::string(part);
    }
    components_.push_back(std::move(c));
  }
}

void Glob::close_states(std::vector<size_t>* states) const {
  // States are few (at most one per component); keep them sorted, unique.
  for (size_t i = 0; i < states->size(); ++i) {
    size_t s = (*states)[i];
    if (s < components_.size() && components_[s].double_star &&
        std::find(states->begin(), states->end(), s + 1) == states->end()) {
      states->push_back(s + 1);
    }
  }
  std::sort(states->begin(), states->end());
}

bool Glob::matches(std::string_view path) const {
  const size_t n = components_.size();
  std::vector<size_t> states{0};
  close_states(&states);
  std::vector<size_t> next;
  for (std::string_view name : split_path(path)) {
    next.clear();
    for (size_t s : states) {
      if (s >= n) continue;
      const Component& c = components_[s];
      size_t to = SIZE_MAX;
      if (c.double_star) {
        to = s;
      } else if (c.literal ? c.text == name : glob_detail::match_tokens(c.tokens, name)) {
        to = s + 1;
      }
      if (to != SIZE_MAX && std::find(next.begin(), next.end(), to) == next.end()) next.push_back(to);
    }
    if (next.empty()) return false;
    states.swap(next);
    close_states(&states);
  }
  return std::find(states.begin(), states.end(), n) != states.end();
}

namespace {
/// `dir` itself when it is a directory, else its nearest existing ancestor.
std::string nearest_existing_dir(std::string dir) {
  for (;;) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return dir;
    size_t slash = dir.rfind('/');
    if (slash == std::string::npos || dir == "/") return "/";
    dir = slash == 0 ? "/" : dir.substr(0, slash);
  }
}
}  // namespace

void Glob::expand(std::vector<std::string>* out, std::vector<std::string>* dirs) const {
  const size_t n = components_.size();
  if (n == 0) return;
  size_t k = 0;
  while (k < n && components_[k].literal) ++k;
  std::string dir = is_absolute() ? "/" : ".";
  if (k == n) {
    // Fully literal: one stat, no listing.
    std::string path = dir;
    for (size_t i = 0; i + 1 < n; ++i) path = join_path(path, components_[i].text);
    if (dirs != nullptr) dirs->push_back(nearest_existing_dir(path));
    path = join_path(path, components_[n - 1].text);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) out->push_back(path);
    return;
  }
  for (size_t i = 0; i < k; ++i) dir = join_path(dir, components_[i].text);
  std::set<std::pair<uint64_t, uint64_t>> visited;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    if (dirs != nullptr) dirs->push_back(nearest_existing_dir(dir));
    return;
  }
  visited.emplace(st.st_dev, st.st_ino);
  walk(dir, {k}, &visited, out, dirs);
}

void Glob::walk(const std::string& dir, std::vector<size_t> states, std::set<std::pair<uint64_t, uint64_t>>* visited,
                std::vector<std::string>* out, std::vector<std::string>* dirs) const {
  const size_t n = components_.size();
  close_states(&states);

  // When every live state is a literal name, look those names up directly
  // instead of listing a possibly huge directory.
  bool all_literal = true;
  for (size_t s : states) {
    if (s < n && !components_[s].literal) all_literal = false;
  }
  std::vector<std::pair<std::string, unsigned char>> entries;  // name, d_type
  if (all_literal) {
    if (dirs != nullptr) dirs->push_back(dir);
    for (size_t s : states) {
      if (s < n) entries.emplace_back(components_[s].text, DT_UNKNOWN);
    }
  } else {
    std::unique_ptr<DIR, DirCloser> d(::opendir(dir.c_str()));
    if (!d) return;
    if (dirs != nullptr) dirs->push_back(dir);
    while (struct dirent* e = ::readdir(d.get())) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      entries.emplace_back(std::string(name), e->d_type);
    }
  }

  std::vector<size_t> next;
  for (const auto& [name, type] : entries) {
    next.clear();
    for (size_t s : states) {
      if (s >= n) continue;
      const Component& c = components_[s];
      size_t to = SIZE_MAX;
      if (c.double_star) {
        to = s;
      } else if (c.literal ? c.text == name : glob_detail::match_tokens(c.tokens, name)) {
        to = s + 1;
      }
      if (to != SIZE_MAX && std::find(next.begin(), next.end(), to) == next.end()) next.push_back(to);
    }
    if (next.empty()) continue;
    std::vector<size_t> closed = next;
    close_states(&closed);
    bool may_be_file = std::find(closed.begin(), closed.end(), n) != closed.end();
    bool may_be_dir = std::any_of(next.begin(), next.end(), [n](size_t s) { return s < n; });
    if (type == DT_REG && !may_be_file) continue;
    if (type == DT_DIR && !may_be_dir) continue;

    std::string path = join_path(dir, name);
    if (type == DT_REG) {
      out->push_back(std::move(path));
      continue;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;  // vanished, dangling link, no permission
    if (S_ISREG(st.st_mode)) {
      if (may_be_file) out->push_back(path);
    } else if (S_ISDIR(st.st_mode) && may_be_dir) {
      if (!visited->emplace(st.st_dev, st.st_ino).second) continue;
      walk(path, next, visited, out, dirs);
    }
  }
}

bool glob_match_component(std::string_view pattern, std::string_view name) {
  return glob_detail::match_tokens(glob_detail::compile_component(pattern), name);
}

std::string glob_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace sluice
