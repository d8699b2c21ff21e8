// The host_metrics source: options, the collection thread, and one run
// against this machine's real /proc (which also prints what a collection
// costs).
#include "pipeline/sources/host_metrics/host_metrics_source.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <toml++/toml.h>

namespace sluice {
namespace {

namespace fs = std::filesystem;

Result<HostMetricsOptions> apply(std::string_view toml_text) {
  toml::table t = toml::parse(toml_text);
  HostMetricsOptions o;
  SLUICE_RETURN_IF_ERROR(host_metrics_option_table().apply(t, &o, "sources.host", "test.toml"));
  return o;
}

TEST(HostMetricsOptionsTest, Defaults) {
  auto o = apply("");
  ASSERT_TRUE(o.ok()) << o.status().to_string();
  EXPECT_EQ(o->interval, std::chrono::seconds(10));
  EXPECT_TRUE(o->collectors.empty());
  EXPECT_EQ(o->top_n, 5);
  EXPECT_EQ(o->max_command_line_bytes, 256u);
  EXPECT_EQ(o->proc_path, "/proc");
  EXPECT_EQ(o->sys_path, "/sys");
  EXPECT_EQ(o->root_path, "");
  EXPECT_FALSE(o->include_virtual_filesystems);
  auto c = host_collector_config("h", *o);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  for (size_t i = 0; i < kHostCollectorKinds; ++i) EXPECT_TRUE(c->collectors.has(static_cast<HostCollectorKind>(i)));
  EXPECT_GT(c->ticks_per_second, 0);
  EXPECT_EQ(c->resource.size(), 2u);
  EXPECT_EQ(c->resource[0].first, "host.name");
  EXPECT_EQ(c->resource[1], (KeyValues::value_type{"os.type", "linux"}));
}

TEST(HostMetricsOptionsTest, UnknownKeyNamesTheNearestOne) {
  auto o = apply("colectors = [\"cpu\"]\n");
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("collectors"), std::string::npos) << o.status().message();
}

TEST(HostMetricsOptionsTest, UnknownCollectorAndRelativePathsAreRejected) {
  auto o = apply("collectors = [\"cpu\", \"gpu\"]\n");
  ASSERT_TRUE(o.ok());
  auto c = make_host_metrics_source("h", *o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("\"gpu\""), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find("processes"), std::string::npos) << c.status().message();
  auto rel = apply("proc_path = \"proc\"\n");
  ASSERT_TRUE(rel.ok());
  auto r = make_host_metrics_source("h", *rel);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("proc_path"), std::string::npos) << r.status().message();
  auto bad_top = apply("top_n = 1000\n");
  EXPECT_FALSE(bad_top.ok());
}

/// Waits until `cond` holds or 30 s pass.
template <class F>
bool eventually(F cond) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

TEST(HostMetricsSourceTest, EmitsOneBatchOfSamplesPerCollection) {
  char tmpl[] = "/tmp/sluice_host_metrics_src_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string root = tmpl;
  fs::create_directories(root + "/proc");
  std::ofstream(root + "/proc/loadavg") << "1.00 2.00 3.00 1/1 1\n";
  HostMetricsOptions o = host_metrics_option_table().defaults();
  o.proc_path = root + "/proc";
  o.collectors = {"load"};
  o.interval = std::chrono::milliseconds(100);
  auto cfg = host_collector_config("h", o);
  ASSERT_TRUE(cfg.ok());
  HostMetricsSource src("h", o.interval, *cfg);
  std::mutex mu;
  std::vector<LogBatch> got;
  SourceContext ctx;
  ctx.emit = [&](LogBatch&& b) {
    std::lock_guard<std::mutex> l(mu);
    got.push_back(std::move(b));
    return Status::Ok();
  };
  ASSERT_TRUE(src.start(&ctx).ok());
  EXPECT_FALSE(src.start(&ctx).ok());  // already started
  EXPECT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> l(mu);
    return got.size() >= 2;
  }));
  src.stop();
  src.stop();  // idempotent
  std::lock_guard<std::mutex> l(mu);
  ASSERT_GE(got.size(), 2u);
  for (const auto& b : got) {
    EXPECT_TRUE(b.records.empty());
    ASSERT_EQ(b.samples.size(), 3u);
    EXPECT_EQ(b.samples[0].timestamp_ns, b.samples[2].timestamp_ns);
    EXPECT_EQ(b.samples[2].name, "system_cpu_load_average_15m");
    EXPECT_EQ(b.samples[2].value, 3.0);
  }
  EXPECT_LT(got[0].samples[0].timestamp_ns, got[1].samples[0].timestamp_ns);
  fs::remove_all(root);
}

TEST(HostMetricsSourceTest, StopsWhenEmitIsCancelled) {
  HostMetricsOptions o = host_metrics_option_table().defaults();
  o.collectors = {"load"};
  o.interval = std::chrono::milliseconds(100);
  HostMetricsSource src("h", o.interval, *host_collector_config("h", o));
  std::atomic<int> calls{0};
  SourceContext ctx;
  ctx.emit = [&](LogBatch&&) {
    ++calls;
    return Status::Cancelled("stopping");
  };
  ASSERT_TRUE(src.start(&ctx).ok());
  EXPECT_TRUE(eventually([&] { return calls.load() >= 1; }));
  src.stop();
  EXPECT_EQ(calls.load(), 1);  // the thread ended after the cancelled emit
}

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

TEST(HostMetricsRealHostTest, CollectsThisMachineAndReportsTheCost) {
  HostMetricsOptions o = host_metrics_option_table().defaults();
  auto cfg = host_collector_config("real", o);
  ASSERT_TRUE(cfg.ok());
  HostCollector c(*cfg);
  std::vector<MetricSample> s;
  auto steady = [] { return std::chrono::steady_clock::now().time_since_epoch().count(); };
  c.collect(1, steady(), &s);  // the first one has no utilizations
  constexpr int kRuns = 20;
  double cpu = 0;
  size_t samples = 0;
  for (int i = 0; i < kRuns; ++i) {
    s.clear();
    double t0 = thread_cpu_seconds();
    c.collect(2 + i, steady(), &s);
    cpu += thread_cpu_seconds() - t0;
    samples = s.size();
  }
  std::printf("[ host_metrics ] one collection (all collectors, top_n=5): %.3f ms CPU, %zu samples\n",
              cpu / kRuns * 1000, samples);
  // MemTotal exactly as /proc/meminfo says.
  std::ifstream mi("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  mi >> key >> kb;
  ASSERT_EQ(key, "MemTotal:");
  bool found = false;
  size_t cpus = 0, processes = 0;
  double process_count = 0;
  for (const auto& m : s) {
    if (m.name == "system_memory_limit_bytes") {
      found = true;
      EXPECT_EQ(m.value, static_cast<double>(kb) * 1024);
    }
    if (m.name == "system_cpu_time_seconds_total") ++cpus;
    if (m.name == "process_memory_usage_bytes") ++processes;
    if (m.name == "system_processes_count") process_count += m.value;
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(cpus, 8 * static_cast<size_t>(::sysconf(_SC_NPROCESSORS_ONLN)));
  EXPECT_GE(processes, 1u);
  EXPECT_GE(process_count, 1);
}

}  // namespace
}  // namespace sluice
