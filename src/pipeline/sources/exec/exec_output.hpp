// ExecOutput: turns the bytes one run of an exec source writes to stdout and
// stderr into log records, one per line, within the run's output cap; and
// the exit record that closes every run.
//
// Line records: body = the line without "\n" / "\r\n" (invalid UTF-8
// repaired), timestamp = observed_timestamp = when sluice read it,
// attributes = the run's attributes (process.command, process.command_args,
// process.executable.path, process.pid: OpenTelemetry semantic
// conventions) + exec.stream = "stdout" | "stderr" + log.split =
// first|middle|last on the pieces of a line longer than max_line_bytes.
//
// Exit record (exec_exit_record): see its comment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/log_record.hpp"
#include "pipeline/sources/exec/child_process.hpp"
#include "pipeline/sources/file/line_splitter.hpp"

namespace sluice {

enum class ExecStream { kStdout = 0, kStderr = 1 };

/// "stdout" or "stderr".
std::string_view exec_stream_name(ExecStream s);

/// The attributes every record of a run carries: process.command (argv[0]
/// as configured), process.command_args (argv as a JSON array of strings),
/// process.executable.path (the allowed absolute path) and process.pid.
KeyValues exec_run_attributes(const ExecCommand& command, int pid);

/// Line splitting and the output cap of one run.
///
/// Owner: the exec source's run thread; one thread at a time. Invariant:
/// accepted_bytes() <= max_output_bytes, and accepted + dropped = every byte
/// fed; each stream's unfinished line is at most max_line_bytes + 1 bytes.
class ExecOutput {
 public:
  ExecOutput(uint64_t max_line_bytes, uint64_t max_output_bytes, KeyValues run_attributes);

  /// Adds bytes read from `stream` at `now_ns` (ns since the Unix epoch).
  /// Complete lines become records; bytes past the run's cap are counted
  /// as dropped.
  void feed(ExecStream stream, std::string_view bytes, int64_t now_ns);
  /// End of the run: each stream's unfinished last line becomes a record.
  void finish(int64_t now_ns);

  /// Records made so far; the caller may move them out and clear it.
  std::vector<LogRecord>& records() { return records_; }
  uint64_t accepted_bytes() const { return accepted_; }
  uint64_t dropped_bytes() const { return dropped_; }
  uint64_t lines() const { return lines_; }

 private:
  struct Pending {
    explicit Pending(uint64_t max) : splitter(max) {}
    LineSplitter splitter;
    std::string buf;  ///< bytes not yet cut into a record
  };
  void drain(ExecStream stream, bool final, int64_t now_ns);

  const uint64_t max_output_bytes_;
  const KeyValues run_attributes_;
  Pending pending_[2];
  std::vector<LogRecord> records_;
  uint64_t accepted_ = 0;
  uint64_t dropped_ = 0;
  uint64_t lines_ = 0;
};

/// How a run went, for its exit record.
struct ExecRunSummary {
  ChildExit exit;              ///< empty when the command could not be started
  std::string spawn_error;     ///< set when posix_spawn failed
  bool timed_out = false;      ///< the run outlasted `timeout` and its group was signalled
  int64_t duration_ns = 0;     ///< spawn to reap (steady clock)
  uint64_t lines = 0;          ///< line records made
  uint64_t output_bytes = 0;   ///< bytes turned into records
  uint64_t dropped_bytes = 0;  ///< bytes past max_output_bytes
};

/// The record that ends every run. body: "<argv[0]> exited with code N" |
/// "<argv[0]> was killed by SIGKILL" | "<argv[0]> could not start: <error>",
/// plus " (timed out)" when it timed out; attributes: the run's attributes
/// (without process.pid when it never started), event.name = "exec.exit",
/// process.exit.code (when it exited), exec.signal ("SIGKILL", when a
/// signal ended it), exec.timed_out = "true" (when it timed out),
/// exec.duration_ms (decimal milliseconds, microsecond precision),
/// exec.output.lines, exec.output.bytes, exec.output.dropped_bytes (when
/// non-zero), exec.error (spawn error). severity INFO (9) for exit code 0,
/// otherwise ERROR (17), as OpenTelemetry's CLI conventions count any
/// non-zero exit as an error.
LogRecord exec_exit_record(const ExecCommand& command, KeyValues run_attributes, const ExecRunSummary& summary,
                           int64_t now_ns);

}  // namespace sluice
