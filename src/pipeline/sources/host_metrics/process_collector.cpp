#include "pipeline/sources/host_metrics/process_collector.hpp"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/sources/host_metrics/proc_file.hpp"
#include "pipeline/sources/host_metrics/proc_text.hpp"
#include "pipeline/sources/host_metrics/process_parsers.hpp"

namespace sluice {

namespace {

constexpr size_t kMaxStatFile = 4096;  // a stat line is ~300 bytes; comm is at most 16

struct Candidate {
  int64_t pid = 0;
  std::string comm;
  std::optional<double> cpu;  ///< utilization since the last collection
  uint64_t rss_bytes = 0;
};

/// The numeric entries of the /proc directory: one per process (threads
/// are not listed there, only under /proc/<pid>/task).
Result<std::vector<int64_t>> list_pids(const std::string& proc_path) {
  DIR* dir = ::opendir(proc_path.c_str());
  if (dir == nullptr) return Status::FromErrno("listing " + proc_path, errno);
  std::vector<int64_t> pids;
  while (dirent* e = ::readdir(dir)) {
    auto pid = parse_u64(e->d_name);
    if (pid && *pid > 0 && *pid <= INT64_MAX) pids.push_back(static_cast<int64_t>(*pid));
  }
  ::closedir(dir);
  return pids;
}

}  // namespace

void ProcessCollector::collect(int64_t steady_ns, size_t cpus, SampleBuilder& out) {
  auto pids = list_pids(config_.proc_path);
  if (!pids.ok()) {
    problems_->report("processes", "processes:list", pids.status().message());
    return;
  }
  const double elapsed_s = have_prev_ ? static_cast<double>(steady_ns - prev_steady_ns_) / 1e9 : 0;
  const double capacity = elapsed_s * static_cast<double>(std::max<size_t>(cpus, 1));
  std::unordered_map<int64_t, Seen> now;
  now.reserve(pids->size());
  std::vector<Candidate> candidates;
  candidates.reserve(pids->size());
  static constexpr std::string_view kStatuses[] = {"blocked",  "idle",    "paging",  "running",
                                                   "sleeping", "stopped", "unknown", "zombie"};
  uint64_t counts[std::size(kStatuses)] = {};
  for (int64_t pid : *pids) {
    const std::string path = config_.proc_path + "/" + std::to_string(pid) + "/stat";
    auto text = read_proc_file(path, kMaxStatFile);
    if (!text.ok()) {
      // NotFound: the process ended since the directory was listed.
      if (text.status().code() != StatusCode::kNotFound) {
        problems_->report("processes", "processes:read", text.status().message());
      }
      continue;
    }
    auto st = parse_pid_stat(*text);
    if (!st.ok()) {
      problems_->report("processes", "processes:parse", path + ": " + st.status().message());
      continue;
    }
    std::string_view status = process_status_name(st->state);
    for (size_t i = 0; i < std::size(kStatuses); ++i) {
      if (kStatuses[i] == status) ++counts[i];
    }
    const uint64_t ticks = st->utime + st->stime;
    now[pid] = Seen{st->starttime, ticks};
    Candidate c;
    c.pid = pid;
    c.comm = std::move(st->comm);
    c.rss_bytes = st->rss_pages * config_.page_size;
    auto p = prev_.find(pid);
    if (p != prev_.end() && p->second.starttime == st->starttime && ticks >= p->second.ticks && capacity > 0) {
      double used_s = static_cast<double>(ticks - p->second.ticks) / config_.ticks_per_second;
      c.cpu = std::clamp(used_s / capacity, 0.0, 1.0);
    }
    candidates.push_back(std::move(c));
  }
  prev_ = std::move(now);
  prev_steady_ns_ = steady_ns;
  have_prev_ = true;
  for (size_t i = 0; i < std::size(kStatuses); ++i) {
    out.gauge("system_processes_count", static_cast<double>(counts[i]), {{"status", std::string(kStatuses[i])}});
  }
  if (config_.top_n == 0) return;

  // The top_n by CPU (that used some) and by RSS (that have some); ties by pid.
  std::vector<size_t> by_cpu, by_rss;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i].cpu && *candidates[i].cpu > 0) by_cpu.push_back(i);
    if (candidates[i].rss_bytes > 0) by_rss.push_back(i);
  }
  auto top = [&](std::vector<size_t>& v, auto key) {
    size_t n = std::min(config_.top_n, v.size());
    std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), v.end(), [&](size_t a, size_t b) {
      auto ka = key(candidates[a]), kb = key(candidates[b]);
      return ka != kb ? ka > kb : candidates[a].pid < candidates[b].pid;
    });
    v.resize(n);
  };
  top(by_cpu, [](const Candidate& c) { return *c.cpu; });
  top(by_rss, [](const Candidate& c) { return c.rss_bytes; });
  std::vector<size_t> chosen = by_cpu;
  for (size_t i : by_rss) {
    if (std::find(chosen.begin(), chosen.end(), i) == chosen.end()) chosen.push_back(i);
  }
  for (size_t i : chosen) {
    const Candidate& c = candidates[i];
    KeyValues labels = {{"process.pid", std::to_string(c.pid)}, {"process.executable.name", c.comm}};
    auto raw = read_proc_file(config_.proc_path + "/" + std::to_string(c.pid) + "/cmdline",
                              config_.max_command_line_bytes + 4, OverCap::kTruncate);
    if (raw.ok()) {
      std::string line = format_command_line(*raw, config_.max_command_line_bytes);
      if (!line.empty()) labels.emplace_back("process.command_line", std::move(line));
    }  // a process that ended meanwhile keeps its other labels
    if (c.cpu) out.gauge("process_cpu_utilization_ratio", *c.cpu, labels);
    out.gauge("process_memory_usage_bytes", static_cast<double>(c.rss_bytes), std::move(labels));
  }
}

}  // namespace sluice
