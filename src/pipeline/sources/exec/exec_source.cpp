#include "pipeline/sources/exec/exec_source.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

#include "pipeline/sources/exec/child_process.hpp"

namespace sluice {

namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr int kReadsPerTurn = 16;  // at most 1 MiB from one stream before checking the clock again

int64_t exec_monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t exec_wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ExecSource::ExecSource(std::string name, ExecSourceOptions options, ExecCommand command)
    : name_(std::move(name)), options_(std::move(options)), command_(std::move(command)), read_buf_(kReadChunk) {
  auto& m = MetricsRegistry::global();
  const char* help = "Runs of exec sources by outcome (ok: exit code 0; failed: other exit code or signal).";
  runs_ok_ = &m.counter("sluice_exec_runs_total", help, {{"component", name_}, {"outcome", "ok"}});
  runs_failed_ = &m.counter("sluice_exec_runs_total", help, {{"component", name_}, {"outcome", "failed"}});
  runs_timed_out_ = &m.counter("sluice_exec_runs_total", help, {{"component", name_}, {"outcome", "timed_out"}});
  runs_spawn_error_ = &m.counter("sluice_exec_runs_total", help, {{"component", name_}, {"outcome", "spawn_error"}});
  dropped_bytes_ =
      &m.counter("sluice_exec_output_dropped_bytes_total",
                 "Output bytes of exec runs past max_output_bytes, read and discarded.", {{"component", name_}});
}

ExecSource::~ExecSource() { stop(); }

Status ExecSource::start(SourceContext* ctx) {
  if (ctx == nullptr || !ctx->emit) return Status::InvalidArgument("exec source " + name_ + ": no emit function");
  if (ctx_ != nullptr) return Status::InvalidArgument("exec source " + name_ + ": already started");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return Status::FromErrno("exec source " + name_ + ": pipe2", errno);
  wake_read_ = UniqueFd(fds[0]);
  wake_write_ = UniqueFd(fds[1]);
  ctx_ = ctx;
  thread_ = std::thread([this] { loop(); });
  return Status::Ok();
}

void ExecSource::stop() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    stop_.store(true, std::memory_order_release);
  }
  wake_cv_.notify_all();
  if (wake_write_.fd() >= 0) {
    char c = 1;
    (void)!::write(wake_write_.fd(), &c, 1);  // a full pipe is already a wake-up
  }
  if (thread_.joinable()) thread_.join();
}

void ExecSource::loop() {
  const int64_t interval = options_.interval.count();
  const int64_t first = exec_monotonic_ns();
  int64_t k = 0;
  while (!stopping()) {
    const int64_t due = first + k * interval;
    {
      std::unique_lock<std::mutex> lock(wake_mu_);
      wake_cv_.wait_for(lock, std::chrono::nanoseconds(std::max<int64_t>(0, due - exec_monotonic_ns())),
                        [&] { return stopping() || exec_monotonic_ns() >= due; });
    }
    if (stopping()) return;
    if (exec_monotonic_ns() < due) continue;
    RunEnd end = run_once();
    if (end != RunEnd::kDone) return;
    // The next start time that is not yet past (runs never overlap).
    const int64_t elapsed = exec_monotonic_ns() - first;
    k = std::max(k + 1, (elapsed + interval - 1) / interval);
  }
}

bool ExecSource::read_stream(ChildProcess& child, bool is_stdout, ExecOutput& out) {
  int fd = is_stdout ? child.stdout_fd() : child.stderr_fd();
  if (fd < 0) return false;
  for (int i = 0; i < kReadsPerTurn; ++i) {
    ssize_t n = ::read(fd, read_buf_.data(), read_buf_.size());
    if (n > 0) {
      out.feed(is_stdout ? ExecStream::kStdout : ExecStream::kStderr,
               std::string_view(read_buf_.data(), static_cast<size_t>(n)), exec_wall_ns());
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n < 0)
      spdlog::warn("exec source {}: reading {} of {}: {}", name_, is_stdout ? "stdout" : "stderr", command_.path,
                   std::strerror(errno));
    if (is_stdout) {
      child.close_stdout();
    } else {
      child.close_stderr();
    }
    return false;
  }
  return true;
}

Status ExecSource::emit_records(ExecOutput& out, size_t at_least) {
  auto& recs = out.records();
  if (recs.empty() || recs.size() < at_least) return Status::Ok();
  const size_t per_batch = static_cast<size_t>(options_.max_batch_records);
  for (size_t i = 0; i < recs.size(); i += per_batch) {
    LogBatch b;
    auto first = recs.begin() + static_cast<std::ptrdiff_t>(i);
    auto last = recs.begin() + static_cast<std::ptrdiff_t>(std::min(recs.size(), i + per_batch));
    b.records.assign(std::make_move_iterator(first), std::make_move_iterator(last));
    Status st = ctx_->emit(std::move(b));
    if (!st.ok()) {
      recs.clear();
      return st;
    }
  }
  recs.clear();
  return Status::Ok();
}

ExecSource::RunEnd ExecSource::run_once() {
  runs_.fetch_add(1, std::memory_order_acq_rel);
  const int64_t t0 = exec_monotonic_ns();
  ExecRunSummary summary;
  auto spawned = ChildProcess::spawn(command_, options_.include_stderr);
  if (!spawned.ok()) {
    summary.spawn_error = spawned.status().message();
    summary.duration_ns = exec_monotonic_ns() - t0;
    runs_spawn_error_->inc();
    spdlog::warn("exec source {}: cannot start {}: {}", name_, command_.path, summary.spawn_error);
    LogBatch b;
    b.records.push_back(exec_exit_record(command_, exec_run_attributes(command_, 0), summary, exec_wall_ns()));
    Status st = ctx_->emit(std::move(b));
    return st.ok() ? RunEnd::kDone : (stopping() ? RunEnd::kStopped : RunEnd::kEmitFailed);
  }
  ChildProcess& child = **spawned;
  const KeyValues attrs = exec_run_attributes(command_, child.pid());
  ExecOutput out(options_.max_line_bytes, options_.max_output_bytes, attrs);
  const int64_t deadline = t0 + options_.timeout.count();
  int64_t kill_at = 0;
  bool killed = false;
  bool exited = false;
  const size_t per_batch = static_cast<size_t>(options_.max_batch_records);

  while (true) {
    if (stopping()) {
      child.reap();
      return RunEnd::kStopped;
    }
    int64_t now = exec_monotonic_ns();
    if (!summary.timed_out && now >= deadline) {
      summary.timed_out = true;
      spdlog::warn("exec source {}: {} (pid {}) still running after {} ms: SIGTERM to its process group", name_,
                   command_.path, child.pid(), options_.timeout.count() / 1000000);
      child.signal_group(SIGTERM);
      kill_at = now + options_.kill_grace.count();
    }
    if (summary.timed_out && !killed && now >= kill_at) {
      killed = true;
      child.signal_group(SIGKILL);
    }
    const bool streams_open = child.stdout_fd() >= 0 || child.stderr_fd() >= 0;
    // Done: exited with both streams closed; or killed and exited, where a
    // descendant that left the group may still hold a pipe: read what is
    // buffered (below) and stop waiting.
    if (exited && (!streams_open || killed)) break;

    int64_t next_event = summary.timed_out ? (killed ? now + 1000000000 : kill_at) : deadline;
    int64_t wait_ms = std::clamp<int64_t>((next_event - now + 999999) / 1000000, 0, 1000);
    if (!exited && child.exit_fd() < 0) wait_ms = std::min<int64_t>(wait_ms, 20);  // no pidfd: poll the exit
    pollfd fds[4];
    nfds_t n = 0;
    fds[n++] = {wake_read_.fd(), POLLIN, 0};
    int out_i = -1, err_i = -1, exit_i = -1;
    if (child.stdout_fd() >= 0) {
      out_i = static_cast<int>(n);
      fds[n++] = {child.stdout_fd(), POLLIN, 0};
    }
    if (child.stderr_fd() >= 0) {
      err_i = static_cast<int>(n);
      fds[n++] = {child.stderr_fd(), POLLIN, 0};
    }
    if (!exited && child.exit_fd() >= 0) {
      exit_i = static_cast<int>(n);
      fds[n++] = {child.exit_fd(), POLLIN, 0};
    }
    int r = ::poll(fds, n, static_cast<int>(wait_ms));
    if (r < 0 && errno != EINTR) {
      spdlog::error("exec source {}: poll: {}", name_, std::strerror(errno));
      child.reap();
      return RunEnd::kEmitFailed;
    }
    if (r > 0) {
      if (out_i >= 0 && fds[out_i].revents != 0) read_stream(child, /*is_stdout=*/true, out);
      if (err_i >= 0 && fds[err_i].revents != 0) read_stream(child, /*is_stdout=*/false, out);
    }
    if (!exited && (exit_i < 0 || (r > 0 && fds[exit_i].revents != 0))) exited = child.has_exited();
    if (exited && killed) {
      read_stream(child, true, out);
      read_stream(child, false, out);
    }
    Status st = emit_records(out, per_batch);
    if (!st.ok()) {
      child.reap();
      if (st.code() != StatusCode::kCancelled) spdlog::error("exec source {}: stopping: {}", name_, st.to_string());
      return RunEnd::kEmitFailed;
    }
  }

  out.finish(exec_wall_ns());
  summary.exit = child.reap();
  summary.duration_ns = exec_monotonic_ns() - t0;
  summary.lines = out.lines();
  summary.output_bytes = out.accepted_bytes();
  summary.dropped_bytes = out.dropped_bytes();
  if (summary.dropped_bytes > 0) {
    dropped_bytes_->inc(summary.dropped_bytes);
    spdlog::warn("exec source {}: {} wrote {} bytes past max_output_bytes ({}); discarded", name_, command_.path,
                 summary.dropped_bytes, options_.max_output_bytes);
  }
  if (summary.timed_out) {
    runs_timed_out_->inc();
  } else if (summary.exit.exit_code && *summary.exit.exit_code == 0) {
    runs_ok_->inc();
  } else {
    runs_failed_->inc();
  }
  out.records().push_back(exec_exit_record(command_, attrs, summary, exec_wall_ns()));
  Status st = emit_records(out, 1);
  if (!st.ok()) {
    if (st.code() != StatusCode::kCancelled) spdlog::error("exec source {}: stopping: {}", name_, st.to_string());
    return RunEnd::kEmitFailed;
  }
  return RunEnd::kDone;
}

Result<std::unique_ptr<Source>> make_exec_source(std::string name, const ExecSourceOptions& options) {
  SLUICE_ASSIGN_OR_RETURN(ExecCommand command, prepare_exec_command(options, current_environment()));
  return std::unique_ptr<Source>(std::make_unique<ExecSource>(std::move(name), options, std::move(command)));
}

}  // namespace sluice
