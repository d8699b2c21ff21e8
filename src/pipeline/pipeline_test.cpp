// The running Pipeline with real components (file source, route and set
// transforms, file sinks): named outputs and reloads under load.
#include "pipeline/pipeline.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/metrics.hpp"
#include "pipeline/checkpoints.hpp"
#include "pipeline/sinks/buffer/disk_buffer.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice-pipeline-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "state");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  ConfigFile config(const std::string& body) {
    auto cf = parse_config(body, path("sluice.toml"));
    EXPECT_TRUE(cf.ok()) << cf.status().to_string();
    return std::move(cf).value();
  }

  std::unique_ptr<Pipeline> start(const ConfigFile& cf) {
    PipelineContext ctx;
    ctx.state_dir = path("state");
    auto p = Pipeline::build(cf, ctx);
    EXPECT_TRUE(p.ok()) << p.status().to_string();
    if (!p.ok()) return nullptr;
    EXPECT_TRUE((*p)->start().ok());
    return std::move(p).value();
  }

  void append(const std::string& name, int from, int to) {
    std::ofstream f(path(name), std::ios::app);
    for (int i = from; i < to; ++i) f << "line " << i << (i % 3 == 0 ? " ERROR" : "") << "\n";
  }

  static std::vector<std::string> lines_of(const std::string& file) {
    std::vector<std::string> out;
    std::ifstream f(file);
    for (std::string l; std::getline(f, l);) out.push_back(l);
    return out;
  }

  // Waits up to 30 s for `file` to have `n` lines.
  static bool wait_lines(const std::string& file, size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (lines_of(file).size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  fs::path dir_;
};

TEST_F(PipelineTest, RouteSendsEachOutputToItsConsumers) {
  ConfigFile cf = config(R"(
[sources.app]
type = "file"
include = [")" + path("app.log") +
                         R"("]
[transforms.split]
type = "route"
inputs = ["app"]
route.errors = 'body =~ "ERROR"'
route.all = 'true'
[sinks.errors]
type = "file"
inputs = ["split.errors"]
encoding = "text"
path = ")" + path("errors.out") +
                         R"("
[sinks.rest]
type = "file"
inputs = ["split._unmatched", "split.all"]
encoding = "text"
path = ")" + path("rest.out") +
                         R"("
)");
  append("app.log", 0, 30);
  auto p = start(cf);
  ASSERT_TRUE(p);
  ASSERT_TRUE(wait_lines(path("errors.out"), 10));
  ASSERT_TRUE(wait_lines(path("rest.out"), 30));
  p->stop();
  EXPECT_EQ(lines_of(path("errors.out")).size(), 10u);
  EXPECT_EQ(lines_of(path("rest.out")).size(), 30u);  // none is unmatched: `all` takes every line
  // `rest` is reached by two outputs, each with positions of its own
  // (path_positions.hpp); `errors`, by one, keeps the file's key.
  auto rest = Checkpoints::open(Env::posix(), path("state") + "/checkpoints/rest.json");
  ASSERT_TRUE(rest.ok());
  std::set<std::string> suffixes;
  for (const auto& [k, offset] : (*rest)->positions("app")) suffixes.insert(k.substr(k.find('#')));
  EXPECT_EQ(suffixes, (std::set<std::string>{"#via:split._unmatched", "#via:split.all"}));
  auto errors = Checkpoints::open(Env::posix(), path("state") + "/checkpoints/errors.json");
  ASSERT_TRUE(errors.ok());
  for (const auto& [k, offset] : (*errors)->positions("app")) EXPECT_EQ(k.find('#'), std::string::npos) << k;
  // Both sinks committed the source's positions, so a restart reads nothing again.
  auto again = start(cf);
  append("app.log", 30, 33);
  ASSERT_TRUE(wait_lines(path("rest.out"), 33));
  again->stop();
  EXPECT_EQ(lines_of(path("errors.out")).size(), 11u);
  EXPECT_EQ(lines_of(path("rest.out")).size(), 33u);
}

// A sink that a source reaches by two paths commits each copy's positions
// apart (path_positions.hpp), and the source resumes from the copy that is
// behind: committing the first copy's positions would skip the second's
// records after a crash between the two.
TEST_F(PipelineTest, ASinkReachedByTwoPathsCommitsEachPathApart) {
  ConfigFile cf = config(R"(
[sources.app]
type = "file"
include = [")" + path("app.log") +
                         R"("]
[transforms.a]
type = "set"
inputs = ["app"]
fields = { "attributes.path" = "a" }
[transforms.b]
type = "set"
inputs = ["app"]
fields = { "attributes.path" = "b" }
[sinks.out]
type = "file"
inputs = ["a", "b"]
path = ")" + path("out.ndjson") +
                         R"("
[sinks.only_a]
type = "file"
inputs = ["a"]
path = ")" + path("only_a.ndjson") +
                         R"("
)");
  append("app.log", 0, 10);
  const uint64_t size10 = fs::file_size(path("app.log"));
  append("app.log", 10, 20);
  const uint64_t size20 = fs::file_size(path("app.log"));
  auto p = start(cf);
  ASSERT_TRUE(p);
  ASSERT_TRUE(wait_lines(path("out.ndjson"), 40));
  ASSERT_TRUE(wait_lines(path("only_a.ndjson"), 20));
  p->stop();
  auto count = [&](const std::string& file, const std::string& via) {
    size_t n = 0;
    for (const auto& l : lines_of(file)) n += l.find("\"path\":\"" + via + "\"") != std::string::npos;
    return n;
  };
  EXPECT_EQ(count(path("out.ndjson"), "a"), 20u);
  EXPECT_EQ(count(path("out.ndjson"), "b"), 20u);
  // `out` holds one position per path. The outputs of `app` meet again, so
  // its edges are marked; those of `a` do not (only_a's copies keep the
  // mark of the edge they took from `app`).
  const std::string cp_dir = path("state") + "/checkpoints";
  std::string key;
  {
    auto out = Checkpoints::open(Env::posix(), cp_dir + "/out.json");
    ASSERT_TRUE(out.ok());
    auto positions = (*out)->positions("app");
    ASSERT_EQ(positions.size(), 2u);
    for (const auto& [k, offset] : positions) {
      EXPECT_EQ(offset, size20) << k;
      key = k.substr(0, k.find("#via:"));
    }
    EXPECT_EQ(positions.count(key + "#via:app>a"), 1u);
    EXPECT_EQ(positions.count(key + "#via:app>b"), 1u);
    auto only_a = Checkpoints::open(Env::posix(), cp_dir + "/only_a.json");
    ASSERT_TRUE(only_a.ok());
    EXPECT_EQ((*only_a)->positions("app"), (std::unordered_map<std::string, uint64_t>{{key + "#via:app>a", size20}}));
    // As a crash after the copy through `a` and before the one through `b`
    // of lines 10..19 leaves it.
    ASSERT_TRUE((*out)->commit({{"app", key + "#via:app>b", size10, ""}}).ok());
  }
  auto again = start(cf);
  ASSERT_TRUE(again);
  ASSERT_TRUE(wait_lines(path("out.ndjson"), 50));
  append("app.log", 20, 21);
  ASSERT_TRUE(wait_lines(path("out.ndjson"), 52));
  again->stop();
  // The source reads lines 10..19 again: their copies through `b` are
  // written, those through `a` (which `out` had) are skipped; then line 20
  // once per path. only_a skips them too.
  const auto out = lines_of(path("out.ndjson"));
  ASSERT_EQ(out.size(), 52u);
  for (size_t i = 40; i < 50; ++i) {
    EXPECT_NE(out[i].find("line " + std::to_string(i - 30)), std::string::npos) << out[i];
    EXPECT_NE(out[i].find("\"path\":\"b\""), std::string::npos) << out[i];
  }
  EXPECT_EQ(count(path("out.ndjson"), "a"), 21u);
  EXPECT_EQ(count(path("out.ndjson"), "b"), 31u);
  EXPECT_EQ(lines_of(path("only_a.ndjson")).size(), 21u);
}

// A transform that holds records (multiline) may send a held batch's
// positions with records that later lines completed: a sink behind it that
// was ahead gets what is read again (twice, never skipped with those).
TEST_F(PipelineTest, WhatAHoldingTransformSendsIsNeverSkipped) {
  ConfigFile cf = config(R"(
[sources.app]
type = "file"
include = [")" + path("app.log") +
                         R"("]
[transforms.join]
type = "multiline"
inputs = ["app"]
start_pattern = '^line'
timeout = "50ms"
[sinks.joined]
type = "file"
inputs = ["join"]
encoding = "text"
path = ")" + path("joined.out") +
                         R"("
[sinks.plain]
type = "file"
inputs = ["app"]
encoding = "text"
path = ")" + path("plain.out") +
                         R"("
)");
  append("app.log", 0, 10);
  const uint64_t size10 = fs::file_size(path("app.log"));
  append("app.log", 10, 20);
  auto p = start(cf);
  ASSERT_TRUE(p);
  ASSERT_TRUE(wait_lines(path("joined.out"), 20));
  ASSERT_TRUE(wait_lines(path("plain.out"), 20));
  p->stop();
  {
    // As a crash after `joined` wrote lines 10..19 and before `plain` did.
    auto plain = Checkpoints::open(Env::posix(), path("state") + "/checkpoints/plain.json");
    ASSERT_TRUE(plain.ok());
    auto positions = (*plain)->positions("app");
    ASSERT_EQ(positions.size(), 1u);
    ASSERT_TRUE((*plain)->commit({{"app", positions.begin()->first, size10, ""}}).ok());
  }
  auto again = start(cf);
  ASSERT_TRUE(again);
  append("app.log", 20, 21);
  ASSERT_TRUE(wait_lines(path("plain.out"), 31));
  ASSERT_TRUE(wait_lines(path("joined.out"), 31));
  again->stop();
  EXPECT_EQ(lines_of(path("plain.out")).size(), 31u);
  EXPECT_EQ(lines_of(path("joined.out")).size(), 31u);
  EXPECT_EQ(lines_of(path("joined.out"))[20], "line 10");
}

// Building a checkpointed sink settles its checkpoint before any source
// reads it: a disk buffer's batches past the checkpoint's buffer.appended
// entry are written to it; a sink without a buffer loses such an entry.
TEST_F(PipelineTest, BuildingASinkSettlesItsCheckpointWithItsDiskBuffer) {
  const std::string cp_dir = path("state") + "/checkpoints";
  std::vector<uint64_t> seqs;
  {
    DiskBufferConfig bc;
    bc.dir = path("state") + "/buffers/shipped";
    auto b = DiskBuffer::open(Env::posix(), bc);
    ASSERT_TRUE(b.ok()) << b.status().to_string();
    for (uint64_t offset : {20, 30}) {
      LogBatch batch;
      batch.records.emplace_back().body = "x";
      batch.positions = {{"app", "k", offset, path("a.log")}};
      auto seq = (*b)->append(batch, std::chrono::nanoseconds(0));
      ASSERT_TRUE(seq.ok()) << seq.status().to_string();
      seqs.push_back(*seq);
    }
  }
  {
    // The checkpoints as a crash after the first append's checkpoint and
    // before the second's left them; and a file sink's, from a time it had
    // a disk buffer.
    auto shipped = Checkpoints::open(Env::posix(), cp_dir + "/shipped.json");
    ASSERT_TRUE(shipped.ok());
    ASSERT_TRUE((*shipped)->commit({{"app", "k", 20, ""}, {"shipped", "buffer.appended", seqs[0], ""}}).ok());
    auto out = Checkpoints::open(Env::posix(), cp_dir + "/out.json");
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE((*out)->commit({{"app", "k", 20, ""}, {"out", "buffer.appended", 3, ""}}).ok());
  }
  auto cf = config("[sources.app]\ntype = \"file\"\ninclude = [\"" + path("a.log") +
                   "\"]\n"
                   "[sinks.shipped]\ntype = \"http\"\ninputs = [\"app\"]\nendpoint = \"http://127.0.0.1:9\"\n"
                   "buffer.type = \"disk\"\n"
                   "[sinks.out]\ntype = \"file\"\ninputs = [\"app\"]\npath = \"" +
                   path("out.txt") + "\"\n");
  PipelineContext ctx;
  ctx.state_dir = path("state");
  auto p = Pipeline::build(cf, ctx);
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  auto shipped = Checkpoints::open(Env::posix(), cp_dir + "/shipped.json");
  ASSERT_TRUE(shipped.ok());
  EXPECT_EQ((*shipped)->positions("app"), (std::unordered_map<std::string, uint64_t>{{"k", 30}}));
  EXPECT_EQ((*shipped)->positions("shipped"),
            (std::unordered_map<std::string, uint64_t>{{"buffer.appended", seqs[1]}}));
  auto out = Checkpoints::open(Env::posix(), cp_dir + "/out.json");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)->positions("app"), (std::unordered_map<std::string, uint64_t>{{"k", 20}}));
  EXPECT_TRUE((*out)->positions("out").empty());
}

TEST_F(PipelineTest, BuildRejectsUnknownOutputs) {
  ConfigFile cf = config(R"(
[sources.app]
type = "file"
include = ["/x"]
[transforms.split]
type = "route"
inputs = ["app"]
route.errors = 'body =~ "ERROR"'
[sinks.out]
type = "stdout"
inputs = ["split.eror"]
)");
  auto p = Pipeline::build(cf, PipelineContext{});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("sinks.out.inputs: \"split.eror\": transforms.split has no output \"eror\"; "
                                      "did you mean \"split.errors\"?"),
            std::string::npos)
      << p.status().message();
}

std::string tagged_config(const std::string& dir, const std::string& tag, bool with_copy) {
  std::string text = R"(
[sources.app]
type = "file"
include = [")" + dir +
                     R"(/app.log"]
poll_interval = "5ms"
[transforms.tag]
type = "set"
inputs = ["app"]
fields = { "attributes.tag" = ")" +
                     tag + R"(" }
[sinks.out]
type = "file"
inputs = ["tag"]
path = ")" + dir + R"(/out.ndjson"
fsync = false
)";
  if (with_copy) {
    text += R"(
[sinks.copy]
type = "file"
inputs = ["tag"]
encoding = "text"
path = ")" + dir +
            R"(/copy.out"
fsync = false
)";
  }
  return text;
}

TEST_F(PipelineTest, ReloadUnderLoadLosesAndRepeatsNothing) {
  ConfigFile first = config(tagged_config(dir_.string(), "v1", false));
  auto p = start(first);
  ASSERT_TRUE(p);
  std::atomic<int> written{0};
  std::atomic<bool> done{false};
  std::thread writer([&] {
    while (!done) {
      int i = written.load();
      append("app.log", i, i + 7);
      written = i + 7;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  int last_reload_at = 0;
  for (int round = 0; round < 6; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    ConfigFile next = config(tagged_config(dir_.string(), "v" + std::to_string(round + 2), round % 2 == 0));
    auto st = p->reload(next);
    ASSERT_TRUE(st.ok()) << st.status().to_string();
    last_reload_at = written.load() + 7;  // the writer may be amid a group of 7 lines
    first = std::move(next);              // the running config stays alive as in `sluice run`
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  done = true;
  writer.join();
  const int total = written.load();
  ASSERT_TRUE(wait_lines(path("out.ndjson"), static_cast<size_t>(total)));
  p->stop();
  std::map<int, int> seen;
  int after_reload_untagged = 0;
  for (const auto& l : lines_of(path("out.ndjson"))) {
    auto at = l.find("\"body\":\"line ");
    ASSERT_NE(at, std::string::npos) << l;
    int i = std::stoi(l.substr(at + 13));
    seen[i]++;
    if (i >= last_reload_at && l.find("\"tag\":\"v7\"") == std::string::npos) ++after_reload_untagged;
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(total));
  for (const auto& [i, n] : seen) EXPECT_EQ(n, 1) << "line " << i;
  EXPECT_EQ(after_reload_untagged, 0);
}

// Each round swaps the order of two transforms behind a route that stays,
// and every other round replaces the source too (a new poll_interval), so
// the kept route sits between replaced components: the replaced source
// resumes from what the sink committed; nothing is lost or repeated.
std::string reordered_config(const std::string& dir, int round) {
  const bool odd = round % 2 == 1;
  return R"(
[sources.app]
type = "file"
include = [")" +
         dir + R"(/app.log"]
poll_interval = ")" +
         std::to_string(5 + (round + 1) / 2) + R"(ms"
[transforms.split]
type = "route"
inputs = ["app"]
route.errors = 'body =~ "ERROR"'
[transforms.first]
type = "set"
inputs = [")" +
         (odd ? "second" : "split._unmatched") + R"("]
fields = { "attributes.first" = "r)" +
         std::to_string(round) + R"(" }
[transforms.second]
type = "set"
inputs = [")" +
         (odd ? "split._unmatched" : "first") + R"("]
fields = { "attributes.second" = "r)" +
         std::to_string(round) + R"(" }
[sinks.out]
type = "file"
inputs = [")" +
         (odd ? "first" : "second") + R"(", "split.errors"]
path = ")" +
         dir + R"(/out.ndjson"
fsync = false
)";
}

TEST_F(PipelineTest, ReloadReplacingTheSourceAndReorderingTransforms) {
  ConfigFile running = config(reordered_config(dir_.string(), 0));
  auto p = start(running);
  ASSERT_TRUE(p);
  std::atomic<int> written{0};
  std::atomic<bool> done{false};
  std::thread writer([&] {
    while (!done) {
      int i = written.load();
      append("app.log", i, i + 5);
      written = i + 5;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  for (int round = 1; round <= 6; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    ConfigFile next = config(reordered_config(dir_.string(), round));
    auto st = p->reload(next);
    ASSERT_TRUE(st.ok()) << st.status().to_string();
    EXPECT_EQ(*st, round % 2 == 1 ? "4 changed (sources.app, transforms.first, transforms.second, sinks.out), 0 added, "
                                    "0 removed, 1 kept"
                                  : "3 changed (transforms.first, transforms.second, sinks.out), 0 added, 0 removed, "
                                    "2 kept");
    running = std::move(next);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(25));
  done = true;
  writer.join();
  const int total = written.load();
  ASSERT_TRUE(wait_lines(path("out.ndjson"), static_cast<size_t>(total)));
  p->stop();
  std::map<int, int> seen;
  for (const auto& l : lines_of(path("out.ndjson"))) {
    auto at = l.find("\"body\":\"line ");
    ASSERT_NE(at, std::string::npos) << l;
    seen[std::stoi(l.substr(at + 13))]++;
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(total));
  for (const auto& [i, n] : seen) EXPECT_EQ(n, 1) << "line " << i;
}

TEST_F(PipelineTest, ABadReloadChangesNothing) {
  ConfigFile first = config(tagged_config(dir_.string(), "v1", false));
  auto p = start(first);
  ASSERT_TRUE(p);
  std::string bad = tagged_config(dir_.string(), "v2", false);
  bad.replace(bad.find("inputs = [\"tag\"]"), 16, "inputs = [\"tga\"]");
  Status st = p->reload(config(bad)).status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("unknown component \"tga\"; did you mean \"tag\"?"), std::string::npos) << st.message();
  append("app.log", 0, 5);
  ASSERT_TRUE(wait_lines(path("out.ndjson"), 5));
  p->stop();
  EXPECT_NE(lines_of(path("out.ndjson"))[0].find("\"tag\":\"v1\""), std::string::npos);
}

TEST_F(PipelineTest, RemovedComponentsLoseTheirMetricSeries) {
  ConfigFile first = config(tagged_config(dir_.string(), "v1", true));
  auto p = start(first);
  ASSERT_TRUE(p);
  auto has_copy = [] { return MetricsRegistry::global().render().find("component=\"copy\"") != std::string::npos; };
  EXPECT_TRUE(has_copy());
  ConfigFile second = config(tagged_config(dir_.string(), "v1", false));
  auto r = p->reload(second);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(*r, "0 changed, 0 added, 1 removed (sinks.copy), 3 kept");
  EXPECT_FALSE(has_copy());
  append("app.log", 0, 3);
  ASSERT_TRUE(wait_lines(path("out.ndjson"), 3));
  p->stop();
}

}  // namespace
}  // namespace sluice
