// The `file` source: tails log files matched by glob patterns, one record per
// line, with exactly-once positions (Fluent Bit's in_tail, Vector's file
// source).
//
// Identity. A file is followed by identity, not by path: device + inode +
// fingerprint (XXH3 of its first line, capped at fingerprint_bytes); the key
// "dev:inode:fingerprinthex" is SourcePosition::key. A file whose first line
// is still incomplete is not read yet. A renamed file that still matches an
// include pattern keeps being read from where it was, never twice.
//
// Positions. Every batch carries, for each file it advances, the byte offset
// just after the last piece it holds (after the '\n' of a complete line).
// The source never decides on its own that a line is done: it resumes from
// SourceContext::committed at start and otherwise only reports positions,
// which the store commits atomically with the data. After a crash and a
// restart with the committed positions, no line is lost or repeated.
//
// Start. Files found by the scan in start(): resume at the committed offset
// of their key (from 0, with a warning, when the file is now shorter); else
// at 0 for start_at = "beginning", or after the last complete line for
// start_at = "end" (that offset is sent at once as a record-less batch so a
// restart does not skip lines written in between). Files that appear later
// are always read from 0.
//
// Rotation. Rename: the old descriptor stays open and is drained; a file that
// is deleted (st_nlink == 0) or missing from two consecutive glob scans, at
// its end, and has not grown for one poll_interval has its final partial
// line (if any) emitted and is closed. The file now at the path is a new
// file, read from 0. Copytruncate (size < position, or the first line
// changed): logged, read again from 0 under its new identity.
//
// Records: body = the line without "\n" / "\r\n", observed_timestamp_ns =
// read time, timestamp_ns = 0 (unknown), attributes log.file.path and
// log.file.name (OpenTelemetry semantic conventions), and log.split =
// first|middle|last on the pieces of a line longer than max_line_bytes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sources/file/file_source_options.hpp"
#include "pipeline/sources/file/glob.hpp"
#include "pipeline/sources/file/tailed_file.hpp"

namespace sluice {

/// Tails the files matched by its include globs on one reader thread.
///
/// Owner: the pipeline engine (through make_file_source). Threads: start()
/// and stop() from the engine's thread; file_stats() from any thread; the
/// reader thread owns all per-file state. The SourceContext passed to
/// start() must stay live until stop() returns.
/// Invariant: every emitted position is an exact byte offset at a line (or
/// line piece) boundary, and positions of one key never go backwards except
/// after a truncation of that file.
class FileSource final : public Source {
 public:
  /// `options` must have passed validate_file_source_options().
  FileSource(std::string name, FileSourceOptions options);
  ~FileSource() override;

  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  /// Scans the include globs (deciding the start offset of every file found
  /// now), then starts the reader thread. InvalidArgument when `ctx` has no
  /// emit function or the source was already started.
  Status start(SourceContext* ctx) override;
  /// Stops the reader thread and joins it; idempotent. When the thread is
  /// blocked in ctx->emit, returns once emit returns (the engine cancels emit
  /// at shutdown). Records read but not yet emitted are dropped; their
  /// positions were never reported, so they are read again after a restart.
  void stop() override;

  /// Counters of every file currently followed, as of the last reader pass
  /// (at most one poll_interval old).
  std::vector<FileStats> file_stats() const;

  const std::string& name() const { return name_; }

 private:
  using Inode = std::pair<uint64_t, uint64_t>;

  void run();
  /// Re-expands the globs; opens new files, updates paths, counts misses.
  void scan(bool initial);
  std::vector<std::string> matched_paths() const;
  /// Sets the fingerprint and key and picks the start offset.
  void make_ready(TailedFile& f, const Fingerprint& fp, bool initial);
  /// Forgets the identity and restarts the file at 0 (copytruncate).
  void reset(TailedFile& f, const std::string& why);
  /// One turn for one file. Sets *progressed when bytes were consumed or
  /// more are waiting, *close when the file is drained and gone. Returns
  /// non-ok only when emitting failed (the reader must stop).
  Status service(TailedFile& f, int64_t now_ns, bool* progressed, bool* close);
  /// Reads and emits lines from f.position for at most `budget` bytes.
  /// With `final`, the end of the file ends the last line. *eof tells
  /// whether the end of the file was reached.
  Status read_lines(TailedFile& f, bool final, uint64_t budget, uint64_t* consumed, bool* eof);
  Status add_record(TailedFile& f, std::string_view text, LinePart part, uint64_t offset_after);
  void add_position(const TailedFile& f);
  Status flush();
  void publish_stats();
  bool stopping() const { return stop_.load(std::memory_order_acquire); }
  void log_io_error(TailedFile& f, const Status& st);

  const std::string name_;
  const FileSourceOptions options_;
  std::vector<Glob> include_;
  std::vector<Glob> exclude_;
  SourceContext* ctx_ = nullptr;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;

  // Reader-thread state.
  std::map<Inode, std::unique_ptr<TailedFile>> files_;
  std::vector<char> buffer_;
  LogBatch batch_;
  uint64_t batch_bytes_ = 0;
  std::unordered_map<std::string, size_t> batch_position_index_;  ///< key -> index in batch_.positions
  int64_t next_scan_ns_ = 0;
  bool rescan_requested_ = false;
  std::vector<std::string> warned_paths_;  ///< paths whose open failure was logged

  mutable std::mutex stats_mu_;
  std::vector<FileStats> stats_;  ///< guarded by stats_mu_
};

/// Validates `options` and builds a file source named `name`.
/// InvalidArgument from validate_file_source_options().
Result<std::unique_ptr<Source>> make_file_source(std::string name, const FileSourceOptions& options);

}  // namespace sluice
