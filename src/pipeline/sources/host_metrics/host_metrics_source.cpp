#include "pipeline/sources/host_metrics/host_metrics_source.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>

#include <spdlog/spdlog.h>

namespace sluice {

namespace {

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double thread_cpu_seconds() {
  timespec ts{};
  if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

Status check_path(const char* option, const std::string& path, bool may_be_empty) {
  if (path.empty() && may_be_empty) return Status::Ok();
  if (path.empty() || path.front() != '/') {
    return Status::InvalidArgument(std::string(option) + " must be an absolute path, found \"" + path + "\"");
  }
  return Status::Ok();
}

std::string without_trailing_slash(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

HostMetricsSource::HostMetricsSource(std::string name, std::chrono::nanoseconds interval, HostCollectorConfig config)
    : name_(std::move(name)), interval_(interval), collector_(std::move(config)) {
  auto& m = MetricsRegistry::global();
  collections_total_ =
      &m.counter("sluice_host_metrics_collections_total", "Collections of host metrics done.", {{"component", name_}});
  collection_cpu_seconds_ = &m.gauge("sluice_host_metrics_collection_cpu_seconds",
                                     "CPU time the last collection of host metrics took (user + system, its thread).",
                                     {{"component", name_}});
}

HostMetricsSource::~HostMetricsSource() { stop(); }

Status HostMetricsSource::start(SourceContext* ctx) {
  if (ctx == nullptr || !ctx->emit)
    return Status::InvalidArgument("host_metrics source " + name_ + ": no emit function");
  if (ctx_ != nullptr) return Status::InvalidArgument("host_metrics source " + name_ + ": already started");
  ctx_ = ctx;
  thread_ = std::thread([this] { loop(); });
  return Status::Ok();
}

void HostMetricsSource::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HostMetricsSource::loop() {
  const int64_t interval = interval_.count();
  const int64_t first = steady_now_ns();
  int64_t k = 0;
  while (!stopping()) {
    const int64_t due = first + k * interval;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::nanoseconds(std::max<int64_t>(0, due - steady_now_ns())),
                   [&] { return stopping() || steady_now_ns() >= due; });
    }
    if (stopping()) return;
    if (steady_now_ns() < due) continue;
    const double cpu0 = thread_cpu_seconds();
    LogBatch batch;
    collector_.collect(unix_now_ns(), steady_now_ns(), &batch.samples);
    collection_cpu_seconds_->set(thread_cpu_seconds() - cpu0);
    collections_total_->inc();
    collections_.fetch_add(1, std::memory_order_acq_rel);
    if (!batch.samples.empty()) {
      Status st = ctx_->emit(std::move(batch));
      if (!st.ok()) {
        if (st.code() != StatusCode::kCancelled) {
          spdlog::error("host_metrics source {}: stopping: {}", name_, st.to_string());
        }
        return;
      }
    }
    // The next start time that is not yet past.
    const int64_t elapsed = steady_now_ns() - first;
    k = std::max(k + 1, (elapsed + interval - 1) / interval);
  }
}

Result<HostCollectorConfig> host_collector_config(const std::string& name, const HostMetricsOptions& o) {
  HostCollectorConfig c;
  c.component = name;
  SLUICE_ASSIGN_OR_RETURN(c.collectors, parse_host_collectors(o.collectors));
  SLUICE_RETURN_IF_ERROR(check_path("proc_path", o.proc_path, false));
  SLUICE_RETURN_IF_ERROR(check_path("sys_path", o.sys_path, false));
  SLUICE_RETURN_IF_ERROR(check_path("root_path", o.root_path, true));
  c.proc_path = without_trailing_slash(o.proc_path);
  c.sys_path = without_trailing_slash(o.sys_path);
  c.root_path = without_trailing_slash(o.root_path);
  c.top_n = static_cast<size_t>(std::max<int64_t>(0, o.top_n));
  c.max_command_line_bytes = static_cast<size_t>(o.max_command_line_bytes);
  c.include_virtual_filesystems = o.include_virtual_filesystems;
  c.resource = {{"host.name", host_name()}, {"os.type", "linux"}};
  long hz = ::sysconf(_SC_CLK_TCK);
  c.ticks_per_second = hz > 0 ? static_cast<double>(hz) : 100.0;
  long page = ::sysconf(_SC_PAGESIZE);
  c.page_size = page > 0 ? static_cast<uint64_t>(page) : 4096;
  return c;
}

Result<std::unique_ptr<Source>> make_host_metrics_source(std::string name, const HostMetricsOptions& options) {
  SLUICE_ASSIGN_OR_RETURN(HostCollectorConfig config, host_collector_config(name, options));
  return std::unique_ptr<Source>(
      std::make_unique<HostMetricsSource>(std::move(name), options.interval, std::move(config)));
}

}  // namespace sluice
