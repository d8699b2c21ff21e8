// The `exec` source: runs one allow-listed command on an interval and turns
// what it writes to stdout and stderr into log records (Vector's `exec`
// source in scheduled mode, Fluent Bit's `exec` input).
//
// Allow-list. The program (argv[0], resolved through PATH to an absolute
// path when the configuration is loaded) must be in allowed_commands, a list
// kept apart from `command` so that one reviewed list decides what sluice
// may execute; otherwise make_exec_source fails naming the command. The
// command runs directly with posix_spawn, never through a shell unless the
// configuration says ["sh", "-c", ...] (and allows /bin/sh).
//
// Schedule. The first run starts at once; run k starts at start + k *
// interval. Runs never overlap: when a run ends after its successor's start
// time, the successor starts at the next multiple of interval.
//
// A run. The command gets a process group of its own (child_process.hpp).
// Its output is read as it comes and cut into line records
// (exec_output.hpp), sent downstream in batches of max_batch_records; at
// most max_output_bytes per run become records. The run ends when the
// command has exited and stdout and stderr are closed; after `timeout` the
// group gets SIGTERM, after kill_grace more SIGKILL. Whatever is left of the
// group is then SIGKILLed and the command reaped, and an exit record (exit
// code or signal, duration, output counts, time-out) closes the run.
//
// Stop. stop() SIGKILLs the group of a run in progress, reaps it, and joins
// the thread: no child outlives the source. Records of the interrupted run
// are not sent. The source has no positions (a command's output cannot be
// read again), so records in flight at a crash are lost, as with any
// source without replay.
//
// Metrics: sluice_exec_runs_total{component, outcome="ok|failed|timed_out|
// spawn_error"}, sluice_exec_output_dropped_bytes_total{component}.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "common/status.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sources/exec/exec_output.hpp"
#include "pipeline/sources/exec/exec_source_options.hpp"
#include "pipeline/sources/file/tailed_file.hpp"

namespace sluice {

/// Runs its command on its own thread.
///
/// Owner: the pipeline engine (through make_exec_source). Threads: start()
/// and stop() from the engine's thread; the run thread owns the child and
/// its pipes. The SourceContext passed to start() must stay live until
/// stop() returns. Invariant: at most one child runs at a time, and none is
/// left running once stop() returns.
class ExecSource final : public Source {
 public:
  /// `command` comes from prepare_exec_command(options, ...).
  ExecSource(std::string name, ExecSourceOptions options, ExecCommand command);
  ~ExecSource() override;

  ExecSource(const ExecSource&) = delete;
  ExecSource& operator=(const ExecSource&) = delete;

  /// Starts the run thread (the first run begins at once). InvalidArgument
  /// when `ctx` has no emit function or the source was already started;
  /// IOError when the wake-up pipe cannot be made.
  Status start(SourceContext* ctx) override;
  /// Kills a run in progress (its whole process group), reaps it and joins
  /// the thread; idempotent. When the thread is blocked in ctx->emit,
  /// returns once emit returns (the engine cancels emit at shutdown).
  void stop() override;

  /// Runs started so far (for tests).
  uint64_t runs_started() const { return runs_.load(std::memory_order_acquire); }

 private:
  enum class RunEnd { kDone, kStopped, kEmitFailed };

  void loop();
  /// One run of the command, records emitted as they are made.
  RunEnd run_once();
  /// Reads what is available on `fd` into `out`; closes the stream on EOF.
  /// Returns false when the stream is finished.
  bool read_stream(ChildProcess& child, bool is_stdout, ExecOutput& out);
  /// Emits the records made so far when there are `at_least` of them.
  Status emit_records(ExecOutput& out, size_t at_least);
  bool stopping() const { return stop_.load(std::memory_order_acquire); }

  const std::string name_;
  const ExecSourceOptions options_;
  const ExecCommand command_;
  SourceContext* ctx_ = nullptr;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> runs_{0};
  UniqueFd wake_read_;  ///< readable once stop() was called: ends poll() in a run
  UniqueFd wake_write_;
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  std::vector<char> read_buf_;

  Counter* runs_ok_;
  Counter* runs_failed_;
  Counter* runs_timed_out_;
  Counter* runs_spawn_error_;
  Counter* dropped_bytes_;
};

/// Validates `options` (prepare_exec_command with sluice's environment:
/// allow-list, PATH lookup) and builds an exec source named `name`.
/// InvalidArgument / NotFound naming the option and the command otherwise.
Result<std::unique_ptr<Source>> make_exec_source(std::string name, const ExecSourceOptions& options);

}  // namespace sluice
