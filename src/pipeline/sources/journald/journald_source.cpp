#include "pipeline/sources/journald/journald_source.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include <spdlog/spdlog.h>

namespace sluice {

namespace {

int64_t journald_wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr int kMaxWaitMs = 1000;

}  // namespace

JournaldSource::JournaldSource(std::string name, JournaldSourceOptions options, const JournalApi* api)
    : name_(std::move(name)),
      options_(std::move(options)),
      api_(api),
      where_(options_.directory.empty() ? "the system journal (/run/log/journal, /var/log/journal)"
                                        : options_.directory),
      position_path_(options_.directory.empty() ? "journal" : options_.directory),
      builder_(options_.max_entry_bytes) {
  skipped_ = &MetricsRegistry::global().counter(
      "sluice_journald_skipped_entries_total",
      "Journal entries read but not emitted: already emitted before a restart, or older than start_at = \"end\".",
      {{"component", name_}});
}

JournaldSource::~JournaldSource() { stop(); }

Status JournaldSource::start(SourceContext* ctx) {
  if (ctx == nullptr || !ctx->emit) return Status::InvalidArgument("journald source " + name_ + ": no emit function");
  if (ctx_ != nullptr) return Status::InvalidArgument("journald source " + name_ + ": already started");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Status::FromErrno("journald source " + name_ + ": pipe2", errno);
  }
  wake_read_ = UniqueFd(fds[0]);
  wake_write_ = UniqueFd(fds[1]);
  ctx_ = ctx;
  progress_ = std::make_unique<JournalProgress>(ctx->committed);
  thread_ = std::thread([this] { run(); });
  return Status::Ok();
}

void JournaldSource::stop() {
  stop_.store(true, std::memory_order_release);
  if (wake_write_.fd() >= 0) {
    char c = 1;
    (void)!::write(wake_write_.fd(), &c, 1);  // a full pipe is already a wake-up
  }
  if (thread_.joinable()) thread_.join();
}

void JournaldSource::warn_once(const std::string& message) {
  if (message == last_warning_) return;
  last_warning_ = message;
  spdlog::warn("journald source {}: {}", name_, message);
}

void JournaldSource::wait(int ms) {
  pollfd fds[2];
  nfds_t n = 0;
  fds[n++] = {wake_read_.fd(), POLLIN, 0};
  if (reader_ && reader_->fd() >= 0) fds[n++] = {reader_->fd(), POLLIN, 0};
  (void)::poll(fds, n, ms);
  if (reader_) reader_->process();
}

void JournaldSource::run() {
  run_loop();
  reader_.reset();  // closed on the thread that opened it (sd-journal objects are thread-bound)
}

void JournaldSource::run_loop() {
  const int reopen_ms = static_cast<int>(std::min<int64_t>(options_.reopen_interval.count() / 1000000, INT32_MAX));
  while (!stopping()) {
    if (!reader_) {
      Status st = open_and_position();
      if (st.code() == StatusCode::kCancelled) return;
      if (!st.ok()) {
        reader_.reset();
        warn_once(st.message() + "; idle, trying again every " + std::to_string(reopen_ms) + " ms");
        wait(reopen_ms);
        continue;
      }
      if (reader_->usage_bytes() == 0) {
        warn_once("no journal files found in " + where_ +
                  " (is systemd-journald running here? is `directory` right?); idle, looking again every " +
                  std::to_string(reopen_ms) + " ms");
        wait(reopen_ms);
        reader_.reset();  // reopen: journald may create its directories later
        continue;
      }
      if (!last_warning_.empty()) spdlog::info("journald source {}: reading {}", name_, where_);
      last_warning_.clear();
    }
    bool more = false;
    Status st = read_batch(&more);
    if (st.code() == StatusCode::kCancelled) return;
    if (!st.ok()) {
      warn_once("reading " + where_ + ": " + st.message() + "; reopening");
      reader_.reset();
      wait(reopen_ms);
      continue;
    }
    if (!more) wait(reader_->wait_ms(kMaxWaitMs));
  }
}

Status JournaldSource::open_and_position() {
  JournalReaderOptions ro{options_.directory, options_.units, options_.current_boot_only, options_.max_field_bytes};
  SLUICE_ASSIGN_OR_RETURN(reader_, JournalReader::open(api_, ro));
  JournalProgress& p = *progress_;
  if (p.first_start() && options_.start_at == "end") {
    const uint64_t now_usec = static_cast<uint64_t>(journald_wall_ns() / 1000);
    LogBatch batch;
    SLUICE_RETURN_IF_ERROR(reader_->seek_tail());
    SLUICE_ASSIGN_OR_RETURN(bool has_last, reader_->previous());
    if (has_last) {
      std::string cursor;
      JournalSeqnum at;
      uint64_t rt = 0;
      SLUICE_RETURN_IF_ERROR(reader_->current(&cursor, &at, &rt));
      p.advance(at);
      batch.positions = p.positions(name_, {at.seqnum_id}, position_path_);
    }
    p.set_start_usec(now_usec);
    batch.positions.push_back(SourcePosition{name_, std::string(kJournalStartKey), now_usec, position_path_});
    return ctx_->emit(std::move(batch));
  }
  if (p.first_start()) return reader_->seek_head();
  // Resume in the sequence of the last entry when it has a position (the
  // usual case: one sequence), else from the head; the progress filters
  // whatever was emitted before.
  SLUICE_RETURN_IF_ERROR(reader_->seek_tail());
  SLUICE_ASSIGN_OR_RETURN(bool has_last, reader_->previous());
  if (has_last) {
    std::string cursor;
    JournalSeqnum at;
    uint64_t rt = 0;
    SLUICE_RETURN_IF_ERROR(reader_->current(&cursor, &at, &rt));
    if (auto next = p.next(at.seqnum_id)) {
      return reader_->seek_sequence(JournalSeqnum{at.seqnum_id, *next});
    }
  }
  return reader_->seek_head();
}

Status JournaldSource::read_batch(bool* more) {
  *more = false;
  LogBatch batch;
  std::vector<std::string> ids;
  std::string cursor;
  const size_t limit = static_cast<size_t>(options_.max_batch_records);
  // Progress moves with the batch: on any failure it goes back to where the
  // batch began, so the entries are read again (after a reopen or restart).
  JournalProgress before = *progress_;
  auto fail = [&](Status st) {
    *progress_ = std::move(before);
    return st;
  };
  while (batch.records.size() < limit) {
    if (stopping()) return fail(Status::Cancelled("stopping"));
    auto has = reader_->next();
    if (!has.ok()) return fail(has.status());
    if (!*has) break;
    JournalSeqnum at;
    uint64_t realtime = 0;
    Status st = reader_->current(&cursor, &at, &realtime);
    if (!st.ok()) {  // an entry without a usable cursor cannot be positioned: skip it
      spdlog::warn("journald source {}: skipping an entry of {}: {}", name_, where_, st.message());
      continue;
    }
    if (!progress_->should_emit(at, realtime)) {
      skipped_->inc();
      continue;
    }
    builder_.reset();
    st = reader_->for_each_field([this](std::string_view f) { builder_.add_field(f); });
    if (!st.ok()) {  // keep the fields read so far
      spdlog::warn("journald source {}: entry {} of {} is partly unreadable: {}", name_, cursor, where_, st.message());
    }
    batch.records.push_back(builder_.finish(realtime, cursor, journald_wall_ns()));
    progress_->advance(at);
    if (std::find(ids.begin(), ids.end(), at.seqnum_id) == ids.end()) ids.push_back(at.seqnum_id);
  }
  *more = batch.records.size() >= limit;
  if (batch.records.empty()) return Status::Ok();
  batch.positions = progress_->positions(name_, ids, position_path_);
  Status st = ctx_->emit(std::move(batch));
  return st.ok() ? st : fail(st);
}

Result<std::unique_ptr<Source>> make_journald_source(std::string name, const JournaldSourceOptions& options) {
  SLUICE_RETURN_IF_ERROR(validate_journald_source_options(options));
  SLUICE_ASSIGN_OR_RETURN(const JournalApi* api, journal_api());
  return std::unique_ptr<Source>(std::make_unique<JournaldSource>(std::move(name), options, api));
}

}  // namespace sluice
