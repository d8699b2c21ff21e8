#include "pipeline/sources/exec/exec_source_options.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sluice {
namespace {

namespace fs = std::filesystem;

/// A temporary directory holding fake executables.
class BinDir {
 public:
  BinDir() {
    path_ = fs::temp_directory_path() / ("sluice-exec-opts-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::create_directories(path_);
  }
  ~BinDir() { fs::remove_all(path_); }
  std::string add(const std::string& name, bool executable) {
    std::string p = (path_ / name).string();
    std::ofstream(p) << "#!/bin/sh\necho hi\n";
    ::chmod(p.c_str(), executable ? 0755 : 0644);
    return p;
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

ExecSourceOptions options(std::vector<std::string> command, std::vector<std::string> allowed) {
  ExecSourceOptions o = exec_source_option_table().defaults();
  o.command = std::move(command);
  o.allowed_commands = std::move(allowed);
  return o;
}

TEST(ResolveExecutable, SearchesPathInOrderSkippingNonExecutables) {
  BinDir a, b;
  a.add("tool", /*executable=*/false);
  std::string in_b = b.add("tool", true);
  auto r = resolve_executable("tool", a.str() + ":" + b.str());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(*r, in_b);
}

TEST(ResolveExecutable, RejectsRelativePathsAndReportsMisses) {
  auto rel = resolve_executable("./tool", "/usr/bin");
  EXPECT_EQ(rel.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(rel.status().message().find("relative path"), std::string::npos) << rel.status().message();
  auto miss = resolve_executable("no-such-tool-xyz", "/usr/bin:/bin");
  EXPECT_EQ(miss.status().code(), StatusCode::kNotFound);
  EXPECT_NE(miss.status().message().find("\"no-such-tool-xyz\""), std::string::npos);
  EXPECT_NE(miss.status().message().find("/usr/bin:/bin"), std::string::npos);
  // A relative PATH entry is never used, even if it would match.
  EXPECT_FALSE(resolve_executable("sh", "bin").ok());
}

TEST(ResolveExecutable, AbsolutePathMustBeExecutable) {
  BinDir d;
  std::string yes = d.add("yes", true), no = d.add("no", false);
  EXPECT_TRUE(resolve_executable(yes, "").ok());
  EXPECT_EQ(resolve_executable(no, "").status().code(), StatusCode::kNotFound);
}

TEST(ExecutableAllowed, ExactOrSameFileThroughSymlinks) {
  BinDir d;
  std::string real = d.add("real", true);
  std::string link = d.str() + "/link";
  fs::create_symlink(real, link);
  EXPECT_TRUE(executable_allowed(real, {real}));
  EXPECT_TRUE(executable_allowed(link, {real}));  // the link resolves to an allowed file
  EXPECT_TRUE(executable_allowed(real, {link}));  // the allowed entry is a link to it
  EXPECT_FALSE(executable_allowed(real, {d.str() + "/other"}));
  EXPECT_FALSE(executable_allowed(real, {}));
}

TEST(PrepareExecCommand, CommandOutsideTheAllowListIsAnErrorNamingIt) {
  BinDir d;
  std::string tool = d.add("tool", true);
  auto r = prepare_exec_command(options({"tool", "-x"}, {"/usr/bin/true"}), {"PATH=" + d.str()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "command \"tool\" resolves to " + tool + ", which is not in allowed_commands [\"/usr/bin/true\"]");
}

TEST(PrepareExecCommand, ResolvesAlongTheChildsPathAndBuildsTheEnvironment) {
  BinDir d;
  std::string tool = d.add("tool", true);
  ExecSourceOptions o = options({"tool", "a b"}, {tool});
  o.environment = {"PATH=" + d.str(), "LANG=C", "NEW=1"};
  auto r = prepare_exec_command(o, {"PATH=/nonexistent", "LANG=de_DE.UTF-8", "HOME=/root"});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->path, tool);
  EXPECT_EQ(r->argv, (std::vector<std::string>{"tool", "a b"}));
  EXPECT_EQ(r->env, (std::vector<std::string>{"PATH=" + d.str(), "LANG=C", "HOME=/root", "NEW=1"}));

  o.clear_environment = true;
  r = prepare_exec_command(o, {"HOME=/root"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->env, (std::vector<std::string>{"PATH=" + d.str(), "LANG=C", "NEW=1"}));
}

TEST(PrepareExecCommand, ClearedEnvironmentWithoutPathUsesTheDefaultPath) {
  ExecSourceOptions o = options({"sh", "-c", "true"}, {"/bin/sh", "/usr/bin/sh"});
  o.clear_environment = true;
  auto r = prepare_exec_command(o, {"PATH=/nonexistent"});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->path == "/usr/bin/sh" || r->path == "/bin/sh") << r->path;
  EXPECT_TRUE(r->env.empty());
}

TEST(PrepareExecCommand, RejectsBadOptionsNamingThem) {
  auto msg = [](ExecSourceOptions o) { return prepare_exec_command(o, {"PATH=/usr/bin:/bin"}).status().message(); };
  EXPECT_NE(msg(options({}, {"/bin/sh"})).find("command must name a program"), std::string::npos);
  EXPECT_NE(msg(options({"sh"}, {})).find("allowed_commands must list"), std::string::npos);
  EXPECT_NE(msg(options({"sh"}, {"sh"})).find("must be absolute paths, found \"sh\""), std::string::npos);
  ExecSourceOptions env = options({"sh"}, {"/bin/sh"});
  env.environment = {"NOEQUALS"};
  EXPECT_NE(msg(env).find("NAME=value, found \"NOEQUALS\""), std::string::npos);
  ExecSourceOptions wd = options({"sh"}, {"/bin/sh"});
  wd.working_directory = "tmp";
  EXPECT_NE(msg(wd).find("working_directory must be an absolute path"), std::string::npos);
}

TEST(ExecSourceOptionTable, DefaultsAndUnknownKeys) {
  ExecSourceOptions d = exec_source_option_table().defaults();
  EXPECT_EQ(d.interval, std::chrono::minutes(1));
  EXPECT_EQ(d.timeout, std::chrono::seconds(30));
  EXPECT_TRUE(d.include_stderr);
  EXPECT_EQ(d.max_output_bytes, 1024u * 1024u);

  toml::table t = toml::parse(R"(
command = ["df"]
allowed_commands = ["/usr/bin/df"]
intervall = "5s"
)");
  ExecSourceOptions o;
  Status st = exec_source_option_table().apply(t, &o, "sources.df", "sluice.toml");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("interval"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace sluice
