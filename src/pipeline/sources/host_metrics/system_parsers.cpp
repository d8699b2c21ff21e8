#include "pipeline/sources/host_metrics/system_parsers.hpp"

#include <limits>

namespace sluice {

namespace {

bool is_cpu_n(std::string_view name) {
  if (name.size() < 4 || name.substr(0, 3) != "cpu") return false;
  for (char c : name.substr(3)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

ProcStat parse_proc_stat(std::string_view text) {
  ProcStat out;
  size_t line_no = 0;
  while (!text.empty()) {
    std::string_view line = next_line(text);
    ++line_no;
    auto f = split_fields(line, 12);
    if (f.empty()) continue;
    if (f[0] == "processes") {
      auto v = f.size() >= 2 ? parse_u64(f[1]) : std::nullopt;
      if (v) {
        out.processes_created = *v;
      } else {
        out.problems.add("line " + std::to_string(line_no) + ": expected a count after \"processes\", found " +
                         quote_for_message(line));
      }
      continue;
    }
    if (!is_cpu_n(f[0])) continue;
    uint64_t v[8] = {};
    size_t have = 0;
    bool bad = false;
    for (size_t i = 1; i < f.size() && have < 8; ++i) {
      auto n = parse_u64(f[i]);
      if (!n) {
        bad = true;
        break;
      }
      v[have++] = *n;
    }
    if (bad || have < 4) {
      out.problems.add("line " + std::to_string(line_no) + ": expected at least 4 tick counts after \"" +
                       std::string(f[0].substr(0, 16)) + "\", found " + quote_for_message(line));
      continue;
    }
    CpuTimes t;
    t.cpu = std::string(f[0].substr(0, 32));
    t.user = v[0];
    t.nice = v[1];
    t.system = v[2];
    t.idle = v[3];
    t.iowait = v[4];
    t.irq = v[5];
    t.softirq = v[6];
    t.steal = v[7];
    out.cpus.push_back(std::move(t));
  }
  return out;
}

std::optional<uint64_t> MemInfo::find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return v;
  }
  return std::nullopt;
}

MemInfo parse_meminfo(std::string_view text) {
  MemInfo out;
  size_t line_no = 0;
  while (!text.empty()) {
    std::string_view line = next_line(text);
    ++line_no;
    if (trim(line).empty()) continue;
    size_t colon = line.find(':');
    auto problem = [&](const char* what) {
      out.problems.add("line " + std::to_string(line_no) + ": " + what + ", found " + quote_for_message(line));
    };
    if (colon == std::string_view::npos || colon == 0) {
      problem("expected \"<key>: <number> [kB]\"");
      continue;
    }
    auto f = split_fields(line.substr(colon + 1));
    auto n = f.empty() ? std::nullopt : parse_u64(f[0]);
    if (!n || f.size() > 2 || (f.size() == 2 && f[1] != "kB")) {
      problem("expected a decimal number and an optional \"kB\" after the key");
      continue;
    }
    uint64_t bytes = *n;
    if (f.size() == 2) {
      if (bytes > std::numeric_limits<uint64_t>::max() / 1024) {
        problem("value in kB overflows 64 bits as bytes");
        continue;
      }
      bytes *= 1024;
    }
    out.entries.emplace_back(std::string(line.substr(0, colon).substr(0, 64)), bytes);
  }
  return out;
}

Result<LoadAverage> parse_loadavg(std::string_view text) {
  auto f = split_fields(next_line(text), 4);
  static const char* kNames[] = {"1-minute", "5-minute", "15-minute"};
  double v[3] = {};
  for (size_t i = 0; i < 3; ++i) {
    if (i >= f.size()) {
      return Status::InvalidArgument(std::string("loadavg: expected the ") + kNames[i] + " load average as field " +
                                     std::to_string(i + 1) + ", found end of line");
    }
    auto d = parse_finite_double(f[i]);
    if (!d || *d < 0) {
      return Status::InvalidArgument(std::string("loadavg: expected the ") + kNames[i] +
                                     " load average (a non-negative decimal) as field " + std::to_string(i + 1) +
                                     ", found " + quote_for_message(f[i]));
    }
    v[i] = *d;
  }
  return LoadAverage{v[0], v[1], v[2]};
}

std::vector<std::string> parse_nodev_filesystems(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto f = split_fields(next_line(text), 3);
    if (f.size() == 2 && f[0] == "nodev") out.emplace_back(f[1].substr(0, 64));
  }
  return out;
}

}  // namespace sluice
