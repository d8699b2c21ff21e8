// The `journald` source: reads the systemd journal through libsystemd's
// sd-journal API (Vector's `journald` source, Fluent Bit's `systemd`
// input), one record per entry (journal_entry.hpp for the mapping).
//
// Positions. Exactly once across restarts and crashes, with one position
// per journal sequence (journal_progress.hpp): every batch carries, for each
// sequence it advanced, the next seqnum to emit; the store commits it with
// the data. At start the reader seeks to "s=<id>;i=<next>" of the sequence
// holding the journal's last entry, or to the head when that sequence has
// no position, and skips every entry already emitted.
//
// Start. The first start (nothing committed) reads from the head with
// start_at = "beginning"; with "end" it sends at once a record-less batch
// holding the position after the last entry and the start time, so that a
// restart neither re-reads the old entries nor skips new ones.
//
// No journal. When no journal file is found (no systemd-journald on this
// host, an empty or missing `directory`) the source logs one warning and
// idles, opening the journal again every reopen_interval. A journal that
// cannot be read (I/O error, corrupt file) is logged and reopened the same
// way; libsystemd itself skips damaged parts of files.
//
// Wake-ups: poll() on sd-journal's inotify descriptor and a stop pipe.
//
// Metrics: sluice_journald_skipped_entries_total{component} (entries read
// again after a restart and not re-emitted, or older than start_at = "end").
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "common/status.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sources/file/tailed_file.hpp"
#include "pipeline/sources/journald/journal_api.hpp"
#include "pipeline/sources/journald/journal_entry.hpp"
#include "pipeline/sources/journald/journal_progress.hpp"
#include "pipeline/sources/journald/journal_reader.hpp"
#include "pipeline/sources/journald/journald_source_options.hpp"

namespace sluice {

/// Reads the journal on one reader thread.
///
/// Owner: the pipeline engine (through make_journald_source). Threads:
/// start() and stop() from the engine's thread; the reader thread owns the
/// sd_journal object (which sd-journal ties to one thread) and the
/// progress. The SourceContext passed to start() must stay live until
/// stop() returns. Invariant: an entry is emitted only when its seqnum is at
/// or past its sequence's position, and the position moves past it in the
/// same batch.
class JournaldSource final : public Source {
 public:
  /// `options` must have passed validate_journald_source_options().
  JournaldSource(std::string name, JournaldSourceOptions options, const JournalApi* api);
  ~JournaldSource() override;

  JournaldSource(const JournaldSource&) = delete;
  JournaldSource& operator=(const JournaldSource&) = delete;

  /// Reads the committed positions and starts the reader thread, which
  /// opens the journal. InvalidArgument when `ctx` has no emit function or
  /// the source was already started; IOError when the stop pipe cannot be
  /// made.
  Status start(SourceContext* ctx) override;
  /// Stops the reader thread and joins it; idempotent. When the thread is
  /// blocked in ctx->emit, returns once emit returns. Entries read but not
  /// emitted are read again after a restart.
  void stop() override;

 private:
  void run();
  void run_loop();
  /// Opens the journal (reader_ stays null on failure) and places the read
  /// pointer per the progress and start_at.
  Status open_and_position();
  /// Reads and emits up to max_batch_records entries; *more tells whether
  /// the batch filled up before the end of the journal.
  Status read_batch(bool* more);
  /// Waits up to `ms` for the journal to change or stop().
  void wait(int ms);
  bool stopping() const { return stop_.load(std::memory_order_acquire); }
  /// Logs `message` once until a different one comes.
  void warn_once(const std::string& message);

  const std::string name_;
  const JournaldSourceOptions options_;
  const JournalApi* api_;
  const std::string where_;          ///< for messages: the directory, or "the system journal (...)"
  const std::string position_path_;  ///< SourcePosition::path: the directory, or "journal"
  SourceContext* ctx_ = nullptr;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  UniqueFd wake_read_;
  UniqueFd wake_write_;

  // Reader-thread state.
  std::unique_ptr<JournalReader> reader_;
  std::unique_ptr<JournalProgress> progress_;
  JournalRecordBuilder builder_;
  std::string last_warning_;

  Counter* skipped_;
};

/// Validates `options`, loads libsystemd (journal_api()) and builds a
/// journald source named `name`. InvalidArgument from validation; NotFound
/// when libsystemd.so.0 is missing.
Result<std::unique_ptr<Source>> make_journald_source(std::string name, const JournaldSourceOptions& options);

}  // namespace sluice
