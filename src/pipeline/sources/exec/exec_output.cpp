#include "pipeline/sources/exec/exec_output.hpp"

#include <cinttypes>
#include <cstdio>

#include "common/json_text.hpp"
#include "model/utf8.hpp"

namespace sluice {

std::string_view exec_stream_name(ExecStream s) { return s == ExecStream::kStdout ? "stdout" : "stderr"; }

KeyValues exec_run_attributes(const ExecCommand& command, int pid) {
  std::string args = "[";
  for (size_t i = 0; i < command.argv.size(); ++i) {
    if (i > 0) args += ',';
    std::string valid = command.argv[i];
    make_valid_utf8(valid);
    append_json_string(args, valid);
  }
  args += ']';
  std::string cmd = command.argv.empty() ? std::string() : command.argv[0];
  make_valid_utf8(cmd);
  KeyValues kv;
  kv.reserve(4);
  kv.emplace_back("process.command", std::move(cmd));
  kv.emplace_back("process.command_args", std::move(args));
  kv.emplace_back("process.executable.path", command.path);
  if (pid > 0) kv.emplace_back("process.pid", std::to_string(pid));
  return kv;
}

ExecOutput::ExecOutput(uint64_t max_line_bytes, uint64_t max_output_bytes, KeyValues run_attributes)
    : max_output_bytes_(max_output_bytes),
      run_attributes_(std::move(run_attributes)),
      pending_{Pending(max_line_bytes), Pending(max_line_bytes)} {}

void ExecOutput::feed(ExecStream stream, std::string_view bytes, int64_t now_ns) {
  uint64_t room = max_output_bytes_ - accepted_;
  if (bytes.size() > room) {
    dropped_ += bytes.size() - room;
    bytes = bytes.substr(0, room);
  }
  if (bytes.empty()) return;
  accepted_ += bytes.size();
  pending_[static_cast<int>(stream)].buf.append(bytes);
  drain(stream, /*final=*/false, now_ns);
}

void ExecOutput::finish(int64_t now_ns) {
  drain(ExecStream::kStdout, /*final=*/true, now_ns);
  drain(ExecStream::kStderr, /*final=*/true, now_ns);
}

void ExecOutput::drain(ExecStream stream, bool final, int64_t now_ns) {
  Pending& p = pending_[static_cast<int>(stream)];
  if (p.buf.empty()) return;
  size_t used = p.splitter.split(p.buf, final, [&](std::string_view text, LinePart part, size_t) {
    LogRecord r;
    r.timestamp_ns = now_ns;
    r.observed_timestamp_ns = now_ns;
    r.body.assign(text.data(), text.size());
    make_valid_utf8(r.body);
    r.attributes.reserve(run_attributes_.size() + 2);
    r.attributes.insert(r.attributes.end(), run_attributes_.begin(), run_attributes_.end());
    r.attributes.emplace_back("exec.stream", std::string(exec_stream_name(stream)));
    if (part != LinePart::kWhole) r.attributes.emplace_back("log.split", std::string(line_part_name(part)));
    records_.push_back(std::move(r));
    if (part == LinePart::kWhole || part == LinePart::kLast) ++lines_;
    return true;
  });
  p.buf.erase(0, used);
}

LogRecord exec_exit_record(const ExecCommand& command, KeyValues run_attributes, const ExecRunSummary& s,
                           int64_t now_ns) {
  LogRecord r;
  r.timestamp_ns = now_ns;
  r.observed_timestamp_ns = now_ns;
  std::string name = command.argv.empty() ? command.path : command.argv[0];
  make_valid_utf8(name);
  r.attributes = std::move(run_attributes);
  r.attributes.emplace_back("event.name", "exec.exit");
  bool ok = false;
  if (!s.spawn_error.empty()) {
    r.body = name + " could not start: " + s.spawn_error;
    r.attributes.emplace_back("exec.error", s.spawn_error);
  } else if (s.exit.exit_code) {
    r.body = name + " exited with code " + std::to_string(*s.exit.exit_code);
    r.attributes.emplace_back("process.exit.code", std::to_string(*s.exit.exit_code));
    ok = *s.exit.exit_code == 0;
  } else if (s.exit.signal) {
    r.body = name + " was killed by " + signal_name(*s.exit.signal);
    r.attributes.emplace_back("exec.signal", signal_name(*s.exit.signal));
  } else {
    r.body = name + " ended in an unknown way";
  }
  if (s.timed_out) {
    r.body += " (timed out)";
    r.attributes.emplace_back("exec.timed_out", "true");
    ok = false;
  }
  char ms[32];
  std::snprintf(ms, sizeof ms, "%" PRId64 ".%03" PRId64, s.duration_ns / 1000000, (s.duration_ns / 1000) % 1000);
  r.attributes.emplace_back("exec.duration_ms", ms);
  r.attributes.emplace_back("exec.output.lines", std::to_string(s.lines));
  r.attributes.emplace_back("exec.output.bytes", std::to_string(s.output_bytes));
  if (s.dropped_bytes > 0) r.attributes.emplace_back("exec.output.dropped_bytes", std::to_string(s.dropped_bytes));
  r.severity_number = ok ? 9 : 17;
  r.severity_text = ok ? "INFO" : "ERROR";
  return r;
}

}  // namespace sluice
