#include "pipeline/sources/host_metrics/process_parsers.hpp"

#include "model/utf8.hpp"
#include "pipeline/sources/host_metrics/proc_text.hpp"

namespace sluice {

namespace {

constexpr size_t kMaxComm = 64;  // the kernel's TASK_COMM_LEN is 16; longer text is cut

// Field numbers of proc(5) counted from 1; after the ')' the state is field 3.
constexpr size_t kFieldState = 3, kFieldUtime = 14, kFieldStime = 15, kFieldStart = 22, kFieldRss = 24;

}  // namespace

Result<PidStat> parse_pid_stat(std::string_view text) {
  text = next_line(text);
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return Status::InvalidArgument("pid stat: expected \"<pid> (<comm>) <state> ...\", found " +
                                   quote_for_message(text));
  }
  PidStat s;
  auto pid = parse_i64(trim(text.substr(0, open)));
  if (!pid || *pid <= 0) {
    return Status::InvalidArgument("pid stat: expected a positive pid as field 1, found " +
                                   quote_for_message(text.substr(0, open)));
  }
  s.pid = *pid;
  s.comm = std::string(text.substr(open + 1, std::min(close - open - 1, kMaxComm)));
  // Fields 3..24 follow the ')'; index i holds field i + 3.
  auto f = split_fields(text.substr(close + 1), kFieldRss - kFieldState + 2);
  if (f.size() < kFieldRss - kFieldState + 1) {
    return Status::InvalidArgument("pid stat of " + std::to_string(s.pid) + ": expected at least " +
                                   std::to_string(kFieldRss) + " fields, found " +
                                   std::to_string(f.size() + kFieldState - 1));
  }
  if (f[0].size() != 1) {
    return Status::InvalidArgument("pid stat of " + std::to_string(s.pid) +
                                   ": expected a one-letter state as field 3, found " + quote_for_message(f[0]));
  }
  s.state = f[0][0];
  auto number = [&](size_t field, uint64_t* out) -> Status {
    auto v = parse_u64(f[field - kFieldState]);
    if (!v) {
      return Status::InvalidArgument("pid stat of " + std::to_string(s.pid) + ": expected a decimal count as field " +
                                     std::to_string(field) + ", found " + quote_for_message(f[field - kFieldState]));
    }
    *out = *v;
    return Status::Ok();
  };
  SLUICE_RETURN_IF_ERROR(number(kFieldUtime, &s.utime));
  SLUICE_RETURN_IF_ERROR(number(kFieldStime, &s.stime));
  SLUICE_RETURN_IF_ERROR(number(kFieldStart, &s.starttime));
  auto rss = parse_i64(f[kFieldRss - kFieldState]);
  if (!rss) {
    return Status::InvalidArgument("pid stat of " + std::to_string(s.pid) + ": expected a page count as field " +
                                   std::to_string(kFieldRss) + ", found " +
                                   quote_for_message(f[kFieldRss - kFieldState]));
  }
  s.rss_pages = *rss > 0 ? static_cast<uint64_t>(*rss) : 0;
  return s;
}

std::string_view process_status_name(char state) {
  switch (state) {
    case 'R':
      return "running";
    case 'S':
      return "sleeping";
    case 'D':
      return "blocked";
    case 'Z':
      return "zombie";
    case 'T':
    case 't':
      return "stopped";
    case 'I':
      return "idle";
    case 'W':
      return "paging";
    default:
      return "unknown";
  }
}

std::string format_command_line(std::string_view raw, size_t max_bytes) {
  // Only the first max_bytes bytes can survive (repair never shrinks text).
  std::string_view head = raw.substr(0, max_bytes + 4);
  std::string line(head);
  for (char& c : line) {
    if (c == '\0') c = ' ';
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  make_valid_utf8(line);
  if (line.size() > max_bytes) {
    size_t cut = max_bytes;
    // Back up to the start of a character: continuation bytes are 10xxxxxx.
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line.resize(cut);
    while (!line.empty() && line.back() == ' ') line.pop_back();
  }
  return line;
}

}  // namespace sluice
