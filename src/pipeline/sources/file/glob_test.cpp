#include "pipeline/sources/file/glob.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace sluice {
namespace {

namespace fs = std::filesystem;

TEST(GlobComponent, Wildcards) {
  EXPECT_TRUE(glob_match_component("*.log", "app.log"));
  EXPECT_TRUE(glob_match_component("*.log", ".log"));
  EXPECT_FALSE(glob_match_component("*.log", "app.log.1"));
  EXPECT_TRUE(glob_match_component("*.log*", "app.log.1"));
  EXPECT_TRUE(glob_match_component("a?c", "abc"));
  EXPECT_FALSE(glob_match_component("a?c", "ac"));
  EXPECT_TRUE(glob_match_component("*", ""));
  EXPECT_TRUE(glob_match_component("", ""));
  EXPECT_FALSE(glob_match_component("", "a"));
  EXPECT_TRUE(glob_match_component("a*b*c", "aXXbYYbc"));
  EXPECT_FALSE(glob_match_component("a*b*c", "aXXbYYb"));
  EXPECT_TRUE(glob_match_component("**", "anything"));
}

TEST(GlobComponent, Classes) {
  EXPECT_TRUE(glob_match_component("[abc].log", "b.log"));
  EXPECT_FALSE(glob_match_component("[abc].log", "d.log"));
  EXPECT_TRUE(glob_match_component("app.[0-9]", "app.7"));
  EXPECT_FALSE(glob_match_component("app.[0-9]", "app.x"));
  EXPECT_TRUE(glob_match_component("[!a]x", "bx"));
  EXPECT_FALSE(glob_match_component("[!a]x", "ax"));
  EXPECT_TRUE(glob_match_component("[^a]x", "bx"));
  EXPECT_TRUE(glob_match_component("[]]", "]"));
  EXPECT_TRUE(glob_match_component("[a-]", "-"));
  // An unclosed '[' is a literal.
  EXPECT_TRUE(glob_match_component("a[b", "a[b"));
  EXPECT_FALSE(glob_match_component("a[b", "ab"));
}

TEST(GlobComponent, Escapes) {
  EXPECT_TRUE(glob_match_component("a\\*", "a*"));
  EXPECT_FALSE(glob_match_component("a\\*", "ab"));
  EXPECT_TRUE(glob_match_component("\\[x\\]", "[x]"));
  for (std::string s : {"a*b", "[x]", "q?", "back\\slash", "plain"}) {
    EXPECT_TRUE(Glob(glob_escape(s)).matches(s)) << s;
  }
}

TEST(GlobMatch, Paths) {
  Glob g("/var/log/*.log");
  EXPECT_TRUE(g.is_absolute());
  EXPECT_TRUE(g.matches("/var/log/syslog.log"));
  EXPECT_FALSE(g.matches("/var/log/nginx/access.log"));
  EXPECT_FALSE(g.matches("/var/log"));
  EXPECT_TRUE(g.matches("/var//log/x.log"));  // empty components are ignored
  EXPECT_FALSE(Glob("var/*.log").is_absolute());
}

TEST(GlobMatch, DoubleStar) {
  Glob g("/var/log/**/*.log");
  EXPECT_TRUE(g.matches("/var/log/a.log"));
  EXPECT_TRUE(g.matches("/var/log/x/a.log"));
  EXPECT_TRUE(g.matches("/var/log/x/y/z/a.log"));
  EXPECT_FALSE(g.matches("/var/log/x/y/z/a.txt"));
  EXPECT_FALSE(g.matches("/var/a.log"));

  Glob tail("/var/log/**");
  EXPECT_TRUE(tail.matches("/var/log/a"));
  EXPECT_TRUE(tail.matches("/var/log/a/b/c"));

  Glob mid("/a/**/b/**/c.log");
  EXPECT_TRUE(mid.matches("/a/b/c.log"));
  EXPECT_TRUE(mid.matches("/a/x/b/y/z/c.log"));
  EXPECT_FALSE(mid.matches("/a/x/c.log"));

  // "**" inside a component is a plain '*'.
  Glob inner("/a/x**y/f");
  EXPECT_TRUE(inner.matches("/a/xQQy/f"));
  EXPECT_FALSE(inner.matches("/a/x/q/y/f"));
}

TEST(GlobMatch, ManyStarsStayFast) {
  // Exponential backtracking would make this take ages.
  std::string pattern = "/" + std::string(30, '*') + "b";
  std::string path = "/" + std::string(5000, 'a');
  EXPECT_FALSE(Glob(pattern).matches(path));
  std::string deep = "/";
  for (int i = 0; i < 40; ++i) deep += "**/";
  deep += "x";
  std::string p2;
  for (int i = 0; i < 200; ++i) p2 += "/d";
  EXPECT_FALSE(Glob(deep).matches(p2));
  EXPECT_TRUE(Glob(deep).matches(p2 + "/x"));
}

class GlobExpandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice_glob_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  void touch(const std::string& rel) {
    fs::path p = fs::path(root_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "x\n";
  }
  std::vector<std::string> expand(const std::string& rel_pattern) {
    std::vector<std::string> out;
    Glob(root_ + "/" + rel_pattern).expand(&out);
    for (auto& p : out) p = p.substr(root_.size() + 1);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string root_;
};

TEST_F(GlobExpandTest, StarAndClass) {
  touch("a.log");
  touch("b.log");
  touch("c.txt");
  touch("sub/d.log");
  EXPECT_EQ(expand("*.log"), (std::vector<std::string>{"a.log", "b.log"}));
  EXPECT_EQ(expand("[ac].*"), (std::vector<std::string>{"a.log", "c.txt"}));
  EXPECT_EQ(expand("*/*.log"), (std::vector<std::string>{"sub/d.log"}));
  EXPECT_EQ(expand("a.log"), (std::vector<std::string>{"a.log"}));
  EXPECT_EQ(expand("missing.log"), (std::vector<std::string>{}));
  EXPECT_EQ(expand("nodir/*.log"), (std::vector<std::string>{}));
}

TEST_F(GlobExpandTest, DoubleStarWalksSubdirectories) {
  touch("top.log");
  touch("x/one.log");
  touch("x/y/two.log");
  touch("x/y/z/three.txt");
  touch("w/app/four.log");
  touch("w/other/five.log");
  EXPECT_EQ(expand("**/*.log"),
            (std::vector<std::string>{"top.log", "w/app/four.log", "w/other/five.log", "x/one.log", "x/y/two.log"}));
  EXPECT_EQ(expand("**/app/*.log"), (std::vector<std::string>{"w/app/four.log"}));
  EXPECT_EQ(expand("x/**"), (std::vector<std::string>{"x/one.log", "x/y/two.log", "x/y/z/three.txt"}));
  // Directories themselves are never returned.
  EXPECT_EQ(expand("*"), (std::vector<std::string>{"top.log"}));
}

TEST_F(GlobExpandTest, SymlinkCycleVisitedOnce) {
  touch("d/f.log");
  fs::create_directory_symlink(root_ + "/d", root_ + "/d/loop");
  auto got = expand("**/*.log");
  EXPECT_EQ(got, (std::vector<std::string>{"d/f.log"}));
}

TEST_F(GlobExpandTest, ReportsTheDirectoriesToWatch) {
  touch("x/one.log");
  touch("x/y/two.log");
  touch("skip/three.txt");
  auto dirs_of = [&](const std::string& rel_pattern) {
    std::vector<std::string> out, dirs;
    Glob(root_ + "/" + rel_pattern).expand(&out, &dirs);
    for (auto& d : dirs) d = d == root_ ? "." : d.substr(root_.size() + 1);
    std::sort(dirs.begin(), dirs.end());
    return dirs;
  };
  EXPECT_EQ(dirs_of("x/*.log"), (std::vector<std::string>{"x"}));
  EXPECT_EQ(dirs_of("**/*.log"), (std::vector<std::string>{".", "skip", "x", "x/y"}));
  EXPECT_EQ(dirs_of("x/one.log"), (std::vector<std::string>{"x"}));
  // A directory that does not exist yet: its nearest existing ancestor, so
  // that its creation is noticed.
  EXPECT_EQ(dirs_of("later/deeper/*.log"), (std::vector<std::string>{"."}));
  EXPECT_EQ(dirs_of("x/later/a.log"), (std::vector<std::string>{"x"}));
}

}  // namespace
}  // namespace sluice
